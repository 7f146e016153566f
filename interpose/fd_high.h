/* fd_high.h — keeping the runtime's descriptors out of the program's way.
 *
 * Descriptors the runtime keeps open (the channel's socket when there is no ring, the unwinder's
 * pipe) sit at high numbers, so the program's own open() still gets the numbers it would get
 * natively. lwi_fd_raise moves fd to the lowest free number at or above 1000, or, under a small
 * RLIMIT_NOFILE, as close to the limit as possible, with close-on-exec; it keeps fd where it is
 * when no such number is free. errno is left as it was. */
#ifndef LWI_FD_HIGH_H
#define LWI_FD_HIGH_H

int lwi_fd_raise(int fd);

#endif
