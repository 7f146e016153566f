/* abba-one-thread: the main thread takes lock_a then lock_b, releases both, and later takes
 * lock_b then lock_a. Nothing can deadlock with one thread, but the code has both orders: two
 * threads running it would. Reported, marked single_thread. */
#include <pthread.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void forward(void)
{
    pthread_mutex_lock(&lock_a); /* @lock:fwd-a */
    pthread_mutex_lock(&lock_b); /* @lock:fwd-b */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
}

static void backward(void)
{
    pthread_mutex_lock(&lock_b); /* @lock:back-b */
    pthread_mutex_lock(&lock_a); /* @lock:back-a */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
}

int main(void)
{
    forward();
    backward();
    return 0;
}
