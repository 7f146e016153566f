# ThreadPoolExecutor.map and submit/result/as_completed, a lock inside the work. Nothing to
# report.
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed

lock = threading.Lock()
total = [0]


def square(x):
    with lock:
        total[0] += x
    return x * x


with ThreadPoolExecutor(max_workers=4) as pool:
    squares = list(pool.map(square, range(2000)))
    futures = [pool.submit(square, i) for i in range(300)]
    for f in as_completed(futures):
        f.result()
assert sum(squares) == sum(x * x for x in range(2000))
print("done")
