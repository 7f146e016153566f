// cxx-lock-guard-abba: the ABBA pattern in C++17: two std::mutex taken through nested
// std::lock_guard in opposite orders by two std::threads (run one after the other). libstdc++'s
// std::mutex calls pthread_mutex_lock, so the inversion is reported with the guards' lines.
#include <mutex>
#include <thread>

static std::mutex account_mutex;
static std::mutex ledger_mutex;
static int entries;

static void post_entry()
{
    std::lock_guard<std::mutex> account(account_mutex); // @lock:post-account
    std::lock_guard<std::mutex> ledger(ledger_mutex);   // @lock:post-ledger
    entries++;
}

static void audit_entries()
{
    std::lock_guard<std::mutex> ledger(ledger_mutex);   // @lock:audit-ledger
    std::lock_guard<std::mutex> account(account_mutex); // @lock:audit-account
    entries++;
}

int main()
{
    std::thread(post_entry).join();
    std::thread(audit_entries).join();
    return entries == 2 ? 0 : 1;
}
