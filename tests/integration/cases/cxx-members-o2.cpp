// cxx-members-o2: two distinct lock-order inversions in C++ built with -O2, every lock a member
// of a static object and every acquisition through std::lock_guard / std::unique_lock /
// std::scoped_lock in member functions that the compiler inlines. The report must name the
// members ("bank.accounts_mutex") and the lines holding the guards (inlined frames expanded),
// never libstdc++'s headers, and give the two cycles different fingerprints.
#include <mutex>
#include <thread>

namespace {

class Bank {
public:
    void post()
    {
        std::lock_guard<std::mutex> accounts(accounts_mutex); // @lock:post-accounts
        std::unique_lock<std::mutex> ledger(ledger_mutex);    // @lock:post-ledger
        entries++;
    }
    void audit()
    {
        std::scoped_lock ledger(ledger_mutex);                // @lock:audit-ledger
        std::lock_guard<std::mutex> accounts(accounts_mutex); // @lock:audit-accounts
        entries++;
    }
    long balance[4] = {0, 0, 0, 0};
    std::mutex accounts_mutex;
    std::mutex ledger_mutex;
    int entries = 0;
};

struct Registry {
    void add()
    {
        std::lock_guard<std::mutex> names(names_mutex); // @lock:add-names
        std::lock_guard<std::mutex> ids(ids_mutex);     // @lock:add-ids
        count++;
    }
    void remove()
    {
        std::unique_lock<std::mutex> ids(ids_mutex);    // @lock:remove-ids
        std::unique_lock<std::mutex> names(names_mutex); // @lock:remove-names
        count--;
    }
    char tag[24] = "registry";
    std::mutex names_mutex;
    std::mutex ids_mutex;
    int count = 0;
};

Bank bank;
Registry registry;

} // namespace

// Every task runs through one function, so at -O2 all eight acquisitions are inlined into the
// same physical function: only the inlined frames tell the two cycles apart.
void work(int task)
{
    switch (task) {
    case 0:
        bank.post();
        break;
    case 1:
        bank.audit();
        break;
    case 2:
        registry.add();
        break;
    default:
        registry.remove();
        break;
    }
}

int main()
{
    // One after the other: the inversions are potential, the run never deadlocks.
    for (int task = 0; task < 4; task++)
        std::thread(work, task).join(); // @lock:start
    return bank.entries == 2 && registry.count == 0 ? 0 : 1;
}
