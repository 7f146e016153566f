/* wrap_thread.h — what init.c sets up for wrap_thread.c. */
#ifndef LWI_WRAP_THREAD_H
#define LWI_WRAP_THREAD_H

/* Creates the thread-specific key whose destructor ends a thread we did not start that calls
 * pthread_exit (after its cleanup handlers). 0, or -1 when none is left: such threads then end
 * when they call pthread_exit. */
int lwi_thread_exit_init(void);

struct lwi_thread;
/* Has a thread we did not start end (its mappings returned, THREAD_EXIT sent) when it exits,
 * through that key's destructor; nothing when the key could not be made. */
void lwi_thread_end_at_exit(struct lwi_thread *self);

#endif
