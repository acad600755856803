/*
 * sim/nt/ob_handle.c - the kernel handle table (see ob.h), ZwClose and
 * ObReferenceObjectByHandle.
 *
 * The table is a list of the handles open: few are open at once, and each
 * handle value is new (a counter), so a stale value never names another
 * object.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "exports_impl.h"
#include "kernel.h"
#include "ob.h"

#define INVALID_KERNEL_HANDLE 0x93
#define KERNEL_HANDLE_BIT     0xffffffff80000000ull /* kernel handles: the top bit set */
#define HANDLE_VALUES         (1ull << 29)          /* values below the kernel bit, by 4 */

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
    if (++last_value == HANDLE_VALUES) /* 2^29 handles opened: the values start over */
        last_value = 1;
    h->value = KERNEL_HANDLE_BIT | last_value << 2;
    h->next = handles;
    handles = h;
    pthread_mutex_unlock(&handles_lock);
    *handle = (void *)(uintptr_t)h->value;
    return STATUS_SUCCESS;
}

/* Where the entry of @handle is linked, or NULL; handles_lock held. */
static struct handle **find_locked(void *handle)
{
    uint64_t value = (uint64_t)(uintptr_t)handle;

    for (struct handle **p = &handles; *p; p = &(*p)->next) {
        if ((*p)->value == value)
            return p;
    }
    return NULL;
}

NTSTATUS nt_handle_object(void *handle, const struct nt_object_type *type, bool reference,
                          void **object, uint32_t *access)
{
    const struct nt_object_type *found_type = NULL;
    struct handle **p;

    pthread_mutex_lock(&handles_lock);
    p = find_locked(handle);
    if (p) {
        found_type = (*p)->type;
        *object = (*p)->object;
        if (access)
            *access = (*p)->access;
    }
    pthread_mutex_unlock(&handles_lock);
    if (found_type == NULL)
        return STATUS_INVALID_HANDLE;
    if (type && found_type != type)
        return STATUS_OBJECT_TYPE_MISMATCH;
    /* The handle's own reference keeps the object while this one is taken. */
    if (reference && found_type->reference)
        found_type->reference(*object);
    return STATUS_SUCCESS;
}

void nt_handle_close(void *handle, uint64_t caller)
{
    struct handle **p, *h = NULL;

    pthread_mutex_lock(&handles_lock);
    p = find_locked(handle);
    if (p) {
        h = *p;
        *p = h->next;
    }
    pthread_mutex_unlock(&handles_lock);
    if (h == NULL) {
        nt_log("*** ZwClose(%p): no handle of that value is open\n", handle);
        /* Parameter 2: 1, an invalid handle closed (0 would be a protected one). */
        nt_bugcheck(INVALID_KERNEL_HANDLE, (uint64_t)(uintptr_t)handle, 1, 0, 0, caller);
    }
    if (h->type->dereference)
        h->type->dereference(h->object);
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
 * Only thread handles give objects here: the kernel keeps no reference
 * counts for its other objects (registry keys live as long as it), so
 * ObDereferenceObject could not take one back.
 */
static NT_EXPORT NTSTATUS ObReferenceObjectByHandle(void *handle, uint32_t desired_access,
                                                    const struct nt_object_type *type, int8_t mode,
                                                    void **object,
                                                    OBJECT_HANDLE_INFORMATION *information)
{
    uint64_t caller = NT_CALLER;
    uint32_t granted = 0;
    void *referenced;
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
    /* Kernel handles are not valid for a request made on behalf of user mode. */
    if (mode != 0)
        return STATUS_INVALID_HANDLE;
    status = nt_handle_object(handle, type, false, &referenced, &granted);
    if (!NT_SUCCESS(status))
        return status;
    /* A handle closed meanwhile is no thread handle either: the driver raced itself. */
    if (nt_handle_object(handle, &nt_thread_type, true, &referenced, NULL) != STATUS_SUCCESS)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "ObReferenceObjectByHandle(%p): not a thread handle (references to "
                         "other objects are not implemented)",
                         handle);
    *object = referenced;
    /* KernelMode: the access asked for is not checked against the handle's (as documented). */
    (void)desired_access;
    if (information)
        *information = (OBJECT_HANDLE_INFORMATION){OBJ_KERNEL_HANDLE, granted};
    return STATUS_SUCCESS;
}
NT_REGISTER(NTOSKRNL, ObReferenceObjectByHandle);
