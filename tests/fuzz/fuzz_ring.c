/* fuzz_ring.c — the driver's reader of a record ring (detector/cli/records/ring_reader.c) over
 * bytes the program controls: the input gives the tail and head counters (16 bytes) and the data
 * written from the tail on, wrapping round the ring; the drain hands each record to a detector.
 * One sealed memfd ring is made once, as the runtime makes it, and reused. */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lockwatch/detector.h"
#include "records/ring_reader.h"

static struct lwd_ring ring;
static struct lw_ring_header *writer; /* a second mapping: the program's side */

static int make_ring(void)
{
    int fd = memfd_create("fuzz-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0 || ftruncate(fd, LW_RING_FILE_SIZE) != 0) return -1;
    writer = mmap(NULL, LW_RING_FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (writer == MAP_FAILED || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0) return -1;
    writer->magic = LW_RING_MAGIC;
    writer->version = LW_WIRE_VERSION;
    writer->data_size = LW_RING_DATA_SIZE;
    return lwd_ring_attach(&ring, fd, LW_RING_FILE_SIZE, false);
}

static void feed(void *ctx, const void *rec, size_t size)
{
    lw_detector_feed(ctx, rec, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ring.hdr == NULL && make_ring() != 0) __builtin_trap();
    if (size < 16) return 0;
    uint64_t tail, reserved;
    memcpy(&tail, data, 8);
    memcpy(&reserved, data + 8, 8);
    data += 16;
    size -= 16;
    if (size > LW_RING_DATA_SIZE) size = LW_RING_DATA_SIZE;
    tail &= ~(uint64_t)7; /* the driver's tail is always a whole slot */
    memset((unsigned char *)writer + LW_RING_DATA_OFFSET, 0, LW_RING_DATA_SIZE);
    lw_ring_copy_in(writer, tail, data, size);
    ring.tail = tail;
    ring.stalled = false;
    atomic_store(&writer->tail, tail);
    atomic_store(&writer->head, tail + (reserved % (2 * (uint64_t)LW_RING_DATA_SIZE)));
    const struct lw_detector_options opts = {.cycle_search_budget = 100000};
    struct lw_detector *d = lw_detector_new(&opts);
    if (d == NULL) return 0;
    size_t bytes = 0;
    uint64_t skipped = 0;
    /* final: no writer maps the ring, so nothing is waited for. */
    for (int round = 0; round < 4; round++)
        if (lwd_ring_drain(&ring, 1u << 16, true, feed, d, &bytes, &skipped) != LWD_RING_MORE)
            break;
    lw_detector_free(d);
    return 0;
}
