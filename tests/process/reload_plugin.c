/* reload_plugin.c — a plugin whose constructor initialises a static mutex (reload.c loads it,
 * unloads it and loads it again: the second load's init is a new lock, not a re-init). */
#include <pthread.h>

static pthread_mutex_t plugin_lock;

__attribute__((constructor)) static void plugin_init(void)
{
    pthread_mutex_init(&plugin_lock, NULL);
}

int plugin_work(void)
{
    pthread_mutex_lock(&plugin_lock);
    pthread_mutex_unlock(&plugin_lock);
    return 1;
}
