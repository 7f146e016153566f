# A Condition notified from another thread thousands of times: each waiter's lock is acquired by
# the waiter and released by the notifier (a signal, not a lock), and the condition's own lock is
# taken around another lock. Nothing to report.
import threading

cond = threading.Condition()
other = threading.Lock()
items = []


def producer():
    for i in range(3000):
        with cond:
            items.append(i)
            cond.notify()
    with cond:
        items.append(None)
        cond.notify_all()


def consumer():
    while True:
        with cond:
            while not items:
                cond.wait()
            item = items.pop(0)
            if item is None:
                items.append(None)
                return
            with other:
                pass


threads = [threading.Thread(target=consumer) for _ in range(3)]
threads.append(threading.Thread(target=producer))
for t in threads:
    t.start()
for t in threads:
    t.join()
print("done")
