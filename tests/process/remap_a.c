/* remap_a.c — one of remap.c's two plugins, the same code in two files. */
#include <pthread.h>

void plugin_take(pthread_mutex_t *first, pthread_mutex_t *second)
{
    pthread_mutex_lock(first);  /* @remap:a-first */
    pthread_mutex_lock(second); /* @remap:a-second */
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
}
