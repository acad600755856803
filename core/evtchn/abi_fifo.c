/*
 * core/evtchn/abi_fifo.c - the FIFO ABI: an event word per port in pages
 * given to Xen with EVTCHNOP_expand_array, and per vCPU a control block
 * (EVTCHNOP_init_control) with a ready bit and a head for each of 16
 * priority queues.
 *
 * Xen appends a pending, unmasked, unlinked port to its queue (the old
 * tail's LINK, or the control block's head and ready bit when the queue was
 * empty, which raises the upcall). The guest keeps its own head of each
 * queue: it reads the control block's head only when its own is 0 (it
 * reached the tail), takes the head's word out of the queue by clearing
 * LINKED and the link at once (compare-and-swap: Xen links behind it
 * concurrently), then clears PENDING and delivers unless MASKED. Queues are
 * served most urgent first, a port signalled again joins the back of its
 * queue, and out of budget the heads and ready bits not yet done stay in
 * the vCPU's state for the next pass.
 *
 * Masking sets MASKED. Unmasking clears it, but only while Xen does not hold
 * the word (BUSY), and asks Xen (EVTCHNOP_unmask) to queue the port if it
 * became pending meanwhile.
 */
#include "evtchn/evtchn_impl.h"

#define BIT(n) (1u << (n))

/* The ready bits that name a queue; Xen's control block may hold any others. */
#define READY_QUEUES (BIT(EVTCHN_FIFO_MAX_QUEUES) - 1u)

static uint32_t fifo_covered(const struct evtchn_engine *e)
{
    return os_atomic_load32(&e->array_shown) * (uint32_t)EVTCHN_FIFO_WORDS;
}

/* The word of a port the arrays cover, else NULL. */
static volatile event_word_t *word_of(const struct evtchn_engine *e, uint32_t port)
{
    if (port >= fifo_covered(e))
        return NULL;
    return &e->array[port / EVTCHN_FIFO_WORDS][port % EVTCHN_FIFO_WORDS];
}

/* A page of words as a new domain's ports need them: all masked, none queued. */
static void init_array_page(event_word_t *words)
{
    for (uint32_t i = 0; i < EVTCHN_FIFO_WORDS; i++)
        os_write_once32(&words[i], BIT(EVTCHN_FIFO_MASKED));
}

static int fifo_grow(struct evtchn_engine *e)
{
    uint32_t idx = e->array_shown;
    struct evtchn_expand_array arg;
    int rc;

    if (idx == EVTCHN_FIFO_PAGES)
        return -XEN_ENOSPC;
    /* After a resume the pages allocated before are given again first. */
    if (idx == e->array_pages) {
        e->array[idx] = os_pages_alloc(1, &e->array_gfn[idx]);
        if (e->array[idx] == NULL)
            return -XEN_ENOMEM;
        e->array_pages++;
    }
    init_array_page(e->array[idx]);
    arg.array_gfn = e->array_gfn[idx];
    rc = hv_evtchn_op(EVTCHNOP_expand_array, &arg);
    if (rc) {
        os_log(OS_LOG_ERROR, "evtchn: FIFO event array page %u refused: %d\n", idx, rc);
        return rc;
    }
    /* Release: the page's address is there before a pass may look at its ports. */
    os_atomic_store32(&e->array_shown, idx + 1);
    return 0;
}

static int init_control(uint64_t gfn, uint32_t vcpu)
{
    struct evtchn_init_control arg = {.control_gfn = gfn, .offset = 0, .vcpu = vcpu};

    return hv_evtchn_op(EVTCHNOP_init_control, &arg);
}

/*
 * A new (or restored) domain: fresh control blocks for every vCPU, no
 * array page given yet, then the first. Returns vCPU 0's error as is (the
 * caller decides whether that means "no FIFO here"); a later vCPU's is
 * -XEN_EIO, since the domain is then in FIFO mode already.
 */
static int fifo_setup(struct evtchn_engine *e)
{
    if (e->control_pages == NULL) {
        e->control_gfns = os_alloc(e->nr_vcpus * sizeof(*e->control_gfns));
        e->control_pages = e->control_gfns ? os_pages_alloc(e->nr_vcpus, e->control_gfns) : NULL;
        if (e->control_pages == NULL)
            return -XEN_ENOMEM;
    }
    e->array_shown = 0;
    e->fifo_live = false; /* a restored domain holds none of our pages */
    for (uint32_t v = 0; v < e->nr_vcpus; v++) {
        struct evtchn_vcpu *vc = &e->vcpus[v];
        int rc;

        vc->control = (struct evtchn_fifo_control_block *)((uint8_t *)e->control_pages +
                                                           (size_t)v * OS_PAGE_SIZE);
        for (uint32_t i = 0; i < OS_PAGE_SIZE / sizeof(uint32_t); i++)
            os_write_once32((uint32_t *)vc->control + i, 0);
        for (uint32_t q = 0; q < EVTCHN_FIFO_MAX_QUEUES; q++)
            vc->head[q] = 0;
        vc->ready = 0;
        rc = init_control(e->control_gfns[v], v);
        if (rc) {
            os_log(OS_LOG_INFO, "evtchn: FIFO control block of vCPU %u refused: %d\n", v, rc);
            return v == 0 ? rc : -XEN_EIO;
        }
        e->fifo_live = true;
    }
    return fifo_grow(e);
}

static void fifo_release(struct evtchn_engine *e)
{
    if (e->fifo_live) {
        struct evtchn_toolstack_port kept[EVTCHN_TOOLSTACK_PORTS];
        struct evtchn_reset arg = {.dom = DOMID_SELF};
        int rc;

        evtchn_toolstack_ports_record(kept);
        rc = hv_evtchn_op(EVTCHNOP_reset, &arg);
        if (rc == 0) {
            evtchn_toolstack_ports_rebind(kept); /* the reset closed them too */
        } else {
            /* Xen may still write there: better lost than handed out again. */
            os_log(OS_LOG_ERROR, "evtchn: EVTCHNOP_reset failed (%d): FIFO pages leaked\n", rc);
            e->array_pages = 0;
            e->control_pages = NULL;
        }
        e->fifo_live = false;
    }
    for (uint32_t i = 0; i < e->array_pages; i++)
        os_pages_free(e->array[i], 1);
    e->array_pages = 0;
    e->array_shown = 0;
    if (e->control_pages)
        os_pages_free(e->control_pages, e->nr_vcpus);
    os_free(e->control_gfns);
    e->control_pages = NULL;
    e->control_gfns = NULL;
}

static void fifo_bind(struct evtchn_engine *e, uint32_t port, uint32_t vcpu)
{
    /* Xen knows; a port's queue is its vCPU's. */
}

/* Set or clear @bit in a covered port's word. */
static void change_bit(struct evtchn_engine *e, uint32_t port, uint32_t bit, bool set)
{
    volatile event_word_t *word = word_of(e, port);

    if (word && set)
        __atomic_fetch_or(word, BIT(bit), __ATOMIC_SEQ_CST);
    else if (word)
        __atomic_fetch_and(word, ~BIT(bit), __ATOMIC_SEQ_CST);
}

static void fifo_mask(struct evtchn_engine *e, uint32_t port)
{
    change_bit(e, port, EVTCHN_FIFO_MASKED, true);
}

static int fifo_unmask(struct evtchn_engine *e, uint32_t port)
{
    volatile event_word_t *word = word_of(e, port);
    struct evtchn_unmask arg = {.port = port};

    if (word == NULL)
        return -XEN_EINVAL;
    for (;;) {
        uint32_t w = os_atomic_load32(word) & ~BIT(EVTCHN_FIFO_BUSY);

        if (!(w & BIT(EVTCHN_FIFO_MASKED)) ||
            os_atomic_cas32(word, w, w & ~BIT(EVTCHN_FIFO_MASKED)))
            break;
    }
    return (os_atomic_load32(word) & BIT(EVTCHN_FIFO_PENDING)) ? hv_evtchn_op(EVTCHNOP_unmask, &arg)
                                                               : 0;
}

static void fifo_set_pending(struct evtchn_engine *e, uint32_t port)
{
    change_bit(e, port, EVTCHN_FIFO_PENDING, true);
}

static void fifo_clear_pending(struct evtchn_engine *e, uint32_t port)
{
    change_bit(e, port, EVTCHN_FIFO_PENDING, false);
}

/* Take the head of queue @q out of it; returns the port, 0 when the queue is empty. */
static uint32_t take_head(struct evtchn_engine *e, struct evtchn_vcpu *v, uint32_t q)
{
    uint32_t port = v->head[q], next;
    volatile event_word_t *word;
    uint32_t w;

    if (port == 0) {
        os_rmb(); /* the head Xen wrote before it set the ready bit */
        port = os_read_once32(&v->control->head[q]);
    }
    word = port ? word_of(e, port) : NULL;
    if (word == NULL) { /* empty, or a head no array covers */
        v->head[q] = 0;
        v->ready &= ~BIT(q);
        return 0;
    }
    do {
        w = os_atomic_load32(word);
    } while (!os_atomic_cas32(word, w, w & ~(BIT(EVTCHN_FIFO_LINKED) | EVTCHN_FIFO_LINK_MASK)));
    next = w & EVTCHN_FIFO_LINK_MASK;
    if (next == 0)
        v->ready &= ~BIT(q);
    v->head[q] = next;
    return port;
}

/*
 * Take the ready bits Xen set since the last look into the vCPU's own; only
 * those of real queues (a bit past them would index no queue's head).
 */
static void take_ready(struct evtchn_vcpu *v)
{
    v->ready |= os_atomic_xchg32(&v->control->ready, 0) & READY_QUEUES;
}

static bool fifo_pass(struct evtchn_engine *e, unsigned int vcpu, struct evtchn_pass *pass)
{
    struct shared_info *s = hv_shared_info_page(e->shared);
    struct evtchn_vcpu *v = &e->vcpus[vcpu];

    /* Xen sets it for FIFO events too; left set, an HVM vCPU would be interrupted again. */
    __atomic_store_n(&s->vcpu_info[vcpu].evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    take_ready(v);
    while (v->ready) {
        uint32_t q = (uint32_t)__builtin_ctz(v->ready), port;
        volatile event_word_t *word;

        if (pass->budget == 0)
            return true;
        pass->budget--;
        port = take_head(e, v, q);
        word = port ? word_of(e, port) : NULL;
        if (word && !(os_atomic_load32(word) & BIT(EVTCHN_FIFO_MASKED)) &&
            (__atomic_fetch_and(word, ~BIT(EVTCHN_FIFO_PENDING), __ATOMIC_SEQ_CST) &
             BIT(EVTCHN_FIFO_PENDING)))
            evtchn_deliver(e, pass, port, vcpu);
        take_ready(v);
    }
    return false;
}

/* The kick queue emptied (it holds only the kick port), so the next kick links into an empty queue. */
static void fifo_rearm(struct evtchn_engine *e, unsigned int vcpu)
{
    struct shared_info *s = hv_shared_info_page(e->shared);
    struct evtchn_vcpu *v = &e->vcpus[vcpu];

    __atomic_store_n(&s->vcpu_info[vcpu].evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    take_ready(v);
    for (int i = 0; i < 4 && (v->ready & BIT(EVTCHN_KICK_PRIORITY)); i++) {
        uint32_t port = take_head(e, v, EVTCHN_KICK_PRIORITY);

        if (port)
            fifo_clear_pending(e, port);
    }
}

const struct evtchn_abi evtchn_abi_fifo = {
    .kind = EVTCHN_ABI_FIFO,
    .max_ports = EVTCHN_FIFO_NR_CHANNELS,
    .setup = fifo_setup,
    .release = fifo_release,
    .grow = fifo_grow,
    .covered = fifo_covered,
    .bind = fifo_bind,
    .unbind = fifo_bind,
    .mask = fifo_mask,
    .unmask = fifo_unmask,
    .set_pending = fifo_set_pending,
    .clear_pending = fifo_clear_pending,
    .pass = fifo_pass,
    .rearm = fifo_rearm,
};
