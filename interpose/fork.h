/* fork.h — registers the fork handlers (see fork.c). */
#ifndef LWI_FORK_H
#define LWI_FORK_H

int lwi_fork_init(void);

#endif
