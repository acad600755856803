/*
 * core/evtchn/table.c - which channel a port belongs to: pages of
 * EVTCHN_TABLE_PAGE pointers, allocated as ports need them (passive) so a
 * lookup in dispatch context allocates nothing.
 */
#include "evtchn/evtchn_impl.h"

int evtchn_table_reserve(struct evtchn_engine *e, uint32_t port)
{
    struct evtchn_channel **page;
    os_irql_t irql;

    if (port >= EVTCHN_FIFO_NR_CHANNELS)
        return -XEN_EINVAL;
    if (e->table[port / EVTCHN_TABLE_PAGE])
        return 0;
    page = os_alloc(EVTCHN_TABLE_PAGE * sizeof(*page));
    if (page == NULL)
        return -XEN_ENOMEM;
    irql = os_spin_lock(&e->lock);
    e->table[port / EVTCHN_TABLE_PAGE] = page;
    os_spin_unlock(&e->lock, irql);
    return 0;
}

void evtchn_table_set(struct evtchn_engine *e, uint32_t port, struct evtchn_channel *ch)
{
    OS_ASSERT(port < EVTCHN_FIFO_NR_CHANNELS && e->table[port / EVTCHN_TABLE_PAGE]);
    e->table[port / EVTCHN_TABLE_PAGE][port % EVTCHN_TABLE_PAGE] = ch;
}

struct evtchn_channel *evtchn_table_get(const struct evtchn_engine *e, uint32_t port)
{
    struct evtchn_channel **page =
        port < EVTCHN_FIFO_NR_CHANNELS ? e->table[port / EVTCHN_TABLE_PAGE] : NULL;

    return page ? page[port % EVTCHN_TABLE_PAGE] : NULL;
}

void evtchn_table_clear_all(struct evtchn_engine *e)
{
    for (uint32_t i = 0; i < EVTCHN_TABLE_PAGES; i++)
        for (uint32_t j = 0; e->table[i] && j < EVTCHN_TABLE_PAGE; j++)
            e->table[i][j] = NULL;
}

void evtchn_table_free(struct evtchn_engine *e)
{
    for (uint32_t i = 0; i < EVTCHN_TABLE_PAGES; i++) {
        os_free(e->table[i]);
        e->table[i] = NULL;
    }
}
