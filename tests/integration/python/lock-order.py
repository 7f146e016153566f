# lock1/lock2 in opposite orders, in two threads that run one after the other: the run never
# deadlocks, and lockwatch must still report the inversion (threading.Lock is a semaphore).
import threading

lock1 = threading.Lock()
lock2 = threading.Lock()


def first():
    with lock1:  # @lock:first-outer
        with lock2:  # @lock:first-inner
            pass


def second():
    with lock2:  # @lock:second-outer
        with lock1:  # @lock:second-inner
            pass


for work in (first, second):
    t = threading.Thread(target=work)
    t.start()
    t.join()
print("did not deadlock")
