/*
 * sim/nt/storport_srb.c - SRBs from the simulated Storport to its
 * miniport.
 *
 * An SRB lives in nonpaged pool (guest memory, as the miniport may hand
 * its buffers to the hypervisor), with a sense buffer and the miniport's
 * SrbExtension. It goes through HwBuildIo (DISPATCH_LEVEL, no lock) when
 * the miniport has one, then HwStartIo: at DISPATCH_LEVEL under the StartIo
 * lock for a full-duplex miniport, at DIRQL for a half-duplex one. The
 * miniport gives it back with StorPortNotification(RequestComplete), from
 * any thread; an SRB not given back within its timeout, given back twice,
 * given back still SRB_STATUS_PENDING, or never given at all stops the
 * guest.
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
#include "storport.h"

#define NONPAGED_POOL 0
#define SRB_TAG       0x62725353 /* 'SSrb' */
#define SENSE_LENGTH  18
#define SRB_TIMEOUT_S 10

/* Track @srb as the miniport's until it gives it back. */
static struct srb_in_flight *hand_over(struct adapter *a, SCSI_REQUEST_BLOCK *srb)
{
    struct srb_in_flight *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return NULL;
    f->srb = srb;
    pthread_mutex_lock(&a->srbs_lock);
    f->next = a->in_flight;
    a->in_flight = f;
    pthread_mutex_unlock(&a->srbs_lock);
    return f;
}

void storport_request_complete(struct adapter *a, SCSI_REQUEST_BLOCK *srb, uint64_t caller)
{
    struct srb_in_flight *f;
    uint8_t cdb0 = 0;
    bool pending = false;

    /* Looked at under the lock only: once given back, the SRB is freed and its memory reused. */
    pthread_mutex_lock(&a->srbs_lock);
    for (f = a->in_flight; f && (f->srb != srb || f->completed); f = f->next)
        ;
    if (f) {
        pending = srb->SrbStatus == SRB_STATUS_PENDING;
        cdb0 = srb->Cdb[0];
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
}

/* One element per page piece of the SRB's buffer, each at its physical address. */
static STOR_SCATTER_GATHER_LIST *build_sg(const SCSI_REQUEST_BLOCK *srb)
{
    const uint8_t *va = srb->DataBuffer;
    uint32_t left = srb->DataTransferLength;
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
                                                                        SCSI_REQUEST_BLOCK *srb)
{
    uint64_t caller = NT_CALLER;
    struct adapter *a = storport_adapter_of(hw_extension, caller, __func__);
    struct srb_in_flight *f;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    pthread_mutex_lock(&a->srbs_lock);
    for (f = a->in_flight; f && (f->srb != srb || f->completed); f = f->next)
        ;
    if (f && f->sg == NULL)
        f->sg = build_sg(srb);
    pthread_mutex_unlock(&a->srbs_lock);
    if (f == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "StorPortGetScatterGatherList of SRB %p, which the miniport does not "
                         "hold",
                         (void *)srb);
    return f->sg;
}
NT_REGISTER(STORPORT, StorPortGetScatterGatherList);

/* Wait until @f is given back; the guest stops when it is not within the SRB's timeout. */
static void wait_given_back(struct adapter *a, struct srb_in_flight *f)
{
    struct srb_in_flight **p;
    struct timespec deadline;
    int err = 0;

    nt_deadline_after_ms(&deadline, f->srb->TimeOutValue * 1000ull);
    pthread_mutex_lock(&a->srbs_lock);
    while (!f->completed && err != ETIMEDOUT)
        err = pthread_cond_timedwait(&a->srb_completed, &a->srbs_lock, &deadline);
    for (p = &a->in_flight; *p != f; p = &(*p)->next)
        ;
    if (f->completed)
        *p = f->next;
    pthread_mutex_unlock(&a->srbs_lock);
    if (f->completed)
        free(f->sg);
    if (!f->completed)
        nt_verifier_fail(NT_VERIFY_IRP_NOT_COMPLETED,
                         (uint64_t)(uintptr_t)a->miniport->init.HwStartIo,
                         "SRB %p (CDB %#x) not given back within %u s", (void *)f->srb,
                         f->srb->Cdb[0], f->srb->TimeOutValue);
    free(f);
}

/* Give @srb to the miniport as Storport does; returns once it came back. */
static void start_io(struct adapter *a, SCSI_REQUEST_BLOCK *srb)
{
    const HW_INITIALIZATION_DATA *init = &a->miniport->init;
    bool full_duplex = a->config.SynchronizationModel == STOR_SYNCHRONIZE_FULL_DUPLEX;
    struct srb_in_flight *f = hand_over(a, srb);
    bool start = true;
    KIRQL old;

    if (f == NULL) {
        nt_log("storport: no memory to track an SRB\n");
        srb->SrbStatus = SRB_STATUS_INSUFFICIENT_RESOURCES;
        return;
    }
    if (init->HwBuildIo) {
        old = nt_raise_irql(DISPATCH_LEVEL, 0);
        start = (BOOLEAN)nt_driver_call(init->HwBuildIo, (uint64_t)(uintptr_t)a->hw_extension,
                                        (uint64_t)(uintptr_t)srb, 0, 0);
        nt_lower_irql(old, 0);
    }
    if (start) {
        old = nt_raise_irql(full_duplex ? DISPATCH_LEVEL : ADAPTER_DIRQL, 0);
        nt_spinlock_acquire(&a->start_io_lock, 0);
        nt_driver_call(init->HwStartIo, (uint64_t)(uintptr_t)a->hw_extension,
                       (uint64_t)(uintptr_t)srb, 0, 0);
        nt_spinlock_release(&a->start_io_lock, 0);
        nt_lower_irql(old, 0);
    }
    wait_given_back(a, f);
}

struct srb_outcome storport_command_in(struct adapter *a, uint8_t target, const uint8_t *cdb,
                                       uint8_t cdb_length, void *data, uint32_t length)
{
    uint32_t extension = a->miniport->init.SrbExtensionSize;
    size_t size = sizeof(SCSI_REQUEST_BLOCK) + SENSE_LENGTH + length + extension;
    uint8_t *block = nt_pool_alloc_block(NONPAGED_POOL, size, SRB_TAG, 0);
    struct srb_outcome out = {0};
    SCSI_REQUEST_BLOCK *srb = (SCSI_REQUEST_BLOCK *)block;

    if (block == NULL) {
        out.srb_status = SRB_STATUS_INSUFFICIENT_RESOURCES;
        return out;
    }
    memset(block, 0, size);
    srb->Length = sizeof(*srb);
    srb->Function = SRB_FUNCTION_EXECUTE_SCSI;
    srb->TargetId = target;
    srb->CdbLength = cdb_length;
    memcpy(srb->Cdb, cdb, cdb_length);
    srb->SrbFlags = SRB_FLAGS_DATA_IN;
    srb->TimeOutValue = SRB_TIMEOUT_S;
    srb->SenseInfoBuffer = block + sizeof(*srb);
    srb->SenseInfoBufferLength = SENSE_LENGTH;
    srb->DataBuffer = block + sizeof(*srb) + SENSE_LENGTH;
    srb->DataTransferLength = length;
    srb->SrbExtension = extension ? block + sizeof(*srb) + SENSE_LENGTH + length : NULL;
    start_io(a, srb);
    out.srb_status = srb->SrbStatus;
    out.scsi_status = srb->ScsiStatus;
    out.transferred = srb->DataTransferLength <= length ? srb->DataTransferLength : length;
    if (SRB_STATUS(out.srb_status) == SRB_STATUS_SUCCESS)
        memcpy(data, srb->DataBuffer, out.transferred);
    if (out.srb_status & SRB_STATUS_AUTOSENSE_VALID) {
        out.sense_length =
            srb->SenseInfoBufferLength < SENSE_LENGTH ? srb->SenseInfoBufferLength : SENSE_LENGTH;
        memcpy(out.sense, block + sizeof(*srb), out.sense_length); /* ours, whatever the SRB says */
    }
    nt_pool_free(block, SRB_TAG, true, 0);
    return out;
}
