# join(timeout=...) on a live thread again and again (a timed wait on its thread-state lock,
# which times out), then a join that succeeds; the thread takes a lock meanwhile. Nothing to
# report.
import threading
import time

stop = threading.Event()
lock = threading.Lock()


def worker():
    while not stop.is_set():
        with lock:
            pass
        time.sleep(0.001)


t = threading.Thread(target=worker)
t.start()
for _ in range(30):
    t.join(timeout=0.01)
    assert t.is_alive()
stop.set()
t.join(timeout=10)
assert not t.is_alive()
print("done")
