# A Lock released by another thread (legal in Python) is a signal, not a lock. Main takes `gate`
# and then `b` while holding it; an opener thread releases `gate`; a taker thread then takes
# `gate` while holding `b`. Counted as a lock, `gate` would close the cycle gate -> b -> gate
# across threads. Nothing to report.
import threading

gate = threading.Lock()
b = threading.Lock()


def taker():
    with b:
        gate.acquire()
    gate.release()


for _ in range(50):
    gate.acquire()
    with b:
        pass
    opener = threading.Thread(target=gate.release)
    opener.start()
    opener.join()
    t = threading.Thread(target=taker)
    t.start()
    t.join()
print("done")
