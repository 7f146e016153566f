# python-deadlock, fixed: both threads take lock1 before lock2 (one global order).
import threading
import time

lock1 = threading.Lock()
lock2 = threading.Lock()
balance = {"a": 50, "b": 50}


# @show
def transfer():
    with lock1:
        time.sleep(0.1)
        with lock2:
            balance["a"] -= 10
            balance["b"] += 10


def audit():
    with lock1:
        time.sleep(0.1)
        with lock2:
            print("total", balance["a"] + balance["b"])
# @show-end


threads = [threading.Thread(target=transfer), threading.Thread(target=audit)]
for t in threads:
    t.start()
print("transfer and audit started; if this is the last line, they are deadlocked", flush=True)
for t in threads:
    t.join()
print("both threads finished")
