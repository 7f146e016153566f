/* feedbench.c — times the detector alone on records a run made, so the driver's cost per record
 * (and per new lock-order edge) can be measured repeatably, without the program.
 *
 *   LOCKWATCH_RECORD_COPY=recs.bin lockwatch ... -- PROGRAM ...   (writes every record applied)
 *   feedbench [-r ROUNDS] recs.bin
 *
 * Each round feeds every record of the file, in order, to a fresh detector (default options, as
 * lockwatch without flags), then finishes it. Output: one line per round with the feeding time
 * (CPU time of feedbench's thread: time the machine gives other processes does not count), then
 * a summary line with the median, the records, the lock-order edges and the findings, and
 * the median nanoseconds per record and per edge. The file is read into memory first; its
 * records are copied to a 16-byte aligned buffer as the driver's backlog hands them over.
 * Exit status 1 when the file cannot be read or holds something that is not a record, or when a
 * round's detector runs out of memory or a round's counts differ from the first round's. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lockwatch/detector.h"
#include "lockwatch/report.h"
#include "lockwatch/wire.h"

/* CPU seconds of the calling thread. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1u << 20, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            unsigned char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct round_counts {
    size_t records, edges, findings;
};

/* One round: a fresh detector fed every record. Returns the seconds spent feeding, or -1. */
static double feed_round(const unsigned char *data, size_t len, struct round_counts *c)
{
    static _Alignas(16) unsigned char rec[LW_WIRE_MAX_RECORD];
    struct lw_detector *d = lw_detector_new(NULL);
    if (!d) return -1;
    c->records = 0;
    double t0 = cpu_s();
    for (size_t off = 0; off < len;) {
        struct lw_rec_header h;
        if (len - off < sizeof h) goto bad;
        memcpy(&h, data + off, sizeof h);
        if (h.magic != LW_WIRE_MAGIC || h.size < sizeof h || h.size > LW_WIRE_MAX_RECORD ||
            h.size > len - off)
            goto bad;
        memcpy(rec, data + off, h.size);
        if (lw_detector_feed(d, rec, h.size) == LW_ERR_NOMEM) goto nomem;
        off += h.size;
        c->records++;
    }
    double t1 = cpu_s();
    if (lw_detector_finish(d) != LW_OK) goto nomem;
    c->edges = lw_detector_order_edge_count(d);
    c->findings = lw_detector_report(d)->nfindings;
    lw_detector_free(d);
    return t1 - t0;
bad:
    fprintf(stderr, "feedbench: record %zu is not a record\n", c->records);
    lw_detector_free(d);
    return -1;
nomem:
    fputs("feedbench: out of memory\n", stderr);
    lw_detector_free(d);
    return -1;
}

int main(int argc, char **argv)
{
    int rounds = 5, opt;
    while ((opt = getopt(argc, argv, "r:")) != -1) {
        if (opt == 'r' && atoi(optarg) > 0 && atoi(optarg) <= 1000) {
            rounds = atoi(optarg);
            continue;
        }
        fputs("usage: feedbench [-r ROUNDS] RECORDS_FILE\n", stderr);
        return 2;
    }
    if (optind != argc - 1) {
        fputs("usage: feedbench [-r ROUNDS] RECORDS_FILE\n", stderr);
        return 2;
    }
    size_t len = 0;
    unsigned char *data = read_all(argv[optind], &len);
    if (!data) {
        fprintf(stderr, "feedbench: cannot read %s: %s\n", argv[optind], strerror(errno));
        return 1;
    }
    double *secs = calloc((size_t)rounds, sizeof *secs);
    struct round_counts first = {0}, c;
    int status = secs ? 0 : 1;
    for (int r = 0; r < rounds && status == 0; r++) {
        secs[r] = feed_round(data, len, &c);
        if (secs[r] < 0)
            status = 1;
        else if (r == 0)
            first = c;
        else if (c.records != first.records || c.edges != first.edges ||
                 c.findings != first.findings) {
            fputs("feedbench: a round's counts differ from the first round's\n", stderr);
            status = 1;
        } else
            printf("round %d: %.4f s\n", r + 1, secs[r]);
        if (r == 0 && status == 0) printf("round 1: %.4f s\n", secs[0]);
    }
    if (status == 0) {
        qsort(secs, (size_t)rounds, sizeof *secs, cmp_double);
        double med = secs[rounds / 2];
        printf("median %.4f s, %zu records, %zu edges, %zu findings: %.0f ns/record, "
               "%.0f ns/edge\n",
               med, first.records, first.edges, first.findings,
               first.records ? med * 1e9 / (double)first.records : 0.0,
               first.edges ? med * 1e9 / (double)first.edges : 0.0);
    }
    free(secs);
    free(data);
    return status;
}
