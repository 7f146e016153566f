"""A pthread mutex locked twice by its owner, from Python through ctypes: the runtime's own
capture (the double-lock record) must carry the Python frames."""
import ctypes

libc = ctypes.CDLL(None)  # the process's namespace: the interposed pthread functions
mutex = ctypes.create_string_buffer(64)  # zeroes: PTHREAD_MUTEX_INITIALIZER on glibc


def take(m):
    libc.pthread_mutex_lock(m)  # @py:take


def relock():
    take(mutex)  # @py:first
    take(mutex)  # @py:second


relock()  # @py:module
