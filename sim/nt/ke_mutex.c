/*
 * sim/nt/ke_mutex.c - kernel mutexes and semaphores (KeInitializeMutex,
 * KeReleaseMutex, KeReadStateMutex, KeInitializeSemaphore,
 * KeReleaseSemaphore, KeReadStateSemaphore); KeWaitForSingleObject takes
 * them (ke_event.c).
 *
 * A mutex may be taken again by its owner, each take released once; a
 * release by another thread, or a semaphore released past its limit,
 * raises an exception nothing handles in the kernel: the guest stops with
 * KMODE_EXCEPTION_NOT_HANDLED and the status. Each thread keeps the
 * mutexes it owns on a list (KTHREAD's MutantListHead on Windows): a
 * system thread that ends owning one stops the guest, as on Windows.
 */
#include <stddef.h>

#include "exports_impl.h"
#include "kernel.h"

#define KMODE_EXCEPTION_NOT_HANDLED     0x1e
#define STATUS_MUTANT_NOT_OWNED         0xc0000046u
#define STATUS_SEMAPHORE_LIMIT_EXCEEDED 0xc0000047u
#define THREAD_TERMINATE_HELD_MUTEX     0x4000008a

static void init_header(DISPATCHER_HEADER *header, uint8_t type, uint8_t size, int32_t state)
{
    header->Type = type;
    header->Signalling = 0;
    header->Size = size;
    header->Reserved1 = 0;
    header->SignalState = state;
    header->WaitListHead.Flink = header->WaitListHead.Blink = &header->WaitListHead;
}

static NT_EXPORT void KeInitializeMutex(KMUTANT *mutex, uint32_t level)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    if (mutex == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "KeInitializeMutex(NULL)");
    init_header(&mutex->Header, NT_MUTANT, sizeof(*mutex) / sizeof(int32_t), 1);
    mutex->MutantListEntry.Flink = mutex->MutantListEntry.Blink = NULL;
    mutex->OwnerThread = NULL;
    mutex->Abandoned = FALSE;
    mutex->ApcDisable = 1;
}
NT_REGISTER(NTOSKRNL, KeInitializeMutex);

static void check_type(DISPATCHER_HEADER *header, uint8_t type, uint64_t caller,
                       const char *function)
{
    if (header == NULL || header->Type != type)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "%s(%p): no initialized object of its kind",
                         function, (void *)header);
}

bool nt_mutex_try_acquire_locked(KMUTANT *mutex)
{
    struct nt_thread *self = nt_current();
    LIST_ENTRY *owned;

    if (mutex->Header.SignalState <= 0 && mutex->OwnerThread != self)
        return false;
    if (mutex->Header.SignalState-- == 1 && self) { /* taken, not taken again */
        owned = &self->mutexes;
        mutex->MutantListEntry = (LIST_ENTRY){owned, owned->Blink};
        owned->Blink->Flink = &mutex->MutantListEntry;
        owned->Blink = &mutex->MutantListEntry;
    }
    mutex->OwnerThread = self;
    return true;
}

/* @mutex is free again: off its owner's list. */
static void disown_locked(KMUTANT *mutex)
{
    LIST_ENTRY *entry = &mutex->MutantListEntry;

    if (entry->Flink) {
        entry->Blink->Flink = entry->Flink;
        entry->Flink->Blink = entry->Blink;
        entry->Flink = entry->Blink = NULL;
    }
    mutex->OwnerThread = NULL;
}

void nt_mutexes_check_released(struct nt_thread *thread, uint64_t code)
{
    KMUTANT *held = NULL;

    pthread_mutex_lock(&nt_dispatcher_lock);
    if (thread->mutexes.Flink != &thread->mutexes)
        held = (KMUTANT *)((uint8_t *)thread->mutexes.Flink - offsetof(KMUTANT, MutantListEntry));
    pthread_mutex_unlock(&nt_dispatcher_lock);
    if (held == NULL)
        return;
    nt_log("*** thread %llu ends owning the kernel mutex %p (taken %d time(s)): no other thread "
           "could take it again\n",
           (unsigned long long)thread->id, (void *)held, 1 - held->Header.SignalState);
    nt_bugcheck(THREAD_TERMINATE_HELD_MUTEX, (uint64_t)(uintptr_t)thread, (uint64_t)(uintptr_t)held,
                0, 0, code);
}

static NT_EXPORT int32_t KeReleaseMutex(KMUTANT *mutex, BOOLEAN wait)
{
    uint64_t caller = NT_CALLER;
    int32_t previous;

    nt_require_irql(wait ? APC_LEVEL : DISPATCH_LEVEL, caller, __func__);
    check_type(mutex ? &mutex->Header : NULL, NT_MUTANT, caller, __func__);
    pthread_mutex_lock(&nt_dispatcher_lock);
    previous = mutex->Header.SignalState;
    if (mutex->OwnerThread != nt_current() || previous > 0) {
        pthread_mutex_unlock(&nt_dispatcher_lock);
        nt_bugcheck(KMODE_EXCEPTION_NOT_HANDLED, STATUS_MUTANT_NOT_OWNED,
                    (uint64_t)(uintptr_t)mutex, 0, 0, caller);
    }
    if (++mutex->Header.SignalState == 1) {
        disown_locked(mutex);
        nt_dispatcher_signal_locked();
    }
    pthread_mutex_unlock(&nt_dispatcher_lock);
    return previous;
}
NT_REGISTER(NTOSKRNL, KeReleaseMutex);

/* KeReadStateMutex and KeReadStateSemaphore: the signal state, read at any IRQL up to DISPATCH. */
static int32_t read_state(DISPATCHER_HEADER *header, uint8_t type, uint64_t caller,
                          const char *function)
{
    nt_require_irql(DISPATCH_LEVEL, caller, function);
    check_type(header, type, caller, function);
    return __atomic_load_n(&header->SignalState, __ATOMIC_ACQUIRE);
}

static NT_EXPORT int32_t KeReadStateMutex(KMUTANT *mutex)
{
    return read_state(mutex ? &mutex->Header : NULL, NT_MUTANT, NT_CALLER, __func__);
}
NT_REGISTER(NTOSKRNL, KeReadStateMutex);

static NT_EXPORT void KeInitializeSemaphore(KSEMAPHORE *semaphore, int32_t count, int32_t limit)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (semaphore == NULL || count < 0 || limit <= 0 || count > limit)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "KeInitializeSemaphore(%p, %d, %d)",
                         (void *)semaphore, count, limit);
    init_header(&semaphore->Header, NT_SEMAPHORE, sizeof(*semaphore) / sizeof(int32_t), count);
    semaphore->Limit = limit;
}
NT_REGISTER(NTOSKRNL, KeInitializeSemaphore);

static NT_EXPORT int32_t KeReleaseSemaphore(KSEMAPHORE *semaphore, int32_t increment,
                                            int32_t adjustment, BOOLEAN wait)
{
    uint64_t caller = NT_CALLER;
    int32_t previous;

    nt_require_irql(wait ? APC_LEVEL : DISPATCH_LEVEL, caller, __func__);
    check_type(semaphore ? &semaphore->Header : NULL, NT_SEMAPHORE, caller, __func__);
    if (adjustment <= 0)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "KeReleaseSemaphore by %d", adjustment);
    pthread_mutex_lock(&nt_dispatcher_lock);
    previous = semaphore->Header.SignalState;
    if (adjustment > semaphore->Limit - previous) {
        pthread_mutex_unlock(&nt_dispatcher_lock);
        nt_bugcheck(KMODE_EXCEPTION_NOT_HANDLED, STATUS_SEMAPHORE_LIMIT_EXCEEDED,
                    (uint64_t)(uintptr_t)semaphore, 0, 0, caller);
    }
    semaphore->Header.SignalState += adjustment;
    nt_dispatcher_signal_locked();
    pthread_mutex_unlock(&nt_dispatcher_lock);
    return previous;
}
NT_REGISTER(NTOSKRNL, KeReleaseSemaphore);

static NT_EXPORT int32_t KeReadStateSemaphore(KSEMAPHORE *semaphore)
{
    return read_state(semaphore ? &semaphore->Header : NULL, NT_SEMAPHORE, NT_CALLER, __func__);
}
NT_REGISTER(NTOSKRNL, KeReadStateSemaphore);
