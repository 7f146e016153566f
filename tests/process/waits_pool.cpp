// waits_pool.cpp — a C++ thread pool whose destructor joins workers it never told to stop: each
// worker waits on a std::condition_variable for work that never comes, and the pool's destructor
// joins them (std::thread::join). With `fixed` the destructor sets a stop flag and notifies all
// first. lockwatch must report the stuck run at the user's lines, not libstdc++'s.
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

class pool
{
  public:
    pool(unsigned n, bool stop_on_exit) : stop_on_exit_(stop_on_exit)
    {
        for (unsigned i = 0; i < n; i++)
            workers_.emplace_back([this] { run(); });
    }

    ~pool()
    {
        if (stop_on_exit_) {
            std::lock_guard<std::mutex> guard(mutex_);
            stopping_ = true;
            ready_.notify_all();
        }
        for (auto &w : workers_)
            w.join(); // @wait:pool-join
    }

    void submit(std::function<void()> job)
    {
        std::lock_guard<std::mutex> guard(mutex_);
        jobs_.push_back(std::move(job));
        ready_.notify_one();
    }

  private:
    void run()
    {
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock<std::mutex> guard(mutex_);
                auto ready = [this] { return stopping_ || !jobs_.empty(); };
                ready_.wait(guard, ready); // @wait:pool-wait
                if (jobs_.empty()) return;
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
            job();
        }
    }

    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::function<void()>> jobs_;
    std::vector<std::thread> workers_;
    bool stopping_ = false;
    bool stop_on_exit_;
};

int main(int argc, char **argv)
{
    bool fixed = argc > 1 && std::strcmp(argv[1], "fixed") == 0;
    std::mutex done_mutex;
    int done = 0;
    {
        pool workers(2, fixed);
        for (int i = 0; i < 8; i++)
            workers.submit([&] {
                std::lock_guard<std::mutex> guard(done_mutex);
                done++;
            });
    }
    std::printf("%d jobs done\n", done);
    return 0;
}
