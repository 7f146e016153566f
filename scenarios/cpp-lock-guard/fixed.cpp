// cpp-lock-guard, fixed: each function takes both mutexes with one std::scoped_lock.
//
// std::scoped_lock(a, b) (C++17) locks several mutexes without deadlock whatever order they are
// named in: it locks one and only *tries* the others, and if one is busy it releases what it
// holds and starts again. A try never blocks, so no thread ever waits while holding a lock the
// other needs. To show it, both functions run at the same time, many times over.
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

static const int rounds = 10000;
static std::mutex inbox_mutex;
static std::mutex outbox_mutex;
static std::vector<int> inbox;
static std::vector<int> outbox;

/* @show */
static void move_messages()
{
    for (int i = 0; i < rounds; i++) {
        std::scoped_lock both(inbox_mutex, outbox_mutex);
        /* @show-end */
        inbox.push_back(i);
        outbox.insert(outbox.end(), inbox.begin(), inbox.end());
        inbox.clear();
    }
}

/* @show */
static void archive_messages(std::size_t *count)
{
    for (int i = 0; i < rounds; i++) {
        std::scoped_lock both(outbox_mutex, inbox_mutex); // named the other way: still safe
                                                          /* @show-end */
        *count += outbox.size();
        outbox.clear();
    }
}

int main()
{
    std::size_t archived = 0;
    std::thread mover(move_messages);
    std::thread archiver(archive_messages, &archived);
    mover.join();
    archiver.join();
    archived += outbox.size();
    std::printf("%zu messages archived (both at once, std::scoped_lock)\n", archived);
    return archived == rounds ? 0 : 1;
}
