/*
 * sim/nt/io_workitem.c - I/O work items (IoAllocateWorkItem,
 * IoQueueWorkItem, IoQueueWorkItemEx, IoFreeWorkItem): a system work item
 * that holds a reference on its device while it is queued or runs, so the
 * device (and the driver it belongs to) cannot go from under the routine.
 * An item queued twice, or freed while queued, stops the guest; its
 * routine may free it or queue it again (it is dequeued before it runs).
 */
#include <stdlib.h>

#include "exports_impl.h"
#include "io.h"
#include "kernel.h"

struct io_workitem {
    WORK_QUEUE_ITEM item;
    DEVICE_OBJECT *device;
    const void *routine;
    void *context;
    bool ex;            /* IoQueueWorkItemEx: the routine gets the item too */
    volatile bool busy; /* queued */
};

static NT_EXPORT void run_io_workitem(void *parameter)
{
    struct io_workitem *w = parameter;
    DEVICE_OBJECT *device = w->device;
    const void *routine = w->routine;
    uint64_t context = (uint64_t)(uintptr_t)w->context, item = w->ex ? (uint64_t)(uintptr_t)w : 0;

    /*
     * Dequeued before the routine runs, as Windows does: the routine may
     * free the item or queue it again. Not looked at after.
     */
    __atomic_store_n(&w->busy, false, __ATOMIC_RELEASE);
    nt_driver_call(routine, (uint64_t)(uintptr_t)device, context, item, 0);
    nt_object_dereference(device, NT_HELD_BY_KERNEL, 0, "IoQueueWorkItem's ObDereferenceObject");
}

static NT_EXPORT void *IoAllocateWorkItem(DEVICE_OBJECT *device)
{
    uint64_t caller = NT_CALLER;
    struct io_workitem *w;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    if (device == NULL || device->Type != NT_TYPE_DEVICE)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "IoAllocateWorkItem(%p): no device object",
                         (void *)device);
    w = calloc(1, sizeof(*w));
    if (w)
        w->device = device;
    return w;
}
NT_REGISTER(NTOSKRNL, IoAllocateWorkItem);

static void queue(struct io_workitem *w, const void *routine, void *context, bool ex,
                  uint64_t caller, const char *function)
{
    nt_require_irql(DISPATCH_LEVEL, caller, function);
    if (w == NULL || routine == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "%s(%p) with no routine", function, (void *)w);
    if (__atomic_exchange_n(&w->busy, true, __ATOMIC_ACQ_REL))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "%s(%p): the item is queued already", function,
                         (void *)w);
    /* The kernel's own reference keeps the device while the item waits and runs. */
    if (nt_object_reference(w->device, &nt_device_type, NT_HELD_BY_KERNEL) == 0)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s(%p): its device %p is freed (deleted, no reference left)", function,
                         (void *)w, (void *)w->device);
    w->routine = routine;
    w->context = context;
    w->ex = ex;
    w->item.WorkerRoutine = run_io_workitem;
    w->item.Parameter = w;
    w->item.List.Flink = NULL;
    nt_work_enqueue(&w->item, caller);
}

static NT_EXPORT void IoQueueWorkItem(void *item, void *routine, uint32_t queue_type, void *context)
{
    queue(item, routine, context, false, NT_CALLER, __func__);
}
NT_REGISTER(NTOSKRNL, IoQueueWorkItem);

static NT_EXPORT void IoQueueWorkItemEx(void *item, void *routine, uint32_t queue_type,
                                        void *context)
{
    queue(item, routine, context, true, NT_CALLER, __func__);
}
NT_REGISTER(NTOSKRNL, IoQueueWorkItemEx);

static NT_EXPORT void IoFreeWorkItem(void *item)
{
    uint64_t caller = NT_CALLER;
    struct io_workitem *w = item;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    if (w == NULL || __atomic_load_n(&w->busy, __ATOMIC_ACQUIRE))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "IoFreeWorkItem(%p) of an item still queued",
                         item);
    free(w);
}
NT_REGISTER(NTOSKRNL, IoFreeWorkItem);
