// cxx-scoped-lock: two threads take the same two std::mutex with std::scoped_lock, naming them in
// opposite orders. std::scoped_lock (through std::lock) locks one and only *tries* the other,
// backing off on failure, so it cannot deadlock whatever the order: nothing may be reported. The
// threads run at the same time, many rounds, so the back-off path is exercised.
#include <mutex>
#include <thread>

static constexpr int rounds = 2000;
static std::mutex first_mutex;
static std::mutex second_mutex;
static long shared_value;

static void lock_first_second()
{
    for (int i = 0; i < rounds; i++) {
        std::scoped_lock both(first_mutex, second_mutex);
        shared_value++;
    }
}

static void lock_second_first()
{
    for (int i = 0; i < rounds; i++) {
        std::scoped_lock both(second_mutex, first_mutex);
        shared_value++;
    }
}

int main()
{
    std::thread one(lock_first_second);
    std::thread two(lock_second_first);
    one.join();
    two.join();
    return shared_value == 2 * rounds ? 0 : 1;
}
