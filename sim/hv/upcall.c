/*
 * sim/hv/upcall.c - raising a guest vCPU's upcall, and vCPUs blocked in
 * SCHEDOP_block or SCHEDOP_poll (their hypercall is answered when an event
 * arrives, the timeout passes, or the domain shuts down); each vCPU's
 * one-shot timer (set_timer_op), which raises VIRQ_TIMER on that vCPU.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xen/errno.h>

#include "hv.h"

uint64_t hv_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void upcall_raise(struct domain *d, uint32_t vcpu)
{
    uint8_t byte = (uint8_t)vcpu;

    /* Non-blocking: a full stream already holds a wake-up for the guest. */
    if (d->upcall_fd >= 0 && write(d->upcall_fd, &byte, 1) < 0 && errno != EAGAIN)
        hv_log("domain %u: upcall lost: %s", d->domid, strerror(errno));
}

static bool upcall_pending(struct domain *d, uint32_t vcpu)
{
    struct shared_info *s = domain_frame(d, d->shared_info_mfn);

    if (d->fifo)
        return evtchn_fifo_any_ready(d, vcpu);
    return s && __atomic_load_n(&s->vcpu_info[vcpu].evtchn_upcall_pending, __ATOMIC_SEQ_CST);
}

static bool may_wake(struct domain *d, struct conn *c)
{
    if (d->shutdown || d->dying)
        return true;
    if (c->poll_count == 0)
        return upcall_pending(d, c->blocked_vcpu);
    for (uint32_t i = 0; i < c->poll_count; i++)
        if (evtchn_is_pending(d, c->poll_ports[i]))
            return true;
    return false;
}

static void wake(struct conn *c)
{
    struct sim_reply reply = {0};

    c->blocked = false;
    reply.body.hypercall.result = 0;
    conn_reply(c, &reply, NULL, 0);
}

void upcall_wake_blocked(struct domain *d)
{
    /* Dom0's handles never block: its many events (backends) cost nothing here. */
    if (d->domid == SIM_DOMID_DOM0)
        return;
    for (struct conn *c = hv.conns; c; c = c->next)
        if (c->blocked && c->domid == d->domid && may_wake(d, c))
            wake(c);
}

bool upcall_block(struct conn *c, uint32_t vcpu, const uint32_t *ports, uint32_t count,
                  uint64_t deadline_ns)
{
    struct domain *d = domain_get(c->domid);

    c->blocked_vcpu = vcpu;
    c->poll_count = count;
    memcpy(c->poll_ports, ports, count * sizeof(*ports));
    c->block_deadline_ns = deadline_ns;
    if (d == NULL || may_wake(d, c) || (deadline_ns && deadline_ns <= hv_now_ns()))
        return false;
    c->blocked = true;
    return true;
}

void upcall_set_timer(struct domain *d, uint32_t vcpu, uint64_t deadline_ns)
{
    d->timer_ns[vcpu] = deadline_ns;
}

/* Raise VIRQ_TIMER for the vCPU timers due; returns the next deadline, or 0. */
static uint64_t expire_vcpu_timers(uint64_t now)
{
    uint64_t next = 0;

    for (uint32_t id = 1; id < HV_MAX_DOMAINS; id++) {
        struct domain *d = &hv.domains[id];

        for (uint32_t v = 0; d->exists && v < d->vcpus; v++) {
            if (d->timer_ns[v] == 0)
                continue;
            if (d->timer_ns[v] > now) {
                next = next == 0 || d->timer_ns[v] < next ? d->timer_ns[v] : next;
                continue;
            }
            d->timer_ns[v] = 0;
            if (d->virq_port[v][VIRQ_TIMER])
                evtchn_set_pending(d, d->virq_port[v][VIRQ_TIMER]);
        }
    }
    return next;
}

int upcall_expire_timeouts(void)
{
    uint64_t now = hv_now_ns(), next = expire_vcpu_timers(now);

    for (struct conn *c = hv.conns; c; c = c->next) {
        if (!c->blocked || c->block_deadline_ns == 0)
            continue;
        if (c->block_deadline_ns <= now)
            wake(c);
        else if (next == 0 || c->block_deadline_ns < next)
            next = c->block_deadline_ns;
    }
    if (next == 0)
        return -1;
    /* Far-off deadlines: wake at least every hour and look again. */
    return (next - now) / 1000000u >= 3600u * 1000u ? 3600 * 1000
                                                    : (int)((next - now) / 1000000u) + 1;
}
