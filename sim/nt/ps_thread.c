/*
 * sim/nt/ps_thread.c - system threads drivers create (PsCreateSystemThread,
 * PsTerminateSystemThread, PsGetCurrentThreadId, the PsThreadType
 * variable) and the thread objects they wait on.
 *
 * A system thread is a kernel thread of its own (a pthread with its driver
 * stack and guard page, thread.c), running StartRoutine(StartContext) at
 * PASSIVE_LEVEL. It ends when the routine returns or calls
 * PsTerminateSystemThread; then its object (the struct nt_thread, whose
 * dispatcher header KeWaitForSingleObject takes) is signalled. The object
 * (ob.h) lives while referenced: by the running thread, by each handle and
 * by each ObReferenceObject. A thread still running when the image holding
 * its start routine unloads stops the machine (pnp_driver.c), as Windows
 * does once the thread runs the unloaded code.
 *
 * A thread's life is one state, changed in set_state only: starting,
 * then running or failed (it never became a kernel thread), then ended.
 *
 * Lock order: threads_lock alone, then nt_dispatcher_lock alone.
 */
#include <setjmp.h>
#include <stdlib.h>

#include "exports_impl.h"
#include "kernel.h"
#include "ob.h"
#include "pnp.h"

#define SYSTEM_PROCESS_ID 4 /* the System process's ID on Windows */

enum thread_state {
    THREAD_STARTING, /* PsCreateSystemThread made it: its pthread is not yet a kernel thread */
    THREAD_FAILED,   /* it could not become one, and runs nothing */
    THREAD_RUNNING,  /* running driver code */
    THREAD_ENDED,    /* its routine returned or PsTerminateSystemThread: its object signalled */
};

struct system_thread {
    struct nt_thread thread; /* first: the object drivers see */
    struct nt_object_header object;
    struct system_thread *next;
    enum thread_state state; /* under threads_lock */
    KSTART_ROUTINE *start;
    void *context;
    jmp_buf terminate; /* where PsTerminateSystemThread goes */
};

static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t threads_changed = PTHREAD_COND_INITIALIZER;
static struct system_thread *threads;
static unsigned int next_vcpu; /* each new thread prefers the next vCPU */

/* The system thread @object is, or NULL; threads_lock held. */
static struct system_thread *find_locked(const void *object)
{
    for (struct system_thread *t = threads; t; t = t->next) {
        if ((const void *)t == object)
            return t;
    }
    return NULL;
}

/*
 * @t's state becomes @state, seen by whoever waits on threads_changed. A
 * thread that ended is signalled; one that failed or ended gives up its
 * own reference (the last use of @t here).
 */
static void set_state(struct system_thread *t, enum thread_state state)
{
    pthread_mutex_lock(&threads_lock);
    t->state = state;
    pthread_cond_broadcast(&threads_changed);
    pthread_mutex_unlock(&threads_lock);
    if (state == THREAD_ENDED) {
        pthread_mutex_lock(&nt_dispatcher_lock);
        t->thread.header.SignalState = 1;
        nt_dispatcher_signal_locked();
        pthread_mutex_unlock(&nt_dispatcher_lock);
    }
    if (state == THREAD_FAILED || state == THREAD_ENDED)
        nt_object_dereference(t, NT_HELD_BY_KERNEL, 0, "a system thread's end");
}

/* The last reference frees the object (it has ended by then: the running thread holds one). */
static void thread_delete(void *object)
{
    struct system_thread *t = object, **p;

    pthread_mutex_lock(&threads_lock);
    for (p = &threads; *p != t; p = &(*p)->next)
        ;
    *p = t->next;
    pthread_mutex_unlock(&threads_lock);
    free(t);
}

static void thread_describe(const void *object, char *out, size_t size)
{
    const struct system_thread *t = object;
    char where[1200];

    nt_describe_address((uint64_t)(uintptr_t)t->start, where, sizeof(where));
    snprintf(out, size, "%llu started at %s", (unsigned long long)t->thread.id, where);
}

const struct nt_object_type nt_thread_type = {"Thread", thread_delete, thread_describe};

/* What POBJECT_TYPE PsThreadType names, for ObReferenceObjectByHandle. */
static const struct nt_object_type *const ps_thread_type = &nt_thread_type;
NT_REGISTER_DATA(NTOSKRNL, "PsThreadType", ps_thread_type);

static void *system_thread_main(void *arg)
{
    struct system_thread *t = arg;

    if (nt_thread_enter(&t->thread, "system", t->thread.ideal_vcpu) != 0) {
        set_state(t, THREAD_FAILED); /* PsCreateSystemThread closes its handle */
        return NULL;
    }
    set_state(t, THREAD_RUNNING);
    if (setjmp(t->terminate) == 0)
        nt_driver_call(t->start, (uint64_t)(uintptr_t)t->context, 0, 0, 0);
    /* Returned, or PsTerminateSystemThread: either way at PASSIVE_LEVEL with no spinlock. */
    nt_pnp_check_passive("a system thread", t->start);
    nt_mutexes_check_released(&t->thread, (uint64_t)(uintptr_t)t->start);
    nt_thread_exit(&t->thread);
    set_state(t, THREAD_ENDED);
    return NULL;
}

/* Start @t's pthread and wait until it is a kernel thread; 0, or -1 when it failed. */
static int start_thread(struct system_thread *t)
{
    pthread_attr_t attr;
    pthread_t id;
    int err;

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    err = pthread_create(&id, &attr, system_thread_main, t);
    pthread_attr_destroy(&attr);
    if (err) {
        set_state(t, THREAD_FAILED);
        return -1;
    }
    pthread_mutex_lock(&threads_lock);
    while (t->state == THREAD_STARTING)
        pthread_cond_wait(&threads_changed, &threads_lock);
    err = t->state == THREAD_FAILED ? -1 : 0; /* running, or ended already */
    pthread_mutex_unlock(&threads_lock);
    return err;
}

static void check_create(void **handle, const OBJECT_ATTRIBUTES *attributes, void *process,
                         KSTART_ROUTINE *start, uint64_t caller)
{
    if (handle == NULL || start == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "PsCreateSystemThread with no ThreadHandle or no StartRoutine");
    /* "Driver-created threads must set this parameter to NULL." */
    if (process != NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "PsCreateSystemThread with ProcessHandle %p: a driver's thread runs in "
                         "the system process (NULL)",
                         process);
    if (attributes == NULL)
        return; /* allowed: the caller's context is the system process's, a kernel handle */
    nt_object_attributes_check(attributes, caller, "PsCreateSystemThread");
    if (attributes->ObjectName ||
        attributes->Attributes & (OBJ_PERMANENT | OBJ_EXCLUSIVE | OBJ_OPENIF))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "PsCreateSystemThread: a thread has no name, and OBJ_PERMANENT, "
                         "OBJ_EXCLUSIVE and OBJ_OPENIF are not valid for it (attributes %#x)",
                         attributes->Attributes);
}

static NT_EXPORT NTSTATUS PsCreateSystemThread(void **handle, uint32_t access,
                                               OBJECT_ATTRIBUTES *attributes, void *process,
                                               CLIENT_ID *client, KSTART_ROUTINE *start,
                                               void *context)
{
    uint64_t caller = NT_CALLER;
    struct system_thread *t;
    NTSTATUS status;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    check_create(handle, attributes, process, start, caller);
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    t->state = THREAD_STARTING;
    t->start = start;
    t->context = context;
    pthread_mutex_lock(&threads_lock);
    t->thread.ideal_vcpu = next_vcpu++ % nt_vcpu_count();
    t->next = threads;
    threads = t;
    pthread_mutex_unlock(&threads_lock);
    nt_object_insert(&t->object, t, &nt_thread_type, 2); /* the running thread's, the handle's */
    status = nt_handle_create(t, &nt_thread_type, access, caller, handle);
    if (!NT_SUCCESS(status)) {
        nt_object_dereference(t, NT_HELD_BY_KERNEL, caller, __func__); /* the handle's */
        set_state(t, THREAD_FAILED);
        return status;
    }
    if (start_thread(t) != 0) {
        nt_handle_close(*handle, caller);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (client)
        *client =
            (CLIENT_ID){(void *)(uintptr_t)SYSTEM_PROCESS_ID, (void *)(uintptr_t)t->thread.id};
    return STATUS_SUCCESS;
}
NT_REGISTER(NTOSKRNL, PsCreateSystemThread);

/*
 * Windows returns an error when the caller is no system thread; a driver
 * must not end a thread the system or another driver made, so here that
 * is a verifier failure.
 */
static NT_EXPORT NTSTATUS PsTerminateSystemThread(NTSTATUS exit_status)
{
    uint64_t caller = NT_CALLER;
    struct system_thread *t;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    pthread_mutex_lock(&threads_lock);
    t = find_locked(nt_current());
    pthread_mutex_unlock(&threads_lock);
    if (t == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "PsTerminateSystemThread(%#x) on thread %s, which PsCreateSystemThread "
                         "did not create",
                         (unsigned)exit_status, nt_current() ? nt_current()->name : "(none)");
    longjmp(t->terminate, 1);
}
NT_REGISTER(NTOSKRNL, PsTerminateSystemThread);

static NT_EXPORT void *PsGetCurrentThreadId(void)
{
    return (void *)(uintptr_t)nt_current()->id;
}
NT_REGISTER(NTOSKRNL, PsGetCurrentThreadId);

uint64_t nt_threads_running_in(uint64_t base, uint64_t size)
{
    uint64_t running = 0;

    pthread_mutex_lock(&threads_lock);
    for (struct system_thread *t = threads; t && !running; t = t->next) {
        uint64_t start = (uint64_t)(uintptr_t)t->start;

        if (t->state == THREAD_RUNNING && start >= base && start < base + size)
            running = start;
    }
    pthread_mutex_unlock(&threads_lock);
    return running;
}
