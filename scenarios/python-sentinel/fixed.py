# python-sentinel, fixed: one None per worker says "no more work".
import queue
import threading

jobs = queue.Queue()
total = 0
total_lock = threading.Lock()


# @show
def worker():
    global total
    while True:
        n = jobs.get()
        if n is None:
            return
        with total_lock:
            total += n


workers = [threading.Thread(target=worker) for _ in range(3)]
for w in workers:
    w.start()
for n in range(1, 1001):
    jobs.put(n)
print("all 1000 jobs queued", flush=True)
for w in workers:
    jobs.put(None)
for w in workers:
    w.join()
# @show-end
print("total", total)
