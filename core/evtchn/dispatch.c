/*
 * core/evtchn/dispatch.c - evtchn_upcall: one bounded pass over a vCPU's
 * pending events, each handed to its channel's callback through the
 * channel's gate (never two calls of one callback at once).
 */
#include "evtchn/gate.h"
#include "evtchn/evtchn_impl.h"

void evtchn_kick(struct evtchn_engine *e, unsigned int vcpu)
{
    int rc = evtchn_notify(e->vcpus[vcpu].kick);

    if (rc)
        os_log(OS_LOG_ERROR, "evtchn: kicking vCPU %u failed: %d\n", vcpu, rc);
}

/*
 * An event taken for @ch while its callback ran elsewhere: signal the port
 * again (masked while its pending bit is set, then unmasked unless the owner
 * masked it), so Xen delivers it to the channel's vCPU after this call.
 */
static void hand_back(struct evtchn_engine *e, struct evtchn_channel *ch)
{
    os_irql_t irql = os_spin_lock(&ch->mask_lock);

    if (ch->port) {
        e->abi->mask(e, ch->port);
        e->abi->set_pending(e, ch->port);
        if (!ch->masked)
            e->abi->unmask(e, ch->port);
    }
    os_spin_unlock(&ch->mask_lock, irql);
    os_atomic_add64(&e->replays, 1);
}

void evtchn_deliver(struct evtchn_engine *e, struct evtchn_pass *pass, uint32_t port,
                    unsigned int vcpu)
{
    os_irql_t irql = os_spin_lock(&e->lock);
    struct evtchn_channel *ch = evtchn_table_get(e, port);
    bool entered = ch && gate_enter(&ch->gate);
    uint32_t was;

    os_spin_unlock(&e->lock, irql);
    if (ch == NULL)
        os_atomic_add64(&e->stray, 1);
    if (!entered)
        return; /* none, or its callback runs elsewhere: that call hands the event back */
    if (ch->fn) {
        ch->fn(ch->ctx, vcpu);
        os_atomic_add64(&ch->events, 1);
        pass->delivered++;
    }
    while (!gate_try_leave(&ch->gate, &was))
        if (!(os_atomic_load32(&ch->gate) & GATE_CLOSED))
            hand_back(e, ch);
    /* The last touch of the channel: its closer may free it now. */
    if (was & GATE_CLOSED)
        os_event_set(&ch->idle);
}

/* The engine takes no more upcalls, and the last one under way signals quiet. */
static void leave(struct evtchn_engine *e)
{
    if (os_atomic_sub32(&e->passes, 1) == 0 && !os_atomic_load32(&e->accepting))
        os_event_set(&e->quiet);
}

void evtchn_upcall(struct evtchn_engine *e, unsigned int vcpu)
{
    struct evtchn_pass pass = {.budget = EVTCHN_UPCALL_BUDGET};
    struct evtchn_vcpu *v;
    bool more;
    uint32_t was;

    if (vcpu >= e->nr_vcpus)
        return;
    v = &e->vcpus[vcpu];
    /* Counted before accepting is read: quiesce sees either this call or accepting == 0. */
    os_atomic_add32(&e->passes, 1);
    if (!os_atomic_load32(&e->accepting) || !gate_enter(&v->gate)) {
        leave(e);
        return;
    }
    more = e->abi->pass(e, vcpu, &pass);
    /* A call that came meanwhile found the gate held: its events need a pass too. */
    while (!gate_try_leave(&v->gate, &was))
        more = true;
    os_atomic_add64(&v->upcalls, 1);
    if (pass.delivered == 0)
        os_atomic_add64(&v->spurious, 1);
    if (more) {
        os_atomic_add64(&v->deferred, 1);
        evtchn_kick(e, vcpu);
    }
    leave(e);
}

void evtchn_quiesce(struct evtchn_engine *e)
{
    os_atomic_store32(&e->accepting, 0);
    os_event_clear(&e->quiet);
    /* Looked at again every millisecond, so a signal lost to the clear above costs no more. */
    while (os_atomic_load32(&e->passes) != 0)
        os_event_wait(&e->quiet, 1000 * 1000);
}
