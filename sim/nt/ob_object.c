/*
 * sim/nt/ob_object.c - the object table (see ob.h): which objects have
 * references, of what type, and how many are the kernel's own;
 * ObfReferenceObject and ObfDereferenceObject.
 *
 * The table is a list of headers: few objects live at once (system
 * threads and device objects), and a pointer a driver passes is looked
 * up, never trusted, so one that names no object is caught.
 */
#include <stdlib.h>

#include "exports_impl.h"
#include "kernel.h"
#include "ob.h"

#define REFERENCE_BY_POINTER 0x18

static pthread_mutex_t objects_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nt_object_header *objects;

void nt_object_insert(struct nt_object_header *header, void *body,
                      const struct nt_object_type *type, unsigned int kernel_references)
{
    *header = (struct nt_object_header){NULL, body, type, kernel_references, kernel_references};
    pthread_mutex_lock(&objects_lock);
    header->next = objects;
    objects = header;
    pthread_mutex_unlock(&objects_lock);
}

/* Where the header of @object is linked, or NULL; objects_lock held. */
static struct nt_object_header **find_locked(const void *object)
{
    for (struct nt_object_header **p = &objects; *p; p = &(*p)->next) {
        if ((*p)->body == object)
            return p;
    }
    return NULL;
}

unsigned int nt_object_reference(void *object, const struct nt_object_type *type,
                                 enum nt_holder holder)
{
    struct nt_object_header **p;
    unsigned int references = 0;

    pthread_mutex_lock(&objects_lock);
    p = find_locked(object);
    if (p && (type == NULL || (*p)->type == type)) {
        references = ++(*p)->references;
        if (holder == NT_HELD_BY_KERNEL)
            (*p)->kernel_references++;
    }
    pthread_mutex_unlock(&objects_lock);
    return references;
}

unsigned int nt_object_dereference(void *object, enum nt_holder holder, uint64_t caller,
                                   const char *function)
{
    struct nt_object_header **p, *h = NULL;
    unsigned int references = 0, kernel_references = 0;
    bool over = false;

    pthread_mutex_lock(&objects_lock);
    p = find_locked(object);
    if (p) {
        h = *p;
        kernel_references = h->kernel_references;
        if (holder == NT_HELD_BY_KERNEL && h->kernel_references == 0) {
            nt_log("ob: %s(%p) drops a reference the kernel does not hold\n", function, object);
            abort(); /* the simulator's own bug, not a driver's */
        }
        over = holder == NT_HELD_BY_DRIVER && h->references == h->kernel_references;
    }
    if (h && !over) {
        references = --h->references;
        if (holder == NT_HELD_BY_KERNEL)
            h->kernel_references--;
        if (references == 0)
            *p = h->next;
    }
    pthread_mutex_unlock(&objects_lock);
    if (h == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s(%p): not an object the kernel counts references of (system threads "
                         "and device objects)",
                         function, object);
    if (over) {
        nt_log("*** %s(%p): an over-dereference: the %u reference(s) left are the kernel's own "
               "(a running thread's, a handle's, a device's until IoDeleteDevice), and taking "
               "one frees the %s while the kernel uses it\n",
               function, object, kernel_references, h->type->name);
        nt_bugcheck(REFERENCE_BY_POINTER, (uint64_t)(uintptr_t)h->type, (uint64_t)(uintptr_t)object,
                    0, 0, caller);
    }
    if (references == 0)
        h->type->delete (object);
    return references;
}

static NT_EXPORT int64_t ObfReferenceObject(void *object)
{
    uint64_t caller = NT_CALLER;
    unsigned int references;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    references = nt_object_reference(object, NULL, NT_HELD_BY_DRIVER);
    if (references == 0)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "ObfReferenceObject(%p): not an object the kernel counts references of "
                         "(system threads and device objects)",
                         object);
    return references;
}
NT_REGISTER(NTOSKRNL, ObfReferenceObject);

static NT_EXPORT int64_t ObfDereferenceObject(void *object)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    return nt_object_dereference(object, NT_HELD_BY_DRIVER, caller, __func__);
}
NT_REGISTER(NTOSKRNL, ObfDereferenceObject);
