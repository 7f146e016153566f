// cpp-lock-guard, broken: two std::mutex taken in opposite orders through nested
// std::lock_guard objects.
//
// std::lock_guard unlocks for you at the end of the scope, which prevents forgotten unlocks, but
// it does nothing about the order: move() takes inbox then outbox, archive() outbox then inbox.
// Run at the same moment, each could hold one mutex and wait for the other for ever.
//
// This run is lucky on purpose: the two threads run one after the other, so it always exits.
// lockwatch sees std::mutex through the pthread calls libstdc++ makes.
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

static std::mutex inbox_mutex;  // guards inbox
static std::mutex outbox_mutex; // guards outbox
static std::vector<int> inbox{1, 2, 3};
static std::vector<int> outbox;

// inbox, then outbox
/* @show */
static void move_messages()
{
    std::lock_guard<std::mutex> in(inbox_mutex);   // @lock:move-inbox
    std::lock_guard<std::mutex> out(outbox_mutex); // @lock:move-outbox
                                                   /* @show-end */
    outbox.insert(outbox.end(), inbox.begin(), inbox.end());
    inbox.clear();
}

// outbox, then inbox: the opposite order
/* @show */
static void archive_messages(std::size_t *count)
{
    std::lock_guard<std::mutex> out(outbox_mutex); // @lock:archive-outbox
    std::lock_guard<std::mutex> in(inbox_mutex);   // @lock:archive-inbox
                                                   /* @show-end */
    *count = inbox.size() + outbox.size();
    outbox.clear();
}

int main()
{
    std::size_t archived = 0;
    std::thread(move_messages).join(); // one after the other: the lucky run
    std::thread(archive_messages, &archived).join();
    std::printf("%zu messages archived (the threads ran one at a time: no deadlock)\n", archived);
    return 0;
}
