/* dlopen-plugin: locking inside a dlopen'ed library. Thread 1 holds app_lock and calls the
 * plugin's plugin_count(), which takes plugin_lock (app_lock -> plugin_lock). Thread 2 calls the
 * plugin's plugin_with_lock_held(), which holds plugin_lock and calls back into the program to
 * take app_lock (plugin_lock -> app_lock). One inversion, with two of its four stacks in the
 * library. Usage: dlopen-plugin PATH-TO-PLUGIN.so. The threads run one after the other. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t app_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*plugin_count)(void);
static void (*plugin_with_lock_held)(void (*callback)(void));
static int app_calls;

static void *app_then_plugin(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&app_lock); /* @lock:app-hold */
    plugin_count();
    pthread_mutex_unlock(&app_lock);
    return NULL;
}

static void take_app_lock(void)
{
    pthread_mutex_lock(&app_lock); /* @lock:app-callback */
    app_calls++;
    pthread_mutex_unlock(&app_lock);
}

static void *plugin_then_app(void *arg)
{
    (void)arg;
    plugin_with_lock_held(take_app_lock);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PLUGIN.so\n", argv[0]);
        return 2;
    }
    void *plugin = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (plugin == NULL) {
        fprintf(stderr, "dlopen-plugin: %s\n", dlerror());
        return 1;
    }
    /* POSIX guarantees dlsym's object pointer converts to the function's type. */
    plugin_count = (void (*)(void))dlsym(plugin, "plugin_count");
    plugin_with_lock_held = (void (*)(void (*)(void)))dlsym(plugin, "plugin_with_lock_held");
    if (plugin_count == NULL || plugin_with_lock_held == NULL) {
        fprintf(stderr, "dlopen-plugin: %s\n", dlerror());
        return 1;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, app_then_plugin, NULL) != 0 || pthread_join(t, NULL) != 0 ||
        pthread_create(&t, NULL, plugin_then_app, NULL) != 0 || pthread_join(t, NULL) != 0)
        return 1;
    return app_calls == 1 ? 0 : 1;
}
