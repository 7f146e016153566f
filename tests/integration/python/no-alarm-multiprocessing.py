# multiprocessing Pool.map with the fork and the spawn start methods, a lock inside the work.
# A forked CPython child re-initialises its runtime's mutexes (which a thread gone in the fork
# may have held): no init of a live lock. Nothing to report.
import multiprocessing
import threading

lock = threading.Lock()


def square(x):
    with lock:
        return x * x


if __name__ == "__main__":
    for method in ("fork", "spawn"):
        with multiprocessing.get_context(method).Pool(2) as pool:
            assert sum(pool.map(square, range(100))) == sum(x * x for x in range(100))
    print("done")
