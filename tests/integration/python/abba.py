"""Two pthread mutexes taken in opposite orders by two Python functions run one after the other
(through ctypes): a lock-order inversion whose four places are Python lines."""
import ctypes
import threading

libc = ctypes.CDLL(None)  # the process's namespace: the interposed pthread functions
lock_a = ctypes.create_string_buffer(64)  # zeroes: PTHREAD_MUTEX_INITIALIZER on glibc
lock_b = ctypes.create_string_buffer(64)


def transfer():
    libc.pthread_mutex_lock(lock_a)  # @py:transfer-a
    libc.pthread_mutex_lock(lock_b)  # @py:transfer-b
    libc.pthread_mutex_unlock(lock_b)
    libc.pthread_mutex_unlock(lock_a)


def audit():
    libc.pthread_mutex_lock(lock_b)  # @py:audit-b
    libc.pthread_mutex_lock(lock_a)  # @py:audit-a
    libc.pthread_mutex_unlock(lock_a)
    libc.pthread_mutex_unlock(lock_b)


for target in (transfer, audit):
    t = threading.Thread(target=target)
    t.start()
    t.join()
