"""Two threads take lock1 and lock2 in opposite orders and really deadlock (Python frames test)."""
import threading

lock1 = threading.Lock()
lock2 = threading.Lock()
both_hold = threading.Barrier(2)


def one():
    with lock1:
        both_hold.wait()
        with lock2:  # @py:one-waits
            pass


def two():
    with lock2:
        both_hold.wait()
        with lock1:  # @py:two-waits
            pass


a = threading.Thread(target=one)
b = threading.Thread(target=two)
a.start()
b.start()
a.join()  # @py:main-joins
b.join()
