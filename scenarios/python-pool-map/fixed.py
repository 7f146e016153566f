# python-pool-map, fixed: every transfer locks the two accounts in one global order (by name).
import threading
from concurrent.futures import ThreadPoolExecutor


class Account:
    def __init__(self, name, balance):
        self.name = name
        self.balance = balance
        self.lock = threading.Lock()


alice, bob = Account("alice", 100), Account("bob", 100)


# @show
def transfer(pair):
    source, target = pair
    first, second = sorted(pair, key=lambda a: a.name)
    with first.lock:
        with second.lock:
            source.balance -= 1
            target.balance += 1


pairs = [(alice, bob), (bob, alice)] * 30
with ThreadPoolExecutor(max_workers=1) as pool:
    list(pool.map(transfer, pairs))
# @show-end
print("total", alice.balance + bob.balance)
