/* c11-mtx-abba: the ABBA pattern written in plain C11 <threads.h>: mtx_t locks and thrd_create
 * threads. glibc's mtx_lock does not go through pthread_mutex_lock, so this checks that the C11
 * functions are seen in their own right. The threads run one after the other. */
#include <stddef.h>
#include <threads.h>

static mtx_t mtx_a;
static mtx_t mtx_b;

static int mtx_a_then_b(void *arg)
{
    (void)arg;
    mtx_lock(&mtx_a); /* @lock:mab-a */
    mtx_lock(&mtx_b); /* @lock:mab-b */
    mtx_unlock(&mtx_b);
    mtx_unlock(&mtx_a);
    return 0;
}

static int mtx_b_then_a(void *arg)
{
    (void)arg;
    mtx_lock(&mtx_b); /* @lock:mba-b */
    mtx_lock(&mtx_a); /* @lock:mba-a */
    mtx_unlock(&mtx_a);
    mtx_unlock(&mtx_b);
    return 0;
}

int main(void)
{
    if (mtx_init(&mtx_a, mtx_plain) != thrd_success || mtx_init(&mtx_b, mtx_plain) != thrd_success)
        return 1;
    thrd_t t;
    if (thrd_create(&t, mtx_a_then_b, NULL) != thrd_success || thrd_join(t, NULL) != thrd_success ||
        thrd_create(&t, mtx_b_then_a, NULL) != thrd_success || thrd_join(t, NULL) != thrd_success)
        return 1;
    mtx_destroy(&mtx_a);
    mtx_destroy(&mtx_b);
    return 0;
}
