/* remap.c — loads remap_a (argv[1]), takes two locks through it, unloads it, then loads
 * remap_b (argv[2]) and takes them in the other order through it. The two plugins are the same
 * code from two files, so the loader maps the second where the first was and every return
 * address repeats: each edge must still name the plugin that made it. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock_x = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_y = PTHREAD_MUTEX_INITIALIZER;

int main(int argc, char **argv)
{
    if (argc < 3) return 2;
    pthread_mutex_t *order[2][2] = {{&lock_x, &lock_y}, {&lock_y, &lock_x}};
    void *where[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++) {
        void *plugin = dlopen(argv[1 + i], RTLD_NOW);
        void (*take)(pthread_mutex_t *, pthread_mutex_t *) =
            plugin ? (void (*)(pthread_mutex_t *, pthread_mutex_t *))dlsym(plugin, "plugin_take")
                   : NULL;
        if (!take) return 2;
        where[i] = (void *)take;
        take(order[i][0], order[i][1]);
        dlclose(plugin);
    }
    puts(where[0] == where[1] ? "same address" : "another address");
    return 0;
}
