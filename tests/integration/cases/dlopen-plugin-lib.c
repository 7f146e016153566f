/* dlopen-plugin-lib: a plugin loaded with dlopen() at run time by dlopen-plugin. It has a lock
 * of its own, plugin_lock, and takes it in two ways that conflict with the main program's
 * app_lock. The report must name this file's lines, so the library's module must be known to
 * lockwatch although it was mapped after the program started. */
#include <pthread.h>

static pthread_mutex_t plugin_lock = PTHREAD_MUTEX_INITIALIZER;
static int plugin_calls;

/* Takes plugin_lock alone (the caller may hold its own locks). Exported for dlsym. */
void plugin_count(void)
{
    pthread_mutex_lock(&plugin_lock); /* @lock:plugin-count */
    plugin_calls++;
    pthread_mutex_unlock(&plugin_lock);
}

/* Calls back into the program with plugin_lock held. Exported for dlsym. */
void plugin_with_lock_held(void (*callback)(void))
{
    pthread_mutex_lock(&plugin_lock); /* @lock:plugin-hold */
    callback();
    pthread_mutex_unlock(&plugin_lock);
}
