# python-deadlock, broken: two threads take lock1 and lock2 in opposite orders, and both pause
# while holding their first lock, so each ends up waiting for the other's.
import threading
import time

lock1 = threading.Lock()
lock2 = threading.Lock()
balance = {"a": 50, "b": 50}


# @show
def transfer():
    with lock1:  # @lock:transfer-1
        time.sleep(0.1)
        with lock2:  # @lock:transfer-2
            balance["a"] -= 10
            balance["b"] += 10


def audit():
    with lock2:  # @lock:audit-2
        time.sleep(0.1)
        with lock1:  # @lock:audit-1
            print("total", balance["a"] + balance["b"])
# @show-end


threads = [threading.Thread(target=transfer), threading.Thread(target=audit)]
for t in threads:
    t.start()
print("transfer and audit started; if this is the last line, they are deadlocked", flush=True)
for t in threads:
    t.join()
print("both threads finished")
