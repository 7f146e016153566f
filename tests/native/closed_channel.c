/* closed_channel.c — a daemon-like program that closes every descriptor above stderr (lockwatch's
 * record channel too), then takes two locks in order. The runtime reopens the channel and the
 * report must own up to it (an OVERFLOW record for the channel, raised as a degraded flag and
 * sent by the record writer). */
#include <pthread.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

int main(void)
{
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = 3; fd < (max > 0 && max < 1048576 ? max : 65536); fd++)
        close((int)fd);
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return 0;
}
