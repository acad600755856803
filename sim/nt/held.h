/*
 * sim/nt/held.h - what the kernel handed a driver and the driver still
 * holds (an MDL, a mapping, pages): one list per kind, each item with the
 * driver code that asked for it, so that a free must name a live item and
 * an unload reports what its image left behind.
 *
 * An item is a member of the kind's own structure (nt_held_of gets that
 * back). Each list has its lock, taken alone: callbacks run under it and
 * must not call back into the list.
 */
#ifndef WINPV_SIM_NT_HELD_H
#define WINPV_SIM_NT_HELD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nt_held {
    struct nt_held *next;
    const void *key; /* what the driver names it by: the MDL, the address */
    uint64_t caller; /* the driver code that asked for it */
};

struct nt_held_list {
    pthread_mutex_t lock;
    struct nt_held *head;
};

#define NT_HELD_LIST_INIT               \
    {                                   \
        PTHREAD_MUTEX_INITIALIZER, NULL \
    }
#define nt_held_of(item, type, member) ((type *)(void *)((char *)(item)-offsetof(type, member)))

void nt_held_add(struct nt_held_list *list, struct nt_held *item, const void *key, uint64_t caller);
/* The item named @key, taken off @list; NULL when there is none. */
struct nt_held *nt_held_take(struct nt_held_list *list, const void *key);
/* Call @fn on each item until it returns true; whether one did. */
bool nt_held_visit(struct nt_held_list *list, bool (*fn)(struct nt_held *item, void *arg),
                   void *arg);
/*
 * Whether [@va, @va + @length) lies within one item of @list, an item
 * being the @bytes(item) bytes from its key (an address).
 */
bool nt_held_holds(struct nt_held_list *list, const void *va, uint64_t length,
                   uint64_t (*bytes)(const struct nt_held *item));
/*
 * Items of @list that code in [@base, @base + @size) asked for: each given
 * to @print with its caller described, and counted.
 */
size_t nt_held_report(struct nt_held_list *list, uint64_t base, uint64_t size,
                      void (*print)(const struct nt_held *item, const char *caller));

#endif /* WINPV_SIM_NT_HELD_H */
