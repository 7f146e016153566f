// heap_reuse.cpp — std::mutex never calls pthread_mutex_init or _destroy. Two heap objects, an
// account and a ledger, each with a std::mutex, are locked account-then-ledger, then deleted; new
// objects take the same two addresses in the other roles (the new ledger where the old account
// was) and are locked account-then-ledger again. Same role order both times: no finding. Seen by
// address alone, the second pair is the first pair in the opposite order.
#include <cstdio>
#include <cstdlib>
#include <mutex>

struct account {
    std::mutex lock;
    long balance = 0;
};

struct ledger {
    std::mutex lock;
    long entries = 0;
};

static_assert(sizeof(account) == sizeof(ledger), "the allocator reuses a block for the other role");

static void post(account *a, ledger *l)
{
    std::lock_guard<std::mutex> ga(a->lock); // @lock:reuse-account
    std::lock_guard<std::mutex> gl(l->lock); // @lock:reuse-ledger
    a->balance++;
    l->entries++;
}

int main()
{
    auto *a1 = new account;
    auto *l1 = new ledger;
    post(a1, l1);
    void *first_account = a1, *first_ledger = l1;
    delete l1;
    delete a1; // freed last, handed out first
    auto *l2 = new ledger;
    auto *a2 = new account;
    if (static_cast<void *>(l2) != first_account || static_cast<void *>(a2) != first_ledger) {
        std::fprintf(stderr, "the allocator did not reuse the blocks in swapped roles\n");
        return 2;
    }
    post(a2, l2);
    delete a2;
    delete l2;
    std::puts("posted twice");
    return 0;
}
