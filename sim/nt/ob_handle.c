/*
 * sim/nt/ob_handle.c - the kernel handle table (see ob.h), ZwClose and
 * ObReferenceObjectByHandle.
 *
 * The table is a list of the handles open: few are open at once. Each
 * handle value comes from a counter that skips values still open, so a
 * stale value names another object only after the counter went round.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "exports_impl.h"
#include "kernel.h"
#include "ob.h"

#define INVALID_KERNEL_HANDLE 0x93
#define KERNEL_HANDLE_BIT     0xffffffff80000000ull /* kernel handles: the top bit set */
#define HANDLE_VALUES         (1ull << 29)          /* values below the kernel bit, by 4 */
/* The pseudo-handles NtCurrentProcess() and NtCurrentThread(): no table holds them. */
#define CURRENT_PROCESS       ((void *)(intptr_t)-1)
#define CURRENT_THREAD        ((void *)(intptr_t)-2)
#define THREAD_ALL_ACCESS     0x001fffffu

struct handle {
    struct handle *next;
    uint64_t value;
    void *object;
    const struct nt_object_type *type;
    uint32_t access;
    uint64_t caller; /* the driver's code that opened it */
};

static pthread_mutex_t handles_lock = PTHREAD_MUTEX_INITIALIZER;
static struct handle *handles;
static uint64_t last_value;

/* Where the entry of @value is linked, or NULL; handles_lock held. */
static struct handle **find_locked(uint64_t value)
{
    for (struct handle **p = &handles; *p; p = &(*p)->next) {
        if ((*p)->value == value)
            return p;
    }
    return NULL;
}

/* The next value no open handle has, or 0 when every one is open; handles_lock held. */
static uint64_t next_value_locked(void)
{
    for (uint64_t tried = 1; tried < HANDLE_VALUES; tried++) {
        uint64_t value;

        if (++last_value == HANDLE_VALUES) /* 2^29 - 1 handles opened: the values start over */
            last_value = 1;
        value = KERNEL_HANDLE_BIT | last_value << 2;
        if (find_locked(value) == NULL)
            return value;
    }
    return 0;
}

NTSTATUS nt_handle_create(void *object, const struct nt_object_type *type, uint32_t access,
                          uint64_t caller, void **handle)
{
    struct handle *h = calloc(1, sizeof(*h));

    if (h == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    h->object = object;
    h->type = type;
    h->access = access;
    h->caller = caller;
    pthread_mutex_lock(&handles_lock);
    h->value = next_value_locked();
    if (h->value) {
        h->next = handles;
        handles = h;
    }
    pthread_mutex_unlock(&handles_lock);
    if (h->value == 0) {
        free(h);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    *handle = (void *)(uintptr_t)h->value;
    return STATUS_SUCCESS;
}

NTSTATUS nt_handle_object(void *handle, const struct nt_object_type *type, bool reference,
                          struct nt_handle_info *info)
{
    NTSTATUS status = STATUS_INVALID_HANDLE;
    struct handle **p;

    pthread_mutex_lock(&handles_lock);
    p = find_locked((uint64_t)(uintptr_t)handle);
    if (p && type && (*p)->type != type) {
        status = STATUS_OBJECT_TYPE_MISMATCH;
    } else if (p) {
        *info = (struct nt_handle_info){(*p)->object, (*p)->type, (*p)->access};
        /* Under the table's lock: the handle's own reference keeps the object meanwhile. */
        if (reference && (*p)->type->delete)
            nt_object_reference((*p)->object, (*p)->type, NT_HELD_BY_DRIVER);
        status = STATUS_SUCCESS;
    }
    pthread_mutex_unlock(&handles_lock);
    return status;
}

void nt_handle_close(void *handle, uint64_t caller)
{
    struct handle **p, *h = NULL;

    pthread_mutex_lock(&handles_lock);
    p = find_locked((uint64_t)(uintptr_t)handle);
    if (p) {
        h = *p;
        *p = h->next;
    }
    pthread_mutex_unlock(&handles_lock);
    if (h == NULL && (handle == CURRENT_PROCESS || handle == CURRENT_THREAD)) {
        /* Windows looks the pseudo-handle up in the process's table and fails it likewise. */
        nt_log("*** ZwClose(%s): a pseudo-handle names the caller's own %s; nothing opened it, "
               "so nothing may close it\n",
               handle == CURRENT_THREAD ? "NtCurrentThread()" : "NtCurrentProcess()",
               handle == CURRENT_THREAD ? "thread" : "process");
        nt_bugcheck(INVALID_KERNEL_HANDLE, (uint64_t)(uintptr_t)handle, 1, 0, 0, caller);
    }
    if (h == NULL) {
        nt_log("*** ZwClose(%p): no handle of that value is open\n", handle);
        /* Parameter 2: 1, an invalid handle closed (0 would be a protected one). */
        nt_bugcheck(INVALID_KERNEL_HANDLE, (uint64_t)(uintptr_t)handle, 1, 0, 0, caller);
    }
    if (h->type->delete)
        nt_object_dereference(h->object, NT_HELD_BY_KERNEL, caller, "ZwClose");
    free(h);
}

size_t nt_handles_report_leaks(uint64_t image_base, uint64_t image_size)
{
    char where[1200], what[600];
    size_t leaks = 0;

    pthread_mutex_lock(&handles_lock);
    for (struct handle *h = handles; h; h = h->next) {
        if (h->caller < image_base || h->caller >= image_base + image_size)
            continue;
        nt_describe_address(h->caller, where, sizeof(where));
        h->type->describe(h->object, what, sizeof(what));
        nt_log("handle: leaked %#llx, %s %s, opened by %s\n", (unsigned long long)h->value,
               h->type->name, what, where);
        leaks++;
    }
    pthread_mutex_unlock(&handles_lock);
    return leaks;
}

void nt_object_attributes_check(const OBJECT_ATTRIBUTES *attributes, uint64_t caller,
                                const char *function)
{
    if (attributes->Length != sizeof(OBJECT_ATTRIBUTES))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s: OBJECT_ATTRIBUTES.Length %u (InitializeObjectAttributes sets %zu)",
                         function, attributes->Length, sizeof(OBJECT_ATTRIBUTES));
    if (attributes->Attributes & ~(uint32_t)OBJ_VALID_ATTRIBUTES)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "%s: attributes %#x Windows does not know",
                         function, attributes->Attributes);
    /*
     * Without OBJ_KERNEL_HANDLE the handle would go to the table of
     * whichever process the caller runs in, where that process's user mode
     * can use or close it. The Zw and PsCreateSystemThread documentation:
     * "If the caller is not running in a system thread context, it must set
     * the OBJ_KERNEL_HANDLE attribute"; a driver cannot know its context
     * (a dispatch routine runs in the requester's), so it must always set it.
     */
    if (!(attributes->Attributes & OBJ_KERNEL_HANDLE))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s without OBJ_KERNEL_HANDLE: a driver's handle must be a kernel handle",
                         function);
}

static NT_EXPORT NTSTATUS ZwClose(void *handle)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    nt_handle_close(handle, caller);
    return STATUS_SUCCESS;
}
NT_REGISTER(NTOSKRNL, ZwClose);

/*
 * ObReferenceObjectByHandle(NtCurrentThread()): the calling thread,
 * referenced, as Windows gives it (all access granted). Only threads
 * PsCreateSystemThread made are objects here: on the kernel's own threads
 * (DriverEntry's, a DPC's, a work item's) that is not implemented.
 */
static NTSTATUS current_thread(uint32_t desired_access, const struct nt_object_type *type,
                               int8_t mode, void **object, OBJECT_HANDLE_INFORMATION *information,
                               uint64_t caller)
{
    struct nt_thread *self = nt_current();

    if (type && type != &nt_thread_type)
        return STATUS_OBJECT_TYPE_MISMATCH;
    if (mode != 0 && (desired_access & ~THREAD_ALL_ACCESS))
        return STATUS_ACCESS_DENIED;
    if (self == NULL || nt_object_reference(self, &nt_thread_type, NT_HELD_BY_DRIVER) == 0)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "ObReferenceObjectByHandle(NtCurrentThread()) on thread %s: only threads "
                         "PsCreateSystemThread made are objects (the kernel's own are not "
                         "implemented)",
                         self ? self->name : "(none)");
    *object = self;
    if (information)
        *information = (OBJECT_HANDLE_INFORMATION){0, THREAD_ALL_ACCESS};
    return STATUS_SUCCESS;
}

/*
 * Only thread handles give objects here: the kernel keeps no references
 * to its other objects (registry keys live as long as it), so
 * ObDereferenceObject could not take one back.
 */
static NT_EXPORT NTSTATUS ObReferenceObjectByHandle(void *handle, uint32_t desired_access,
                                                    const struct nt_object_type *type, int8_t mode,
                                                    void **object,
                                                    OBJECT_HANDLE_INFORMATION *information)
{
    uint64_t caller = NT_CALLER;
    struct nt_handle_info found;
    NTSTATUS status;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    /*
     * The WDK declares extern POBJECT_TYPE *PsThreadType (the import slot
     * itself), mingw-w64 adds dllimport: its *PsThreadType reads one level
     * too deep, the object type's first bytes, on Windows as here.
     */
    if (type && (const void *)type == (const void *)nt_thread_type.name)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "ObReferenceObjectByHandle(%p) given the first bytes of the thread "
                         "object type: mingw-w64 declares PsThreadType dllimport, so a driver "
                         "built with it passes (POBJECT_TYPE)PsThreadType, not *PsThreadType",
                         handle);
    if (object == NULL || (type && type != &nt_thread_type && type != &nt_key_type))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "ObReferenceObjectByHandle(%p): no Object pointer, or an object type "
                         "%p the kernel does not have",
                         handle, (const void *)type);
    *object = NULL;
    if (handle == CURRENT_THREAD)
        return current_thread(desired_access, type, mode, object, information, caller);
    if (handle == CURRENT_PROCESS)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "ObReferenceObjectByHandle(NtCurrentProcess()): process objects are not "
                         "implemented");
    /* Kernel handles are not valid for a request made on behalf of user mode. */
    if (mode != 0)
        return STATUS_INVALID_HANDLE;
    status = nt_handle_object(handle, type, true, &found);
    if (!NT_SUCCESS(status))
        return status;
    if (found.type != &nt_thread_type) /* so no reference was taken */
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "ObReferenceObjectByHandle(%p): a %s handle (references to objects other "
                         "than threads are not implemented)",
                         handle, found.type->name);
    *object = found.object;
    /* KernelMode: the access asked for is not checked against the handle's (as documented). */
    (void)desired_access;
    if (information)
        *information = (OBJECT_HANDLE_INFORMATION){OBJ_KERNEL_HANDLE, found.access};
    return STATUS_SUCCESS;
}
NT_REGISTER(NTOSKRNL, ObReferenceObjectByHandle);
