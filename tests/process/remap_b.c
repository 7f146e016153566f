/* remap_b.c — one of remap.c's two plugins, the same code in two files. */
#include <pthread.h>

void plugin_take(pthread_mutex_t *first, pthread_mutex_t *second)
{
    pthread_mutex_lock(first);  /* @remap:b-first */
    pthread_mutex_lock(second); /* @remap:b-second */
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
}
