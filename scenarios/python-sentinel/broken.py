# python-sentinel, broken: the producer never tells the workers that the work is over.
import queue
import threading

jobs = queue.Queue()
total = 0
total_lock = threading.Lock()


# @show
def worker():
    global total
    while True:
        n = jobs.get()  # @lock:worker-get
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
# forgot: one None per worker, to say "no more work"
for w in workers:
    w.join()  # @lock:main-join
# @show-end
print("total", total)
