/*
 * sim/nt/thread.c - kernel threads, their IRQL and the vCPUs they own at
 * DISPATCH_LEVEL and above (see kernel.h).
 */
#include <asm/prctl.h>
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "kernel.h"

#define IRQL_NOT_GREATER_OR_EQUAL 0x09
#define IRQL_NOT_LESS_OR_EQUAL    0x0a

static struct {
    unsigned int count;
    pthread_mutex_t owner[NT_MAX_VCPUS]; /* held by the thread at >= DISPATCH_LEVEL */
} vcpus = {.count = 1};

static _Thread_local struct nt_thread *current;
static uint64_t last_id; /* the last thread ID given */

void nt_vcpus_init(unsigned int count)
{
    vcpus.count = count < 1 ? 1 : count > NT_MAX_VCPUS ? NT_MAX_VCPUS : count;
    for (unsigned int i = 0; i < NT_MAX_VCPUS; i++)
        pthread_mutex_init(&vcpus.owner[i], NULL);
}

unsigned int nt_vcpu_count(void)
{
    return vcpus.count;
}

/* The processor number drivers read inline (KeGetCurrentProcessorNumber). */
static void set_pcr_number(struct nt_thread *thread)
{
    uint16_t number =
        (uint16_t)(thread->vcpu >= 0 ? (unsigned int)thread->vcpu : thread->ideal_vcpu);

    memcpy(thread->pcr + NT_PCR_NUMBER, &number, sizeof(number));
}

int nt_thread_enter(struct nt_thread *thread, const char *name, unsigned int ideal_vcpu)
{
    uint64_t self = (uint64_t)(uintptr_t)thread;
    uint64_t pcr = (uint64_t)(uintptr_t)thread->pcr;
    uint64_t prcb = pcr + NT_PCR_PRCB_START;
    int err;

    thread->header =
        (DISPATCHER_HEADER){.Type = NT_THREAD, .Size = sizeof(DISPATCHER_HEADER) / sizeof(int32_t)};
    thread->header.WaitListHead.Flink = thread->header.WaitListHead.Blink =
        &thread->header.WaitListHead;
    thread->id = __atomic_add_fetch(&last_id, 4, __ATOMIC_RELAXED);
    memset(thread->pcr, 0, sizeof(thread->pcr));
    memcpy(thread->pcr + NT_PCR_SELF, &pcr, sizeof(pcr));
    memcpy(thread->pcr + NT_PCR_PRCB, &prcb, sizeof(prcb));
    memcpy(thread->pcr + NT_PCR_THREAD, &self, sizeof(self));
    thread->name = name;
    thread->irql = PASSIVE_LEVEL;
    thread->vcpu = -1;
    thread->ideal_vcpu = ideal_vcpu % vcpus.count;
    thread->spinlocks = 0;
    thread->interrupt_irql = 0;
    thread->mutexes.Flink = thread->mutexes.Blink = &thread->mutexes;
    set_pcr_number(thread);
    thread->driver_stack = NULL;
    err = nt_stack_create(thread);
    if (err)
        return err;
    err = nt_cpu_thread_enter();
    if (err) {
        nt_stack_destroy(thread);
        return err;
    }
    if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)thread->pcr) != 0) {
        err = -errno;
        nt_cpu_thread_exit();
        nt_stack_destroy(thread);
        return err;
    }
    current = thread;
    return 0;
}

void nt_thread_exit(struct nt_thread *thread)
{
    if (thread->irql != PASSIVE_LEVEL)
        nt_bugcheck(IRQL_NOT_LESS_OR_EQUAL, thread->irql, 0, 0, 0, 0);
    syscall(SYS_arch_prctl, ARCH_SET_GS, 0ul);
    nt_cpu_thread_exit();
    nt_stack_destroy(thread);
    current = NULL;
}

struct nt_thread *nt_current(void)
{
    return current;
}

KIRQL nt_irql(void)
{
    return current ? current->irql : PASSIVE_LEVEL;
}

unsigned int nt_current_vcpu(void)
{
    struct nt_thread *thread = current;

    if (thread == NULL)
        return 0;
    return thread->vcpu >= 0 ? (unsigned int)thread->vcpu : thread->ideal_vcpu;
}

volatile int nt_machine_frozen;

void nt_machine_freeze(void)
{
    struct nt_thread *thread = current;

    if (thread == NULL || thread->irql != HIGH_LEVEL || thread->vcpu < 0)
        nt_bugcheck(IRQL_NOT_GREATER_OR_EQUAL, thread ? thread->irql : 0, HIGH_LEVEL, 0, 0, 0);
    __atomic_store_n(&nt_machine_frozen, 1, __ATOMIC_SEQ_CST);
    for (unsigned int i = 0; i < vcpus.count; i++) {
        if ((int)i != thread->vcpu)
            pthread_mutex_lock(&vcpus.owner[i]); /* its owner lowers its IRQL once, and stops */
    }
}

KIRQL nt_raise_irql(KIRQL irql, uint64_t caller)
{
    struct nt_thread *thread = current;
    KIRQL old;

    if (thread == NULL)
        nt_bugcheck(IRQL_NOT_GREATER_OR_EQUAL, irql, 0, 0, caller, caller);
    old = thread->irql;
    if (irql < old || irql > HIGH_LEVEL)
        nt_bugcheck(IRQL_NOT_GREATER_OR_EQUAL, old, irql, 0, caller, caller);
    if (old < DISPATCH_LEVEL && irql >= DISPATCH_LEVEL) {
        pthread_mutex_lock(&vcpus.owner[thread->ideal_vcpu]);
        thread->vcpu = (int)thread->ideal_vcpu;
        set_pcr_number(thread);
    }
    thread->irql = irql;
    return old;
}

void nt_lower_irql(KIRQL irql, uint64_t caller)
{
    struct nt_thread *thread = current;
    KIRQL old;

    if (thread == NULL)
        nt_bugcheck(IRQL_NOT_LESS_OR_EQUAL, irql, 0, 0, caller, caller);
    old = thread->irql;
    if (irql > old)
        nt_bugcheck(IRQL_NOT_LESS_OR_EQUAL, old, irql, 0, caller, caller);
    if (thread->interrupt_irql && irql < thread->interrupt_irql)
        nt_verifier_fail(NT_VERIFY_IRQL, caller,
                         "IRQL lowered to %u inside an interrupt service routine (at %u)", irql,
                         thread->interrupt_irql);
    thread->irql = irql;
    if (old >= DISPATCH_LEVEL && irql < DISPATCH_LEVEL) {
        if (thread->spinlocks)
            nt_verifier_fail(NT_VERIFY_SPINLOCK_HELD, caller,
                             "IRQL lowered below DISPATCH_LEVEL with %u spinlock(s) held",
                             thread->spinlocks);
        thread->vcpu = -1;
        set_pcr_number(thread);
        pthread_mutex_unlock(&vcpus.owner[thread->ideal_vcpu]);
    }
}

void nt_require_irql(KIRQL max, uint64_t caller, const char *function)
{
    KIRQL irql = nt_irql();

    if (irql > max)
        nt_verifier_fail(NT_VERIFY_IRQL, caller, "%s called at IRQL %u (at most %u allowed)",
                         function, irql, max);
}

void nt_interrupt_enter(struct nt_thread *thread, unsigned int vcpu, KIRQL irql)
{
    if (thread->irql != PASSIVE_LEVEL || thread->vcpu >= 0)
        nt_bugcheck(IRQL_NOT_GREATER_OR_EQUAL, thread->irql, irql, 0, 0, 0);
    thread->vcpu = (int)(vcpu % vcpus.count);
    thread->irql = irql;
    thread->interrupt_irql = irql;
    set_pcr_number(thread);
}

void nt_interrupt_leave(struct nt_thread *thread)
{
    thread->interrupt_irql = 0;
    thread->irql = PASSIVE_LEVEL;
    thread->vcpu = -1;
    set_pcr_number(thread);
}
