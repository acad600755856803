/*
 * core/evtchn/abi_2l.c - the 2-level ABI: one pending and one mask bit per
 * port in shared_info (64 words of 64), and per vCPU a selector of the
 * words Xen flagged for it plus the upcall-pending byte.
 *
 * Xen flags a word in a vCPU's selector when a port of that word becomes
 * pending and unmasked, and raises the upcall when evtchn_upcall_pending
 * goes from 0 to 1. A pass clears evtchn_upcall_pending first, then takes
 * the selector, so an event during the pass raises another upcall. The
 * pending bits are shared by all vCPUs: a vCPU delivers only the ports
 * bound to it (e->bound), the others' are flagged in their own selectors.
 *
 * Fairness: the scan starts where the previous one stopped (next_port) and
 * goes once round, so a port signalled again during the pass waits for the
 * next one. Out of budget, the words not yet scanned stay in v->sel.
 */
#include "evtchn/evtchn_impl.h"

#define WORD_BITS 64u

static uint64_t *bound_words(struct evtchn_engine *e, uint32_t vcpu)
{
    return e->bound + (size_t)vcpu * EVTCHN_2L_WORDS;
}

static uint64_t bit_of(uint32_t port)
{
    return 1ull << (port % WORD_BITS);
}

static int l2_setup(struct evtchn_engine *e)
{
    struct shared_info *s = hv_shared_info_page(e->shared);

    if (e->bound == NULL) {
        e->bound = os_alloc((size_t)e->nr_vcpus * EVTCHN_2L_WORDS * sizeof(*e->bound));
        if (e->bound == NULL)
            return -XEN_ENOMEM;
    }
    for (uint32_t i = 0; i < e->nr_vcpus * EVTCHN_2L_WORDS; i++)
        __atomic_store_n(&e->bound[i], 0, __ATOMIC_RELAXED);
    /* Every port masked until a channel takes it. */
    for (uint32_t w = 0; w < EVTCHN_2L_WORDS; w++)
        __atomic_store_n(&s->evtchn_mask[w], ~0ull, __ATOMIC_SEQ_CST);
    for (uint32_t v = 0; v < e->nr_vcpus; v++) {
        e->vcpus[v].sel = 0;
        e->vcpus[v].next_port = 0;
    }
    return 0;
}

static void l2_release(struct evtchn_engine *e)
{
    os_free(e->bound);
    e->bound = NULL;
}

static int l2_grow(struct evtchn_engine *e)
{
    return -XEN_ENOSPC;
}

static uint32_t l2_covered(const struct evtchn_engine *e)
{
    return EVTCHN_2L_NR_CHANNELS;
}

static void l2_bind(struct evtchn_engine *e, uint32_t port, uint32_t vcpu)
{
    __atomic_fetch_or(&bound_words(e, vcpu)[port / WORD_BITS], bit_of(port), __ATOMIC_SEQ_CST);
}

static void l2_unbind(struct evtchn_engine *e, uint32_t port, uint32_t vcpu)
{
    __atomic_fetch_and(&bound_words(e, vcpu)[port / WORD_BITS], ~bit_of(port), __ATOMIC_SEQ_CST);
}

static void l2_mask(struct evtchn_engine *e, uint32_t port)
{
    struct shared_info *s = hv_shared_info_page(e->shared);

    if (port < EVTCHN_2L_NR_CHANNELS)
        __atomic_fetch_or(&s->evtchn_mask[port / WORD_BITS], bit_of(port), __ATOMIC_SEQ_CST);
}

/*
 * Always through Xen: it clears the bit and, if the port is pending, flags
 * it for its vCPU and raises the upcall. Clearing the bit here could lose an
 * event that became pending while masked (Xen flags only what it unmasks).
 */
static int l2_unmask(struct evtchn_engine *e, uint32_t port)
{
    struct evtchn_unmask arg = {.port = port};

    return port < EVTCHN_2L_NR_CHANNELS ? hv_evtchn_op(EVTCHNOP_unmask, &arg) : -XEN_EINVAL;
}

static void l2_set_pending(struct evtchn_engine *e, uint32_t port)
{
    struct shared_info *s = hv_shared_info_page(e->shared);

    if (port < EVTCHN_2L_NR_CHANNELS)
        __atomic_fetch_or(&s->evtchn_pending[port / WORD_BITS], bit_of(port), __ATOMIC_SEQ_CST);
}

static void l2_clear_pending(struct evtchn_engine *e, uint32_t port)
{
    struct shared_info *s = hv_shared_info_page(e->shared);

    if (port < EVTCHN_2L_NR_CHANNELS)
        __atomic_fetch_and(&s->evtchn_pending[port / WORD_BITS], ~bit_of(port), __ATOMIC_SEQ_CST);
}

/*
 * Deliver the pending, unmasked ports of @vcpu in word @w selected by
 * @window; false when the budget ran out (v->next_port is the port left).
 */
static bool scan_word(struct evtchn_engine *e, struct shared_info *s, unsigned int vcpu, uint32_t w,
                      uint64_t window, struct evtchn_pass *pass)
{
    uint64_t ready = __atomic_load_n(&s->evtchn_pending[w], __ATOMIC_SEQ_CST) &
                     ~__atomic_load_n(&s->evtchn_mask[w], __ATOMIC_SEQ_CST) &
                     __atomic_load_n(&bound_words(e, vcpu)[w], __ATOMIC_SEQ_CST) & window;

    while (ready) {
        uint32_t port = w * WORD_BITS + (uint32_t)__builtin_ctzll(ready);
        uint64_t bit = bit_of(port);

        if (pass->budget == 0) {
            e->vcpus[vcpu].next_port = port;
            return false;
        }
        ready &= ready - 1;
        /* Taken before the callback: an event during it sets the bit again. */
        if (__atomic_fetch_and(&s->evtchn_pending[w], ~bit, __ATOMIC_SEQ_CST) & bit) {
            pass->budget--;
            evtchn_deliver(e, pass, port, vcpu);
        }
        e->vcpus[vcpu].next_port = (port + 1) % EVTCHN_2L_NR_CHANNELS;
    }
    return true;
}

static bool l2_pass(struct evtchn_engine *e, unsigned int vcpu, struct evtchn_pass *pass)
{
    struct shared_info *s = hv_shared_info_page(e->shared);
    struct vcpu_info *vi = &s->vcpu_info[vcpu];
    struct evtchn_vcpu *v = &e->vcpus[vcpu];
    uint32_t start = v->next_port, first = start / WORD_BITS, skip = start % WORD_BITS;
    uint32_t kick = os_atomic_load32(&v->kick->port);
    uint64_t sel;

    __atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    sel = v->sel | __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    /*
     * The kick port is never delivered, only cleared here: a kick at the end
     * of this pass then sets its bit from 0 and Xen raises the upcall (a kick
     * still pending, further on in a scan that ran out of budget, would not).
     */
    if (kick)
        l2_clear_pending(e, kick);
    /* Once round from start: the first word's upper bits, the others, its lower bits last. */
    for (uint32_t i = 0; i <= EVTCHN_2L_WORDS && sel; i++) {
        uint32_t w = (first + i) % EVTCHN_2L_WORDS;
        uint64_t window = i == 0 ? ~0ull << skip : i == EVTCHN_2L_WORDS ? ~(~0ull << skip) : ~0ull;

        if (!(sel & (1ull << w)))
            continue;
        if (!scan_word(e, s, vcpu, w, window, pass)) {
            v->sel = sel;
            return true;
        }
        if (i != 0 || skip == 0)
            sel &= ~(1ull << w);
    }
    v->sel = 0;
    return false;
}

static void l2_rearm(struct evtchn_engine *e, unsigned int vcpu)
{
    struct shared_info *s = hv_shared_info_page(e->shared);
    struct vcpu_info *vi = &s->vcpu_info[vcpu];
    struct evtchn_vcpu *v = &e->vcpus[vcpu];
    uint32_t kick = os_atomic_load32(&v->kick->port);

    __atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    v->sel |= __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    if (kick)
        l2_clear_pending(e, kick);
}

const struct evtchn_abi evtchn_abi_2l = {
    .kind = EVTCHN_ABI_2L,
    .max_ports = EVTCHN_2L_NR_CHANNELS,
    .setup = l2_setup,
    .release = l2_release,
    .grow = l2_grow,
    .covered = l2_covered,
    .bind = l2_bind,
    .unbind = l2_unbind,
    .mask = l2_mask,
    .unmask = l2_unmask,
    .set_pending = l2_set_pending,
    .clear_pending = l2_clear_pending,
    .pass = l2_pass,
    .rearm = l2_rearm,
};
