"""python_locks.py N — the Python benchmark workload (run.py): one thread takes two
threading.Lock objects nested, N times. CPython's Lock is a semaphore (sem_trywait, sem_post)."""
import sys
import threading

outer, inner = threading.Lock(), threading.Lock()
for _ in range(int(sys.argv[1])):
    with outer:
        with inner:
            pass
