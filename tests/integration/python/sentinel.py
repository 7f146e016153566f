# The forgotten sentinel: the workers wait on q.get() for ever, main waits in join.
import queue
import threading

q = queue.Queue()
done = []


def worker():
    while True:
        item = q.get()  # @lock:get
        if item is None:
            break
        done.append(item)


workers = [threading.Thread(target=worker) for _ in range(2)]
for w in workers:
    w.start()
for i in range(10):
    q.put(i)
# the bug: no q.put(None) per worker
for w in workers:
    w.join()  # @lock:join
print("not reached")
