/* held.h — one thread's stack of held locks.
 *
 * Entries live in an mmap'd array (LWI_HELD_FIRST entries at first, not in the TLS block, which
 * glibc carves out of the thread's stack) that grows with mremap, so one thread can hold
 * millions. When even that fails, lwi_held_push returns NULL and sets the sticky `overflowed`
 * flag: the lock is then not tracked (and its unlock must not be called unowned). Entries are
 * ordered oldest first; unlock order need not be LIFO (lwi_held_remove closes the gap). Only the
 * owning thread touches its stack, inside its re-entry guard.
 * entries[-1] is always readable: a sentinel with no lock (address LWI_HELD_NO_LOCK, count 0) whose
 * lock_chain is the thread's chain root, so the fast path reads "the chain below" and "the top
 * entry" without testing for an empty stack. Before the first mapping (and after the release)
 * `entries` points just past a shared sentinel, lwi_held_none, with capacity 0. */
#ifndef LWI_HELD_H
#define LWI_HELD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockwatch/wire.h"

#define LWI_HELD_FIRST 63u      /* one page with the sentinel */
#define LWI_HELD_MAX (1u << 22) /* entries; 256 MiB of address space at most */

struct lwi_held_entry {
    struct lw_lock_ref ref; /* identity, kind and how it was acquired */
    uint64_t stack;         /* stack id of the acquisition (0 if it could not be captured) */
    uint64_t pc;            /* return address of the wrapper that acquired it */
    uint64_t lock_chain;    /* key of the chain "held locks below + this one" (chain.h) */
    /* In a memo slot, the lock's generation stamp when it was filled (gen.h, memo.h); copied
     * with it, meaningless in entries pushed otherwise. */
    uint32_t memo_stamp;
    uint32_t reserved;
    uint32_t count; /* recursion depth: recursive mutex, or read lock held twice */
    /* Used in a memo slot (memo.h) only; in the held stack nothing reads them (copies carry a
     * slot's, other pushes leave what was there): ref's type, mode and acq in one word
     * (lwi_memo_kind), and the lock_chain of the entry the slot's acquisition was pushed on (the
     * thread's chain root for none). They also make the entry 64 bytes: the fast path indexes
     * entries with a shift. */
    uint32_t memo_kind;
    uint64_t memo_below;
};
_Static_assert(sizeof(struct lwi_held_entry) == 64, "held entries are 64 bytes");
/* The driver reads a waiting thread's held locks as struct lw_held (wire.h: lw_wait_slot). */
_Static_assert(offsetof(struct lwi_held_entry, ref) == offsetof(struct lw_held, lock) &&
                   offsetof(struct lwi_held_entry, stack) == offsetof(struct lw_held, stack),
               "a held entry starts with a struct lw_held");

#define LWI_HELD_NO_LOCK UINT64_MAX /* the sentinel's address: never a lock's */

struct lwi_held_stack {
    struct lwi_held_entry *entries; /* one past the sentinel (see above) */
    uint32_t count;
    uint32_t capacity;
    size_t map_bytes; /* size of the mapping, 0 before first use */
    bool overflowed;  /* sticky: some lock of this thread is not tracked */
    /* The thread may not map memory (seccomp, restrict.h): the stack cannot grow. */
    bool no_syscalls;
    uint64_t root; /* the thread's chain root, kept in the sentinel too (lwi_held_set_root) */
};

extern const struct lwi_held_entry lwi_held_none[1];

/* Points an unmapped stack at the shared sentinel (a thread that becomes known). */
static inline void lwi_held_init(struct lwi_held_stack *h)
{
    if (h->map_bytes == 0) h->entries = (struct lwi_held_entry *)&lwi_held_none[1];
}

/* The chain root changed (thread number, epoch): the sentinel follows. */
static inline void lwi_held_set_root(struct lwi_held_stack *h, uint64_t root)
{
    h->root = root;
    if (h->map_bytes) h->entries[-1].lock_chain = root;
}

static inline struct lwi_held_entry *lwi_held_at(struct lwi_held_stack *h, uint32_t i)
{
    return &h->entries[i];
}

static inline struct lwi_held_entry *lwi_held_top(struct lwi_held_stack *h)
{
    return h->count ? &h->entries[h->count - 1] : NULL;
}

/* Index of the entry for the lock at `addr` (searching from the most recent), or -1. Two held
 * locks never share an address, so the generation is not compared. */
static inline long lwi_held_find(const struct lwi_held_stack *h, uint64_t addr)
{
    for (long i = (long)h->count - 1; i >= 0; i--)
        if (h->entries[i].ref.addr == addr) return i;
    return -1;
}

/* Makes room for one more entry (first use: a mapping; later: a bigger one). False, with
 * `overflowed` set, when the stack cannot grow. */
bool lwi_held_make_room(struct lwi_held_stack *h);

/* A new slot on top (count already includes it; the caller fills every field), or NULL when the
 * stack cannot grow. */
static inline struct lwi_held_entry *lwi_held_push(struct lwi_held_stack *h)
{
    if (__builtin_expect(h->count == h->capacity, 0) && !lwi_held_make_room(h)) return NULL;
    return &h->entries[h->count++];
}

/* Removes entry i; entries above move down by one. Their chain keys are the caller's job. */
void lwi_held_remove(struct lwi_held_stack *h, uint32_t i);

/* Returns the mapping (thread exit); the stack is empty and unmapped afterwards. */
void lwi_held_release(struct lwi_held_stack *h);

#endif
