/* seqset.c — canonical cycle identities (see seqset.h). */
#include "seqset.h"

#include "grow.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_seq(const uint32_t *seq, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a over the words */
    for (size_t i = 0; i < len; i++) {
        h ^= seq[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

void lw_seqset_free(struct lw_seqset *s)
{
    lw_map_free(&s->heads);
    free(s->entries);
    free(s->words);
    memset(s, 0, sizeof *s);
}

struct lw_seqset_entry *lw_seqset_find(struct lw_seqset *s, const uint32_t *seq, size_t len)
{
    uint64_t head;
    if (!lw_map_get(&s->heads, hash_seq(seq, len), len, &head)) return NULL;
    for (uint32_t i = (uint32_t)head; i != UINT32_MAX; i = s->entries[i].next) {
        struct lw_seqset_entry *e = &s->entries[i];
        if (e->length == len && memcmp(s->words + e->offset, seq, len * sizeof *seq) == 0) return e;
    }
    return NULL;
}

int lw_seqset_add(struct lw_seqset *s, const uint32_t *seq, size_t len, uint64_t value)
{
    if (s->nentries >= UINT32_MAX - 1) return -1;
    struct lw_seqset_entry *entries =
        lw_grow(s->entries, &s->entries_cap, s->nentries + 1, sizeof *s->entries);
    if (!entries) return -1;
    s->entries = entries;
    uint32_t *words = lw_grow(s->words, &s->words_cap, s->nwords + len, sizeof *s->words);
    if (!words) return -1;
    s->words = words;
    uint64_t h = hash_seq(seq, len), head;
    uint32_t next = lw_map_get(&s->heads, h, len, &head) ? (uint32_t)head : UINT32_MAX;
    uint32_t index = (uint32_t)s->nentries;
    if (lw_map_put(&s->heads, h, len, index) != 0) return -1;
    memcpy(s->words + s->nwords, seq, len * sizeof *seq);
    s->entries[index] = (struct lw_seqset_entry){s->nwords, (uint32_t)len, next, value};
    s->nwords += len;
    s->nentries++;
    return 0;
}

void lw_seq_rotate_canonical(uint32_t *seq, size_t len, size_t stride)
{
    size_t best = 0;
    for (size_t i = stride; i < len; i += stride)
        if (seq[i] < seq[best]) best = i;
    if (best == 0) return;
    uint32_t tmp[512];
    while (best > 0) {
        size_t chunk = best < sizeof tmp / sizeof *tmp ? best : sizeof tmp / sizeof *tmp;
        memcpy(tmp, seq, chunk * sizeof *seq);
        memmove(seq, seq + chunk, (len - chunk) * sizeof *seq);
        memcpy(seq + len - chunk, tmp, chunk * sizeof *seq);
        best -= chunk;
    }
}
