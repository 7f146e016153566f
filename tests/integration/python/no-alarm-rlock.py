# RLock taken recursively around a Lock, in three threads at once; a Condition over an RLock.
# Nothing to report.
import threading

r = threading.RLock()
inner = threading.Lock()
cond = threading.Condition(threading.RLock())
count = [0]


def work():
    for _ in range(500):
        with r:
            with r:
                with inner:
                    pass
        with cond:
            with cond:
                count[0] += 1
                cond.notify_all()


threads = [threading.Thread(target=work) for _ in range(3)]
for t in threads:
    t.start()
with cond:
    while count[0] < 1500:
        cond.wait(timeout=1)
for t in threads:
    t.join()
print("done")
