/* reload.c — loads the plugin given as argv[1], calls it, unloads it, twice. The loader usually
 * maps the second load where the first was, so the plugin's static mutex is initialised again at
 * the same address: a new lock in a new object, which must not be reported as reinit-live. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    int calls = 0;
    for (int i = 0; i < 2; i++) {
        void *plugin = dlopen(argv[1], RTLD_NOW);
        int (*work)(void) = plugin ? (int (*)(void))dlsym(plugin, "plugin_work") : NULL;
        if (!work) return 2;
        calls += work();
        dlclose(plugin);
    }
    printf("plugin ran %d times\n", calls);
    return 0;
}
