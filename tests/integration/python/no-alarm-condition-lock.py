# Condition(Lock()) used as intended: waits with and without timeouts (wait(0) tries its waiter
# lock while holding it, a timed-out wait re-takes the Condition's lock while the waiter lock is
# still its own), notified from another thread, the Condition's Lock always taken before another
# lock. Nothing to report.
import threading

cond = threading.Condition(threading.Lock())
other = threading.Lock()
items = []


def producer():
    for i in range(2000):
        with cond:
            items.append(i)
            cond.notify()
    with cond:
        items.append(None)
        cond.notify_all()


def consumer():
    while True:
        with cond:
            cond.wait(0)
            while not items:
                cond.wait(timeout=0.001)
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
