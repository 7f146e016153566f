# Events set from another thread, waited on with and without a timeout, a lock taken on both
# sides. Nothing to report.
import threading

lock = threading.Lock()
for _ in range(300):
    go = threading.Event()
    back = threading.Event()

    def waiter():
        go.wait()
        with lock:
            pass
        back.set()

    t = threading.Thread(target=waiter)
    t.start()
    with lock:
        go.set()
    while not back.wait(timeout=0.5):
        pass
    t.join()
print("done")
