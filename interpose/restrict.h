/* restrict.h — threads under seccomp, where a system call the program never makes kills it.
 *
 * SECCOMP_MODE_STRICT leaves a thread read, write, exit and sigreturn; a filter may refuse
 * anything. The runtime learns that a thread entered either mode from the call that enters it
 * (prctl(PR_SET_SECCOMP), syscall(SYS_seccomp) or syscall(SYS_prctl), wrapped here) and, for a
 * process started under a filter, from "Seccomp:" in /proc/self/status at start-up. Such a thread
 * is `restricted` (tls.h), and so are the threads it creates afterwards (they inherit the
 * filter): it captures no stack (LW_OVERFLOW_STACKS_RESTRICTED says so in the report), maps no
 * memory (its held stack and the generation table do not grow: the overflows say so), and sends
 * records with write(2). Known chains, edges and misuse are still recorded. A seccomp mode
 * entered by a raw system call instruction is not seen, and a filter synchronised to every
 * thread (SECCOMP_FILTER_FLAG_TSYNC) marks only the calling thread and the threads it creates. */
#ifndef LWI_RESTRICT_H
#define LWI_RESTRICT_H

#include <stdatomic.h>
#include <stdbool.h>

struct lwi_thread;

/* Marks the calling thread restricted (called before the mode is entered). */
void lwi_restrict_self(struct lwi_thread *self);

/* True when the process runs under a seccomp filter from its start (read once, at start-up). */
bool lwi_restrict_inherited(void);
/* Marks the calling thread and every thread adopted later (tls.c) restricted. */
void lwi_restrict_process(struct lwi_thread *self);
/* Set by lwi_restrict_process. */
extern atomic_bool lwi_restrict_all;

#endif
