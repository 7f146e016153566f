"""pyloop.py - lock-heavy Python loops for bench/run.py (the cost of reading Python frames).

    pyloop.py lock N      two threads each take one threading.Lock N times (`with lock:`), and
                          the main thread takes two pthread mutexes nested N times through ctypes
                          (a repeated chain: the runtime's fast path)
    pyloop.py chains N    N distinct pthread mutexes, each taken once under an outer one from a
                          Python call 8 frames deep: every acquisition a new lock-order chain,
                          so every one captures its stack with its Python frames; ctypes lets
                          the GIL go around the call, so the frames are read the safe (slower)
                          way (docs/internals.md, "Python frames")
    pyloop.py chains-gil N  the same through ctypes.PyDLL, which keeps the GIL: read in place
    pyloop.py queue N     N round trips between two threads through two queue.Queue(maxsize=1):
                          every Condition.wait makes a new waiter semaphore (a new lock that
                          becomes a signal), so the driver's memory must not grow with N
Prints the elapsed time. Python 3 standard library only.
"""
import ctypes
import queue
import sys
import threading
import time

libc = ctypes.CDLL(None)  # the process's namespace: the interposed pthread functions
libc_gil = ctypes.PyDLL(None)  # the same, called with the GIL held


def lock_loop(n):
    lock = threading.Lock()

    def worker():
        for _ in range(n):
            with lock:
                pass

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    outer, inner = ctypes.create_string_buffer(64), ctypes.create_string_buffer(64)
    mlock, munlock = libc.pthread_mutex_lock, libc.pthread_mutex_unlock
    for _ in range(n):
        mlock(outer)
        mlock(inner)
        munlock(inner)
        munlock(outer)
    for t in threads:
        t.join()


def deep(depth, fn):
    return fn() if depth == 0 else deep(depth - 1, fn)


def new_chains(n, lib=libc):
    outer = ctypes.create_string_buffer(64)
    mutexes = ctypes.create_string_buffer(64 * n)
    base = ctypes.addressof(mutexes)
    mlock, munlock = lib.pthread_mutex_lock, lib.pthread_mutex_unlock
    for i in range(n):
        m = ctypes.c_void_p(base + 64 * i)
        mlock(outer)
        deep(8, lambda: mlock(m))
        munlock(m)
        munlock(outer)


def queue_round_trips(n):
    there, back = queue.Queue(maxsize=1), queue.Queue(maxsize=1)

    def echo():
        for _ in range(n):
            back.put(there.get())

    t = threading.Thread(target=echo)
    t.start()
    for i in range(n):
        there.put(i)
        if back.get() != i:
            raise SystemExit("pyloop.py: a round trip came back wrong")
    t.join()


def main():
    kind, n = sys.argv[1], int(sys.argv[2])
    start = time.perf_counter()
    kinds = {"lock": lock_loop, "chains": new_chains,
             "chains-gil": lambda n: new_chains(n, libc_gil), "queue": queue_round_trips}
    kinds[kind](n)
    print(f"{kind} {n}: {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
