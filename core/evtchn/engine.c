/* core/evtchn/engine.c - the engine's life: create, destroy, suspend, resume, statistics. */
#include <string.h>

#include "evtchn/gate.h"
#include "evtchn/evtchn_impl.h"

/* What an older or restricted Xen answers to EVTCHNOP_init_control. */
static bool fifo_refused(int rc)
{
    return rc == -XEN_ENOSYS || rc == -XEN_EOPNOTSUPP || rc == -XEN_EPERM;
}

/* Set the ABI up for a new or restored domain: FIFO if @try_fifo and Xen takes it, else 2-level. */
static int choose_abi(struct evtchn_engine *e, bool try_fifo)
{
    if (try_fifo) {
        int rc;

        e->abi = &evtchn_abi_fifo;
        rc = e->abi->setup(e);
        if (rc == 0 || !fifo_refused(rc))
            return rc;
        e->abi->release(e);
        os_log(OS_LOG_INFO, "evtchn: no FIFO ABI here (%d): using 2-level\n", rc);
    }
    e->abi = &evtchn_abi_2l;
    return e->abi->setup(e);
}

/* Close every channel, kick ports included, and give the ABI's pages back. e->mutex held. */
static void teardown(struct evtchn_engine *e)
{
    unsigned int left = 0;

    evtchn_quiesce(e);
    while (e->channels) {
        left += e->channels->fn != NULL;
        evtchn_close_locked(e, e->channels);
    }
    if (left)
        os_log(OS_LOG_WARN, "evtchn: destroyed with %u channels open: closed them\n", left);
    if (e->abi)
        e->abi->release(e);
}

static void free_engine(struct evtchn_engine *e)
{
    evtchn_table_free(e);
    os_free(e->vcpus);
    os_free(e);
}

/*
 * Serve upcalls (again), first taking over what Xen marked as raised but no
 * pass served: Xen raises an upcall only when the vCPU has none pending, so
 * one left unserved (ignored while suspended, or raised for a previous
 * engine when XENBUS was stopped) would hold back every later one. With
 * @kick, each vCPU then looks at once at what came meanwhile (a vCPU whose
 * pass still runs kicks itself when it ends: it finds the request its gate
 * recorded).
 */
static void accept_upcalls(struct evtchn_engine *e, bool kick)
{
    uint32_t was;

    os_atomic_store32(&e->accepting, 1);
    for (unsigned int v = 0; v < e->nr_vcpus; v++) {
        if (!gate_enter(&e->vcpus[v].gate))
            continue;
        e->abi->rearm(e, v);
        while (!gate_try_leave(&e->vcpus[v].gate, &was))
            ;
        if (kick)
            evtchn_kick(e, v);
    }
}

int evtchn_create(struct hv_shared_info *shared, unsigned int vcpus, struct evtchn_engine **out)
{
    struct evtchn_engine *e;
    int rc;

    if (vcpus == 0 || vcpus > XEN_LEGACY_MAX_VCPUS)
        return -XEN_EINVAL;
    e = os_alloc(sizeof(*e));
    if (e == NULL)
        return -XEN_ENOMEM;
    e->vcpus = os_alloc(vcpus * sizeof(*e->vcpus));
    if (e->vcpus == NULL) {
        os_free(e);
        return -XEN_ENOMEM;
    }
    e->shared = shared;
    e->nr_vcpus = vcpus;
    os_mutex_init(&e->mutex);
    os_spin_init(&e->lock);
    os_event_init(&e->quiet);
    os_mutex_lock(&e->mutex);
    rc = choose_abi(e, true);
    for (unsigned int v = 0; rc == 0 && v < vcpus; v++) {
        struct evtchn_bind kick = {.kind = EVTCHN_IPI, .vcpu = v};

        rc = evtchn_open_locked(e, &kick, NULL, NULL, EVTCHN_KICK_PRIORITY, &e->vcpus[v].kick);
    }
    /* No kick: the upcall may not be connected yet, and a kick lost there would be one unserved. */
    if (rc)
        teardown(e);
    else
        accept_upcalls(e, false);
    os_mutex_unlock(&e->mutex);
    if (rc) {
        free_engine(e);
        return rc;
    }
    os_log(OS_LOG_INFO, "evtchn: %s ABI, %u vCPUs\n",
           e->abi->kind == EVTCHN_ABI_FIFO ? "FIFO" : "2-level", vcpus);
    *out = e;
    return 0;
}

void evtchn_destroy(struct evtchn_engine *e)
{
    os_mutex_lock(&e->mutex);
    teardown(e);
    os_mutex_unlock(&e->mutex);
    free_engine(e);
}

enum evtchn_abi_kind evtchn_abi(const struct evtchn_engine *e)
{
    return e->abi->kind;
}

void evtchn_get_stats(const struct evtchn_engine *e, struct evtchn_stats *out)
{
    memset(out, 0, sizeof(*out));
    for (unsigned int v = 0; v < e->nr_vcpus; v++) {
        out->upcalls += __atomic_load_n(&e->vcpus[v].upcalls, __ATOMIC_RELAXED);
        out->spurious += __atomic_load_n(&e->vcpus[v].spurious, __ATOMIC_RELAXED);
        out->deferred += __atomic_load_n(&e->vcpus[v].deferred, __ATOMIC_RELAXED);
    }
    out->stray = __atomic_load_n(&e->stray, __ATOMIC_RELAXED);
    out->replays = __atomic_load_n(&e->replays, __ATOMIC_RELAXED);
}

void evtchn_suspend(struct evtchn_engine *e)
{
    os_atomic_store32(&e->accepting, 0);
}

void evtchn_suspend_cancelled(struct evtchn_engine *e)
{
    accept_upcalls(e, true);
}

/* The ports the channels had are the old domain's: forget them, closing nothing. */
static void forget_ports(struct evtchn_engine *e)
{
    os_irql_t irql;

    for (struct evtchn_channel *ch = e->channels; ch; ch = ch->next) {
        irql = os_spin_lock(&ch->mask_lock);
        os_atomic_store32(&ch->port, 0);
        os_spin_unlock(&ch->mask_lock, irql);
    }
    irql = os_spin_lock(&e->lock);
    evtchn_table_clear_all(e);
    os_spin_unlock(&e->lock, irql);
}

int evtchn_resume(struct evtchn_engine *e)
{
    int rc, failed = 0;

    os_mutex_lock(&e->mutex);
    evtchn_quiesce(e);
    forget_ports(e);
    rc = choose_abi(e, e->abi->kind == EVTCHN_ABI_FIFO);
    if (rc)
        os_log(OS_LOG_ERROR, "evtchn: resume: the ABI could not be set up: %d\n", rc);
    for (struct evtchn_channel *ch = e->channels; rc == 0 && ch; ch = ch->next) {
        int bound;

        if (ch->how.kind != EVTCHN_VIRQ && ch->how.kind != EVTCHN_IPI)
            continue;
        bound = evtchn_connect(e, ch, false);
        if (bound) {
            os_log(OS_LOG_ERROR, "evtchn: resume: %s on vCPU %u not bound again: %d\n",
                   ch->how.kind == EVTCHN_VIRQ ? "VIRQ" : "IPI", ch->how.vcpu, bound);
            failed = failed ? failed : bound;
        }
    }
    if (rc == 0)
        accept_upcalls(e, true);
    os_mutex_unlock(&e->mutex);
    return rc ? rc : failed;
}
