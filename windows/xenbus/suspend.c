/*
 * windows/xenbus/suspend.c - the toolstack's suspend requests carried out.
 *
 * core/xenbus/shutdown.c watches control/shutdown and advertises
 * "suspend" (power-off, reboot and halt too while the user-mode agent is
 * there: agent.c, to which they go). A suspend taken queues an I/O work
 * item on the FDO, which
 * holds the remove lock while it runs: xenbus_services_suspend may not run
 * in the store's watch callback, and waits there for the toolstack (save,
 * restore or resume). The outcome is logged: restored in a new domain
 * (whose tree the toolstack made afresh: the features and the drivers'
 * keys are written again), cancelled (everything went on in place), or
 * failed.
 *
 * Every other processor is held around the suspend hypercall by a DPC
 * targeted at it that raises to HIGH_LEVEL and spins; the calling
 * processor, at DISPATCH_LEVEL, runs the held function once every other
 * one spins, releases them, and waits until each has left its DPC (whose
 * state lives on its stack). With one processor there is nothing to hold.
 * A processor cannot be waiting at DISPATCH_LEVEL for the caller: the
 * caller holds no lock while it waits, and only one suspend runs at a time
 * (the shutdown engine hands over one request until it is done).
 */
#include "fdo.h"
#include "os.h"
#include "xenbus/toolstack_keys.h"
#include "xenstore/client.h"

/* KeSetTargetProcessorDpc names processors of group 0 by a CCHAR. */
#define HOLD_MAX_PROCESSORS 64

/* One hold: on the caller's stack while every other processor spins on it. */
struct hold {
    volatile LONG spinning; /* processors spinning at HIGH_LEVEL */
    volatile LONG release;  /* the held function returned: they may go */
    volatile LONG left;     /* processors that no longer look at this hold */
};

static void hold_dpc(KDPC *dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    struct hold *h = arg1;
    KIRQL irql;

    KeRaiseIrql(HIGH_LEVEL, &irql);
    InterlockedIncrement(&h->spinning);
    while (InterlockedCompareExchange(&h->release, 0, 0) == 0)
        YieldProcessor();
    KeLowerIrql(irql);
    InterlockedIncrement(&h->left); /* the last look at @h */
}

static void wait_for(volatile LONG *count, LONG target)
{
    while (InterlockedCompareExchange(count, 0, 0) < target)
        YieldProcessor();
}

/* struct xenbus_suspend_hold's run_held: see the top of the file. */
static void run_held(void *ctx, void (*fn)(void *arg), void *arg)
{
    struct xenbus_fdo *fdo = ctx;
    struct hold h = {0};
    LONG others = 0;
    BOOLEAN queued;
    ULONG self;
    KIRQL irql;

    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    self = KeGetCurrentProcessorNumberEx(NULL);
    for (ULONG i = 0; i < fdo->processors; i++) {
        if (i == self)
            continue;
        /* Each hold's DPCs have all run before it returns: none is still queued. */
        queued = KeInsertQueueDpc(&fdo->hold_dpcs[i], &h, NULL);
        OS_ASSERT(queued);
        others++;
    }
    wait_for(&h.spinning, others);
    fn(arg);
    InterlockedExchange(&h.release, 1);
    wait_for(&h.left, others);
    KeLowerIrql(irql);
}

/* Log which domain this is now. */
static void log_restored(struct xenbus_fdo *fdo)
{
    char *domid = NULL;

    if (xs_client_read(fdo->services.store.client, XS_TX_NONE, "domid", &domid, NULL) == 0)
        os_log(OS_LOG_INFO, "xenbus: suspend: restored in domain %s\n", domid);
    else
        os_log(OS_LOG_INFO, "xenbus: suspend: restored in a new domain (domid unreadable)\n");
    os_free(domid);
}

static void suspend_work(DEVICE_OBJECT *device, PVOID context)
{
    struct xenbus_fdo *fdo = context;
    const struct xenbus_suspend_hold hold = {.run_held = run_held, .ctx = fdo};
    PIO_WORKITEM item = fdo->suspend_item;
    int rc = xenbus_services_suspend(&fdo->services, &hold);

    if (rc == 0) {
        /* The new domain's tree has none of what this guest wrote. */
        xenbus_shutdown_restored(fdo->shutdown);
        xenbus_toolstack_keys_write(fdo->services.store.client);
        log_restored(fdo);
    } else if (rc == 1) {
        os_log(OS_LOG_INFO, "xenbus: suspend: cancelled, going on in place\n");
    } else {
        os_log(OS_LOG_ERROR, "xenbus: suspend: failed (%d)\n", rc);
    }
    xenbus_shutdown_done(fdo->shutdown);
    fdo->suspend_item = NULL;
    IoFreeWorkItem(item);
    KeSetEvent(&fdo->suspend_idle, IO_NO_INCREMENT, FALSE);
    IoReleaseRemoveLock(&fdo->remove_lock, item);
}

/* The shutdown engine hands a request over (passive, its watch's work). */
static void shutdown_requested(void *ctx, enum xenbus_shutdown_request request)
{
    struct xenbus_fdo *fdo = ctx;
    PIO_WORKITEM item;
    NTSTATUS status;
    BOOLEAN queued = FALSE;

    if (request != XENBUS_SHUTDOWN_SUSPEND) {
        /* Power-off, reboot, halt: offered only while the agent is there. */
        xenbus_agent_deliver(fdo, request);
        return;
    }
    item = IoAllocateWorkItem(fdo->self);
    status = item ? IoAcquireRemoveLock(&fdo->remove_lock, item) : STATUS_INSUFFICIENT_RESOURCES;

    if (NT_SUCCESS(status)) {
        os_mutex_lock(&fdo->suspend_lock);
        if (!fdo->suspend_stopping) {
            KeClearEvent(&fdo->suspend_idle);
            fdo->suspend_item = item;
            IoQueueWorkItem(item, suspend_work, DelayedWorkQueue, fdo);
            queued = TRUE;
        }
        os_mutex_unlock(&fdo->suspend_lock);
        if (!queued)
            IoReleaseRemoveLock(&fdo->remove_lock, item);
    }
    if (queued)
        return;
    os_log(OS_LOG_WARN, "xenbus: %s not carried out (%#x): the bus is stopping\n",
           xenbus_shutdown_name(request), (unsigned int)status);
    if (item)
        IoFreeWorkItem(item);
    xenbus_shutdown_done(fdo->shutdown);
}

NTSTATUS xenbus_suspend_start(struct xenbus_fdo *fdo)
{
    ULONG processors = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
    int rc;

    if (processors > HOLD_MAX_PROCESSORS) {
        os_log(OS_LOG_WARN, "xenbus: %u processors: suspend not offered (at most %u)\n",
               (unsigned int)processors, HOLD_MAX_PROCESSORS);
        return STATUS_NOT_SUPPORTED;
    }
    fdo->hold_dpcs = os_alloc(processors * sizeof(KDPC));
    if (fdo->hold_dpcs == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (ULONG i = 0; i < processors; i++) {
        KeInitializeDpc(&fdo->hold_dpcs[i], hold_dpc, fdo);
        KeSetTargetProcessorDpc(&fdo->hold_dpcs[i], (CCHAR)i);
    }
    fdo->processors = processors;
    os_mutex_init(&fdo->suspend_lock);
    fdo->suspend_stopping = FALSE;
    KeInitializeEvent(&fdo->suspend_idle, NotificationEvent, TRUE);
    rc = xenbus_shutdown_start(fdo->services.store.client, XENBUS_SHUTDOWN_SUSPEND,
                               shutdown_requested, fdo, &fdo->shutdown);
    if (rc) {
        os_log(OS_LOG_WARN, "xenbus: control/shutdown not watched (%d): suspend not offered\n", rc);
        os_free(fdo->hold_dpcs);
        fdo->hold_dpcs = NULL;
        return STATUS_UNSUCCESSFUL;
    }
    return STATUS_SUCCESS;
}

void xenbus_suspend_stop(struct xenbus_fdo *fdo)
{
    if (fdo->shutdown == NULL)
        return;
    /* No request queued from now on; one queued or running finishes first. */
    os_mutex_lock(&fdo->suspend_lock);
    fdo->suspend_stopping = TRUE;
    os_mutex_unlock(&fdo->suspend_lock);
    KeWaitForSingleObject(&fdo->suspend_idle, Executive, KernelMode, FALSE, NULL);
    xenbus_shutdown_stop(fdo->shutdown);
    fdo->shutdown = NULL;
    os_free(fdo->hold_dpcs);
    fdo->hold_dpcs = NULL;
}
