# A bounded Queue with producers and consumers, a lock taken while handling items, task_done and
# join, a sentinel per worker. Nothing to report.
import queue
import threading

q = queue.Queue(maxsize=4)
results = queue.Queue()
lock = threading.Lock()


def worker():
    while True:
        item = q.get()
        if item is None:
            q.task_done()
            return
        with lock:
            results.put(item * 2)
        q.task_done()


workers = [threading.Thread(target=worker) for _ in range(3)]
for w in workers:
    w.start()
for i in range(2000):
    q.put(i)
for _ in workers:
    q.put(None)
q.join()
for w in workers:
    w.join()
assert results.qsize() == 2000
print("done")
