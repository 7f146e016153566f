# The classic lesson: two threads take lock1 and lock2 in opposite orders and really deadlock.
# lockwatch must report it and end the run.
import threading
import time

lock1 = threading.Lock()
lock2 = threading.Lock()
both_hold = threading.Barrier(2)


def first():
    with lock1:  # @lock:first-outer
        both_hold.wait()
        with lock2:  # @lock:first-inner
            pass


def second():
    with lock2:  # @lock:second-outer
        both_hold.wait()
        with lock1:  # @lock:second-inner
            pass


threads = [threading.Thread(target=first), threading.Thread(target=second)]
for t in threads:
    t.start()
for t in threads:
    t.join()
time.sleep(0)
print("not reached")
