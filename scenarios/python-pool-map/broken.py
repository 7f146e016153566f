# python-pool-map, broken: transfers mapped over a thread pool lock the two accounts in argument
# order, so transfer(a, b) and transfer(b, a) take the same two locks in opposite orders.
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
    with source.lock:  # @lock:source
        with target.lock:  # @lock:target
            source.balance -= 1
            target.balance += 1


pairs = [(alice, bob), (bob, alice)] * 30
with ThreadPoolExecutor(max_workers=1) as pool:
    list(pool.map(transfer, pairs))
# @show-end
print("total", alice.balance + bob.balance)
