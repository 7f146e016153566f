/* nocancel.h — keeping cancellation where the program expects it. Lock calls are not cancellation
 * points, but some slow paths inside them make calls that are (send and connect on the channel,
 * the read() libunwind uses to check that memory is readable): with a cancel pending, the thread
 * would be cancelled inside pthread_mutex_lock. Those paths bracket themselves with these, so a
 * pending cancel waits for the program's next cancellation point. */
#ifndef LWI_NOCANCEL_H
#define LWI_NOCANCEL_H

#include <pthread.h>

#define LWI_NOCANCEL_BEGIN()                                                                       \
    int lwi_cancel_state_;                                                                         \
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &lwi_cancel_state_)
#define LWI_NOCANCEL_END() pthread_setcancelstate(lwi_cancel_state_, NULL)

#endif
