/*
 * sim/nt/ke_dpc.c - deferred procedure calls (KeInitializeDpc,
 * KeInsertQueueDpc, KeRemoveQueueDpc, KeSetTargetProcessorDpc,
 * KeFlushQueuedDpcs).
 *
 * Each vCPU has a queue and a thread that takes the vCPU (raises to
 * DISPATCH_LEVEL) to run what is queued, so a DPC never runs while other
 * code holds that vCPU at DISPATCH_LEVEL or above, as on Windows. A queued
 * DPC is linked through its own DpcListEntry and DpcData names its queue,
 * as Windows keeps them.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "exports_impl.h"
#include "kernel.h"

#define DPC_OBJECT         0x13
#define MEDIUM_IMPORTANCE  1
#define MAXIMUM_PROCESSORS 64 /* KDPC.Number is this plus the target, once targeted */

struct dpc_queue {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    LIST_ENTRY head;
    uint64_t queued, done; /* DPCs ever queued here, and ever finished */
    bool running, stopping;
    unsigned int vcpu;
    pthread_t thread;
    struct nt_thread kthread;
};

static struct dpc_queue queues[NT_MAX_VCPUS];
static unsigned int queue_count;

static void run_one(struct dpc_queue *q, KDPC *dpc)
{
    KDEFERRED_ROUTINE *routine = dpc->DeferredRoutine;
    void *context = dpc->DeferredContext, *a1 = dpc->SystemArgument1, *a2 = dpc->SystemArgument2;

    nt_driver_call(routine, (uint64_t)(uintptr_t)dpc, (uint64_t)(uintptr_t)context,
                   (uint64_t)(uintptr_t)a1, (uint64_t)(uintptr_t)a2);
    if (q->kthread.spinlocks)
        nt_verifier_fail(NT_VERIFY_SPINLOCK_HELD, (uint64_t)(uintptr_t)routine,
                         "DPC routine returned holding %u spinlock(s)", q->kthread.spinlocks);
    if (nt_irql() != DISPATCH_LEVEL)
        nt_verifier_fail(NT_VERIFY_IRQL, (uint64_t)(uintptr_t)routine,
                         "DPC routine returned at IRQL %u", nt_irql());
}

static void *dpc_main(void *arg)
{
    struct dpc_queue *q = arg;

    if (nt_thread_enter(&q->kthread, "dpc", q->vcpu) != 0)
        abort();
    pthread_mutex_lock(&q->lock);
    for (;;) {
        KDPC *dpc;

        while (q->head.Flink == &q->head && !q->stopping)
            pthread_cond_wait(&q->changed, &q->lock);
        if (q->head.Flink == &q->head)
            break;
        dpc = (KDPC *)((uint8_t *)q->head.Flink - offsetof(KDPC, DpcListEntry));
        q->head.Flink = dpc->DpcListEntry.Flink;
        q->head.Flink->Blink = &q->head;
        __atomic_store_n(&dpc->DpcData, NULL, __ATOMIC_RELEASE);
        q->running = true;
        pthread_mutex_unlock(&q->lock);

        nt_raise_irql(DISPATCH_LEVEL, 0);
        run_one(q, dpc);
        nt_lower_irql(PASSIVE_LEVEL, 0);

        pthread_mutex_lock(&q->lock);
        q->running = false;
        q->done++;
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->lock);
    nt_thread_exit(&q->kthread);
    return NULL;
}

int nt_dpc_start(void)
{
    queue_count = nt_vcpu_count();
    for (unsigned int i = 0; i < queue_count; i++) {
        struct dpc_queue *q = &queues[i];

        pthread_mutex_init(&q->lock, NULL);
        pthread_cond_init(&q->changed, NULL);
        q->head.Flink = q->head.Blink = &q->head;
        q->vcpu = i;
        if (pthread_create(&q->thread, NULL, dpc_main, q) != 0) {
            queue_count = i;
            nt_dpc_stop();
            return -1;
        }
    }
    return 0;
}

void nt_dpc_stop(void)
{
    for (unsigned int i = 0; i < queue_count; i++) {
        pthread_mutex_lock(&queues[i].lock);
        queues[i].stopping = true;
        pthread_cond_broadcast(&queues[i].changed);
        pthread_mutex_unlock(&queues[i].lock);
        pthread_join(queues[i].thread, NULL);
    }
    queue_count = 0;
}

static NT_EXPORT void KeInitializeDpc(KDPC *dpc, KDEFERRED_ROUTINE *routine, void *context)
{
    if (dpc == NULL || routine == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, NT_CALLER, "KeInitializeDpc(%p, %p)", (void *)dpc,
                         (void *)routine);
    memset(dpc, 0, sizeof(*dpc));
    dpc->Type = DPC_OBJECT;
    dpc->Importance = MEDIUM_IMPORTANCE;
    dpc->DeferredRoutine = (void *)routine;
    dpc->DeferredContext = context;
}
NT_REGISTER(NTOSKRNL, KeInitializeDpc);

static NT_EXPORT void KeSetTargetProcessorDpc(KDPC *dpc, int8_t number)
{
    if ((unsigned int)number >= nt_vcpu_count())
        nt_verifier_fail(NT_VERIFY_ARGUMENT, NT_CALLER,
                         "KeSetTargetProcessorDpc to processor %d of %u", number, nt_vcpu_count());
    dpc->Number = (uint16_t)(MAXIMUM_PROCESSORS + number);
}
NT_REGISTER(NTOSKRNL, KeSetTargetProcessorDpc);

bool nt_dpc_queue(KDPC *dpc, void *a1, void *a2, uint64_t caller)
{
    unsigned int vcpu =
        dpc->Number >= MAXIMUM_PROCESSORS ? dpc->Number - MAXIMUM_PROCESSORS : nt_current_vcpu();
    struct dpc_queue *q = &queues[vcpu % (queue_count ? queue_count : 1)];

    if (dpc->Type != DPC_OBJECT)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "KeInsertQueueDpc(%p): no initialized DPC",
                         (void *)dpc);
    pthread_mutex_lock(&q->lock);
    if (dpc->DpcData != NULL) {
        pthread_mutex_unlock(&q->lock);
        return false;
    }
    dpc->SystemArgument1 = a1;
    dpc->SystemArgument2 = a2;
    dpc->DpcData = q;
    dpc->DpcListEntry.Flink = &q->head;
    dpc->DpcListEntry.Blink = q->head.Blink;
    q->head.Blink->Flink = &dpc->DpcListEntry;
    q->head.Blink = &dpc->DpcListEntry;
    q->queued++;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
    return true;
}

static NT_EXPORT BOOLEAN KeInsertQueueDpc(KDPC *dpc, void *a1, void *a2)
{
    return nt_dpc_queue(dpc, a1, a2, NT_CALLER);
}
NT_REGISTER(NTOSKRNL, KeInsertQueueDpc);

static NT_EXPORT BOOLEAN KeRemoveQueueDpc(KDPC *dpc)
{
    struct dpc_queue *q = __atomic_load_n(&dpc->DpcData, __ATOMIC_ACQUIRE);
    bool removed = false;

    if (q == NULL)
        return FALSE;
    pthread_mutex_lock(&q->lock);
    if (dpc->DpcData == q) {
        dpc->DpcListEntry.Blink->Flink = dpc->DpcListEntry.Flink;
        dpc->DpcListEntry.Flink->Blink = dpc->DpcListEntry.Blink;
        dpc->DpcData = NULL;
        q->done++;
        removed = true;
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->lock);
    return removed;
}
NT_REGISTER(NTOSKRNL, KeRemoveQueueDpc);

/* Every DPC queued anywhere before the call has run. */
static NT_EXPORT void KeFlushQueuedDpcs(void)
{
    nt_require_irql(PASSIVE_LEVEL, NT_CALLER, __func__);
    for (unsigned int i = 0; i < queue_count; i++) {
        struct dpc_queue *q = &queues[i];
        uint64_t target;

        pthread_mutex_lock(&q->lock);
        target = q->queued;
        while (q->done < target || q->running)
            pthread_cond_wait(&q->changed, &q->lock);
        pthread_mutex_unlock(&q->lock);
    }
}
NT_REGISTER(NTOSKRNL, KeFlushQueuedDpcs);
