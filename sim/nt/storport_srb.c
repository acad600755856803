/*
 * sim/nt/storport_srb.c - SRBs from the simulated Storport to its
 * miniport.
 *
 * An SRB lives in nonpaged pool (guest memory, as the miniport may hand
 * its buffers to the hypervisor), with a sense buffer and the miniport's
 * SrbExtension, in the form the miniport asked for (storport_srbex.c: a
 * STORAGE_REQUEST_BLOCK or a SCSI_REQUEST_BLOCK), its status read back
 * from that form. It goes through HwBuildIo (DISPATCH_LEVEL, no lock) when
 * the miniport has one, then HwStartIo: at DISPATCH_LEVEL under the StartIo
 * lock for a full-duplex miniport, at DIRQL for a half-duplex one. The
 * miniport gives it back with StorPortNotification(RequestComplete), from
 * any thread; an SRB not given back within its timeout, given back twice,
 * given back still SRB_STATUS_PENDING, given back with fields the
 * miniport may not write so (storport_srb_inconsistent), or never given
 * at all stops the guest.
 *
 * The enumeration of the targets (storport_bus.c) and the disk class
 * (disk_class.c) send them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exports_impl.h"
#include "clock.h"
#include "kernel.h"
#include "disk_class.h"
#include "storport.h"

#define NONPAGED_POOL 0
#define SRB_TAG       0x62725353 /* 'SSrb' */
#define SENSE_LENGTH  18
#define SRB_TIMEOUT_S 10

/* Track @f's SRB as the miniport's until it gives it back. */
static void hand_over(struct adapter *a, struct srb_in_flight *f)
{
    f->completed = false;
    f->sg = NULL;
    pthread_mutex_lock(&a->srbs_lock);
    f->next = a->in_flight;
    a->in_flight = f;
    pthread_mutex_unlock(&a->srbs_lock);
}

void storport_request_complete(struct adapter *a, void *srb, uint64_t caller)
{
    struct srb_in_flight *f;
    uint8_t cdb0 = 0;
    bool pending = false, inconsistent = false;
    char why[160];

    /* Looked at under the lock only: once given back, the SRB is freed and its memory reused. */
    pthread_mutex_lock(&a->srbs_lock);
    for (f = a->in_flight; f && (f->srb != srb || f->completed); f = f->next)
        ;
    if (f) {
        pending = ((const SCSI_REQUEST_BLOCK *)srb)->SrbStatus == SRB_STATUS_PENDING;
        cdb0 = f->spec->cdb[0];
        inconsistent =
            !pending && storport_srb_inconsistent(srb, f->extended, f->spec, why, sizeof(why));
        f->completed = !pending;
        pthread_cond_broadcast(&a->srb_completed);
    }
    pthread_mutex_unlock(&a->srbs_lock);
    if (f == NULL)
        nt_verifier_fail(NT_VERIFY_IRP_COMPLETED_TWICE, caller,
                         "RequestComplete of SRB %p, which the miniport does not hold (never "
                         "given, or given back already)",
                         (void *)srb);
    if (pending)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "RequestComplete of SRB %p (CDB %#x) with SRB_STATUS_PENDING", (void *)srb,
                         cdb0);
    if (inconsistent)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "RequestComplete of SRB %p (CDB %#x): %s",
                         (void *)srb, cdb0, why);
}

/* One element per page piece of the request's buffer, each at its physical address. */
static STOR_SCATTER_GATHER_LIST *build_sg(const struct srb_spec *spec)
{
    const uint8_t *va = spec->data;
    uint32_t left = spec->length;
    uint32_t pieces = left ? (uint32_t)(((uintptr_t)va & 4095) + left + 4095) / 4096 : 0;
    STOR_SCATTER_GATHER_LIST *list =
        calloc(1, sizeof(*list) + pieces * sizeof(STOR_SCATTER_GATHER_ELEMENT));

    if (list == NULL)
        return NULL;
    while (left > 0) {
        uint32_t n = 4096 - (uint32_t)((uintptr_t)va & 4095);
        STOR_SCATTER_GATHER_ELEMENT *e = &list->List[list->NumberOfElements++];

        n = n < left ? n : left;
        e->PhysicalAddress.QuadPart = (int64_t)nt_physical_address(va);
        e->Length = n;
        va += n;
        left -= n;
    }
    return list;
}

static NT_EXPORT STOR_SCATTER_GATHER_LIST *StorPortGetScatterGatherList(void *hw_extension,
                                                                        void *srb)
{
    uint64_t caller = NT_CALLER;
    struct adapter *a = storport_adapter_of(hw_extension, caller, __func__);
    struct srb_in_flight *f;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    pthread_mutex_lock(&a->srbs_lock);
    for (f = a->in_flight; f && (f->srb != srb || f->completed); f = f->next)
        ;
    if (f && f->sg == NULL)
        f->sg = build_sg(f->spec);
    pthread_mutex_unlock(&a->srbs_lock);
    if (f == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "StorPortGetScatterGatherList of SRB %p, which the miniport does not "
                         "hold",
                         (void *)srb);
    return f->sg;
}
NT_REGISTER(STORPORT, StorPortGetScatterGatherList);

int storport_request_init(struct storport_request *r, struct adapter *a, uint32_t max_length)
{
    uint32_t extension = a->miniport->init.SrbExtensionSize;
    size_t size = STORPORT_SRB_ROOM + SENSE_LENGTH + max_length + extension;
    uint8_t *block = nt_pool_alloc_block(NONPAGED_POOL, size, SRB_TAG, 0);

    memset(r, 0, sizeof(*r));
    if (block == NULL)
        return -1;
    memset(block, 0, size);
    r->a = a;
    r->srb = block;
    r->extended = storport_srb_extended(a->miniport);
    r->data = block + STORPORT_SRB_ROOM + SENSE_LENGTH;
    r->max_length = max_length;
    r->f.srb = r->srb;
    r->f.spec = &r->spec;
    r->f.extended = r->extended;
    return 0;
}

void storport_request_fini(struct storport_request *r)
{
    if (r->srb)
        nt_pool_free(r->srb, SRB_TAG, true, 0);
    r->srb = NULL;
}

/* The SRB's fields for @cdb to @target with @length bytes of data going @dir. */
static void prepare(struct storport_request *r, uint8_t target, const uint8_t *cdb,
                    uint8_t cdb_length, enum srb_direction dir, uint32_t length)
{
    static const uint32_t flags[] = {[SRB_DIR_NONE] = SRB_FLAGS_NO_DATA_TRANSFER,
                                     [SRB_DIR_IN] = SRB_FLAGS_DATA_IN,
                                     [SRB_DIR_OUT] = SRB_FLAGS_DATA_OUT};
    uint32_t extension = r->a->miniport->init.SrbExtensionSize;
    struct srb_spec *spec = &r->spec;

    memset(spec, 0, sizeof(*spec));
    spec->function = r->function;
    spec->target = target;
    memcpy(spec->cdb, cdb, cdb_length);
    spec->cdb_length = cdb_length;
    spec->flags = flags[dir];
    spec->data = length ? r->data : NULL;
    spec->length = length;
    spec->sense = (uint8_t *)r->srb + STORPORT_SRB_ROOM;
    spec->sense_length = SENSE_LENGTH;
    spec->timeout = SRB_TIMEOUT_S;
    memset(spec->sense, 0, SENSE_LENGTH);
    if (extension) {
        spec->extension = r->data + r->max_length;
        memset(spec->extension, 0, extension);
    }
    storport_srb_build(r->srb, r->extended, spec);
}

/*
 * HwStartIo for a miniport with concurrent channels: at DISPATCH_LEVEL
 * without the StartIo lock, beside the calls of other threads, as many at
 * once as the miniport said it takes (the caller waits for a channel).
 */
static void start_io_concurrently(struct adapter *a, void *srb)
{
    KIRQL old;

    pthread_mutex_lock(&a->srbs_lock);
    while (a->in_start_io >= a->concurrent_channels)
        pthread_cond_wait(&a->srb_completed, &a->srbs_lock);
    a->in_start_io++;
    a->most_in_start_io =
        a->in_start_io > a->most_in_start_io ? a->in_start_io : a->most_in_start_io;
    a->start_io_vcpus |= 1u << nt_current_vcpu();
    pthread_mutex_unlock(&a->srbs_lock);
    old = nt_raise_irql(DISPATCH_LEVEL, 0);
    nt_driver_call(a->miniport->init.HwStartIo, (uint64_t)(uintptr_t)a->hw_extension,
                   (uint64_t)(uintptr_t)srb, 0, 0);
    nt_lower_irql(old, 0);
    pthread_mutex_lock(&a->srbs_lock);
    a->in_start_io--;
    pthread_cond_broadcast(&a->srb_completed);
    pthread_mutex_unlock(&a->srbs_lock);
}

void storport_request_start(struct storport_request *r, uint8_t target, const uint8_t *cdb,
                            uint8_t cdb_length, enum srb_direction dir, uint32_t length)
{
    struct adapter *a = r->a;
    const HW_INITIALIZATION_DATA *init = &a->miniport->init;
    bool full_duplex = a->config.SynchronizationModel == STOR_SYNCHRONIZE_FULL_DUPLEX;
    bool start = true;
    KIRQL old;

    if (r->started || length > r->max_length || cdb_length > sizeof(r->spec.cdb)) {
        nt_log("storport: a request started while the miniport holds it, or too long\n");
        abort(); /* the simulator's own bug, not the miniport's */
    }
    prepare(r, target, cdb, cdb_length, dir, length);
    nt_deadline_after_ms(&r->deadline, SRB_TIMEOUT_S * 1000ull);
    r->started = true;
    hand_over(a, &r->f);
    if (init->HwBuildIo) {
        old = nt_raise_irql(DISPATCH_LEVEL, 0);
        start = (BOOLEAN)nt_driver_call(init->HwBuildIo, (uint64_t)(uintptr_t)a->hw_extension,
                                        (uint64_t)(uintptr_t)r->srb, 0, 0);
        nt_lower_irql(old, 0);
    }
    if (start && a->concurrent_channels)
        start_io_concurrently(a, r->srb);
    else if (start) {
        old = nt_raise_irql(full_duplex ? DISPATCH_LEVEL : ADAPTER_DIRQL, 0);
        nt_spinlock_acquire(&a->start_io_lock, 0);
        nt_driver_call(init->HwStartIo, (uint64_t)(uintptr_t)a->hw_extension,
                       (uint64_t)(uintptr_t)r->srb, 0, 0);
        nt_spinlock_release(&a->start_io_lock, 0);
        nt_lower_irql(old, 0);
    }
}

/* Stop tracking @r's SRB, given back (srbs_lock held). */
static void take_back(struct adapter *a, struct storport_request *r)
{
    struct srb_in_flight **p;

    for (p = &a->in_flight; *p != &r->f; p = &(*p)->next)
        ;
    *p = r->f.next;
    free(r->f.sg);
    r->f.sg = NULL;
    r->started = false;
}

unsigned int storport_request_wait(struct storport_request *const *r, unsigned int n)
{
    struct adapter *a = NULL;
    struct storport_request *late = NULL;
    unsigned int done = n;

    for (unsigned int i = 0; i < n && a == NULL; i++)
        a = r[i]->started ? r[i]->a : NULL;
    if (a == NULL) {
        nt_log("storport: a wait for requests none of which is started\n");
        abort();
    }
    pthread_mutex_lock(&a->srbs_lock);
    while (done == n && late == NULL) {
        const struct timespec *first = NULL;

        for (unsigned int i = 0; i < n && done == n; i++) {
            if (!r[i]->started)
                continue;
            if (r[i]->f.completed)
                done = i;
            else if (first == NULL || r[i]->deadline.tv_sec < first->tv_sec ||
                     (r[i]->deadline.tv_sec == first->tv_sec &&
                      r[i]->deadline.tv_nsec < first->tv_nsec))
                first = &r[i]->deadline;
        }
        if (done != n)
            break;
        if (pthread_cond_timedwait(&a->srb_completed, &a->srbs_lock, first) == ETIMEDOUT)
            for (unsigned int i = 0; i < n && late == NULL; i++)
                late =
                    r[i]->started && !r[i]->f.completed && &r[i]->deadline == first ? r[i] : NULL;
    }
    if (done != n)
        take_back(a, r[done]);
    pthread_mutex_unlock(&a->srbs_lock);
    if (late)
        nt_verifier_fail(NT_VERIFY_IRP_NOT_COMPLETED,
                         (uint64_t)(uintptr_t)a->miniport->init.HwStartIo,
                         "SRB %p (CDB %#x) not given back within %u s", (void *)late->srb,
                         late->spec.cdb[0], late->spec.timeout);
    return done;
}

struct srb_outcome storport_request_outcome(const struct storport_request *r)
{
    return storport_srb_outcome(r->srb, r->extended, &r->spec);
}

struct srb_outcome storport_command(struct adapter *a, uint8_t target, const uint8_t *cdb,
                                    uint8_t cdb_length, enum srb_direction dir, void *data,
                                    uint32_t length)
{
    struct storport_request r, *one = &r;
    struct srb_outcome out = {.srb_status = SRB_STATUS_INSUFFICIENT_RESOURCES};

    if (storport_request_init(&r, a, length) != 0)
        return out;
    if (dir == SRB_DIR_OUT)
        memcpy(r.data, data, length);
    storport_request_start(&r, target, cdb, cdb_length, dir, length);
    storport_request_wait(&one, 1);
    out = storport_request_outcome(&r);
    out.transferred = out.transferred <= length ? out.transferred : length;
    if (dir == SRB_DIR_IN && SRB_STATUS(out.srb_status) == SRB_STATUS_SUCCESS)
        memcpy(data, r.data, out.transferred);
    storport_request_fini(&r);
    return out;
}
