/*
 * sim/hv/evtchn_fifo.c - the FIFO event-channel ABI.
 *
 * Each port has a 32-bit event word in guest pages the guest hands over with
 * EVTCHNOP_expand_array (1024 words a page); each vCPU has a control block
 * (EVTCHNOP_init_control) with a ready bit and a head per priority queue.
 * Signalling a port sets PENDING; if the port is neither MASKED nor already
 * LINKED it is appended to its queue: the old tail's LINK field is set to
 * it, or, when the queue was empty (or the guest consumed the tail
 * meanwhile), it becomes the queue's head and the queue's ready bit is set,
 * which raises the upcall. The guest walks the queue, clearing LINKED.
 *
 * The guest changes the same words concurrently: every update is a
 * compare-and-swap, as in Xen.
 */
#include <stdlib.h>
#include <string.h>

#include <xen/errno.h>

#include "hv.h"

#define WORDS_PER_PAGE  1024u
#define MAX_ARRAY_PAGES (EVTCHN_FIFO_NR_CHANNELS / WORDS_PER_PAGE)
#define BIT(n)          (1u << (n))

uint32_t evtchn_fifo_max_ports(struct domain *d)
{
    return d->fifo_array_pages * WORDS_PER_PAGE;
}

static volatile uint32_t *event_word(struct domain *d, uint32_t port)
{
    uint32_t *page;

    if (port >= evtchn_fifo_max_ports(d))
        return NULL;
    page = domain_frame(d, d->fifo_array_mfns[port / WORDS_PER_PAGE]);
    return page ? &page[port % WORDS_PER_PAGE] : NULL;
}

static struct evtchn_fifo_control_block *control_block(struct domain *d, uint32_t vcpu)
{
    uint8_t *page = d->fifo_vcpu[vcpu].control_mfn == HV_NO_MFN
                        ? NULL
                        : domain_frame(d, d->fifo_vcpu[vcpu].control_mfn);

    return page ? (struct evtchn_fifo_control_block *)(page + d->fifo_vcpu[vcpu].control_offset)
                : NULL;
}

bool evtchn_fifo_any_ready(struct domain *d, uint32_t vcpu)
{
    struct evtchn_fifo_control_block *cb =
        vcpu < HV_MAX_VCPUS && d->fifo_array_mfns ? control_block(d, vcpu) : NULL;

    return cb && __atomic_load_n(&cb->ready, __ATOMIC_SEQ_CST) != 0;
}

/* Point the tail's LINK at @port, if the tail is still linked. */
static bool set_link(volatile uint32_t *tail_word, uint32_t port)
{
    uint32_t old = __atomic_load_n(tail_word, __ATOMIC_SEQ_CST);

    for (;;) {
        uint32_t new_word;

        if (!(old & BIT(EVTCHN_FIFO_LINKED)))
            return false;
        new_word = (old & ~(BIT(EVTCHN_FIFO_BUSY) | EVTCHN_FIFO_LINK_MASK)) | port;
        if (__atomic_compare_exchange_n(tail_word, &old, new_word, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return true;
    }
}

/* Append a pending, unmasked port to its queue. Returns true to raise the upcall. */
static bool link_port(struct domain *d, uint32_t port, volatile uint32_t *word)
{
    struct evtchn *chn = &d->ports[port];
    struct fifo_vcpu *q = &d->fifo_vcpu[chn->vcpu];
    struct evtchn_fifo_control_block *cb = control_block(d, chn->vcpu);
    uint32_t priority = chn->priority;
    volatile uint32_t *tail_word;
    bool linked = false;

    if (cb == NULL)
        return false;
    if (__atomic_fetch_or(word, BIT(EVTCHN_FIFO_LINKED), __ATOMIC_SEQ_CST) &
        BIT(EVTCHN_FIFO_LINKED))
        return false;
    /*
     * The port last sat on another queue (its priority or vCPU changed): it
     * is no longer that queue's tail, or the next port of that queue would
     * be linked behind it, into this one.
     */
    if ((chn->fifo_last_vcpu != chn->vcpu || chn->fifo_last_priority != priority) &&
        d->fifo_vcpu[chn->fifo_last_vcpu].tail[chn->fifo_last_priority] == port)
        d->fifo_vcpu[chn->fifo_last_vcpu].tail[chn->fifo_last_priority] = 0;
    /* Clear any stale link of our own before becoming the tail. */
    __atomic_fetch_and(word, ~(uint32_t)EVTCHN_FIFO_LINK_MASK, __ATOMIC_SEQ_CST);
    tail_word = q->tail[priority] ? event_word(d, q->tail[priority]) : NULL;
    if (tail_word && q->tail[priority] != port)
        linked = set_link(tail_word, port);
    if (!linked)
        __atomic_store_n(&cb->head[priority], port, __ATOMIC_SEQ_CST);
    q->tail[priority] = port;
    chn->fifo_last_vcpu = chn->vcpu;
    chn->fifo_last_priority = (uint8_t)priority;
    return !linked &&
           !(__atomic_fetch_or(&cb->ready, BIT(priority), __ATOMIC_SEQ_CST) & BIT(priority));
}

bool evtchn_fifo_set_pending(struct domain *d, uint32_t port)
{
    volatile uint32_t *word = event_word(d, port);
    uint32_t w;

    if (word == NULL)
        return false;
    w = __atomic_fetch_or(word, BIT(EVTCHN_FIFO_PENDING), __ATOMIC_SEQ_CST);
    if (w & (BIT(EVTCHN_FIFO_MASKED) | BIT(EVTCHN_FIFO_LINKED)))
        return false;
    return link_port(d, port, word);
}

bool evtchn_fifo_is_pending(struct domain *d, uint32_t port)
{
    volatile uint32_t *word = event_word(d, port);

    return word && (__atomic_load_n(word, __ATOMIC_SEQ_CST) & BIT(EVTCHN_FIFO_PENDING));
}

bool evtchn_fifo_is_masked(struct domain *d, uint32_t port)
{
    volatile uint32_t *word = event_word(d, port);

    return !word || (__atomic_load_n(word, __ATOMIC_SEQ_CST) & BIT(EVTCHN_FIFO_MASKED));
}

/* The guest cleared MASKED itself; a port still pending is queued now. */
bool evtchn_fifo_unmask(struct domain *d, uint32_t port)
{
    volatile uint32_t *word = event_word(d, port);
    uint32_t w;

    if (word == NULL)
        return false;
    w = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    if (!(w & BIT(EVTCHN_FIFO_PENDING)) ||
        (w & (BIT(EVTCHN_FIFO_MASKED) | BIT(EVTCHN_FIFO_LINKED))))
        return false;
    return link_port(d, port, word);
}

int evtchn_fifo_init_control(struct domain *d, uint64_t gfn, uint32_t offset, uint32_t vcpu)
{
    uint64_t mfn = domain_p2m(d, gfn);

    if (vcpu >= d->vcpus)
        return -XEN_ENOENT;
    if (offset > 4096 - sizeof(struct evtchn_fifo_control_block) || (offset & 7))
        return -XEN_EINVAL;
    if (mfn == HV_NO_MFN)
        return -XEN_EINVAL;
    if (d->fifo_vcpu[vcpu].control_mfn != HV_NO_MFN)
        return -XEN_EINVAL; /* already initialised */
    if (d->fifo_array_mfns == NULL) {
        d->fifo_array_mfns = calloc(MAX_ARRAY_PAGES, sizeof(*d->fifo_array_mfns));
        if (d->fifo_array_mfns == NULL)
            return -XEN_ENOMEM;
    }
    memset(&d->fifo_vcpu[vcpu], 0, sizeof(d->fifo_vcpu[vcpu]));
    d->fifo_vcpu[vcpu].control_mfn = mfn;
    d->fifo_vcpu[vcpu].control_offset = offset;
    memset(control_block(d, vcpu), 0, sizeof(struct evtchn_fifo_control_block));
    d->fifo = true;
    return 0;
}

int evtchn_fifo_expand_array(struct domain *d, uint64_t gfn)
{
    uint64_t mfn = domain_p2m(d, gfn);
    uint32_t first;

    if (!d->fifo)
        return -XEN_EINVAL;
    if (mfn == HV_NO_MFN)
        return -XEN_EINVAL;
    if (d->fifo_array_pages >= MAX_ARRAY_PAGES)
        return -XEN_EINVAL;
    if (evtchn_fifo_max_ports(d) + WORDS_PER_PAGE > d->nr_ports) {
        struct evtchn *more = realloc(d->ports, (d->nr_ports + WORDS_PER_PAGE) * sizeof(*more));

        if (more == NULL)
            return -XEN_ENOMEM;
        memset(more + d->nr_ports, 0, WORDS_PER_PAGE * sizeof(*more));
        d->ports = more;
        d->nr_ports += WORDS_PER_PAGE;
    }
    first = evtchn_fifo_max_ports(d);
    /* The guest prepared the page (Linux masks every word); it is used as is. */
    d->fifo_array_mfns[d->fifo_array_pages++] = mfn;
    /* Ports signalled under the 2-level ABI stay signalled, as in Xen. */
    for (uint32_t port = first; port < first + WORDS_PER_PAGE; port++)
        if (d->ports[port].state != EVTCHNSTAT_closed && evtchn_2l_is_pending(d, port) &&
            evtchn_fifo_set_pending(d, port))
            upcall_raise(d, d->ports[port].vcpu);
    return 0;
}

int evtchn_fifo_set_priority(struct domain *d, uint32_t port, uint32_t priority)
{
    struct evtchn *chn = evtchn_port(d, port);

    if (chn == NULL || !d->fifo)
        return -XEN_EINVAL;
    if (priority > EVTCHN_FIFO_PRIORITY_MIN)
        return -XEN_EINVAL;
    chn->priority = (uint8_t)priority;
    return 0;
}

uint32_t evtchn_fifo_guest_pages(struct domain *d)
{
    uint32_t pages = d->fifo ? d->fifo_array_pages : 0;

    for (uint32_t v = 0; v < HV_MAX_VCPUS; v++)
        pages += d->fifo_vcpu[v].control_mfn != HV_NO_MFN;
    return pages;
}
