/* sim/nt/held.c - lists of what drivers hold (see held.h). */
#include "held.h"
#include "kernel.h"

void nt_held_add(struct nt_held_list *list, struct nt_held *item, const void *key, uint64_t caller)
{
    item->key = key;
    item->caller = caller;
    pthread_mutex_lock(&list->lock);
    item->next = list->head;
    list->head = item;
    pthread_mutex_unlock(&list->lock);
}

struct nt_held *nt_held_take(struct nt_held_list *list, const void *key)
{
    struct nt_held **p, *item = NULL;

    pthread_mutex_lock(&list->lock);
    for (p = &list->head; *p; p = &(*p)->next) {
        if ((*p)->key == key) {
            item = *p;
            *p = item->next;
            break;
        }
    }
    pthread_mutex_unlock(&list->lock);
    return item;
}

bool nt_held_visit(struct nt_held_list *list, bool (*fn)(struct nt_held *item, void *arg),
                   void *arg)
{
    bool done = false;

    pthread_mutex_lock(&list->lock);
    for (struct nt_held *item = list->head; item && !done; item = item->next)
        done = fn(item, arg);
    pthread_mutex_unlock(&list->lock);
    return done;
}

bool nt_held_holds(struct nt_held_list *list, const void *va, uint64_t length,
                   uint64_t (*bytes)(const struct nt_held *item))
{
    bool held = false;

    pthread_mutex_lock(&list->lock);
    for (struct nt_held *item = list->head; item && !held; item = item->next)
        held = nt_range_within(va, length, item->key, bytes(item));
    pthread_mutex_unlock(&list->lock);
    return held;
}

size_t nt_held_report(struct nt_held_list *list, uint64_t base, uint64_t size,
                      void (*print)(const struct nt_held *item, const char *caller))
{
    char where[1200];
    size_t count = 0;

    pthread_mutex_lock(&list->lock);
    for (struct nt_held *item = list->head; item; item = item->next) {
        if (item->caller < base || item->caller >= base + size)
            continue;
        nt_describe_address(item->caller, where, sizeof(where));
        print(item, where);
        count++;
    }
    pthread_mutex_unlock(&list->lock);
    return count;
}
