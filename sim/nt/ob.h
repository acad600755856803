/*
 * sim/nt/ob.h - the object manager as drivers meet it: objects and their
 * references (ob_object.c: ObfReferenceObject, ObfDereferenceObject),
 * kernel handles (ob_handle.c), each naming an object of a type, and the
 * OBJECT_ATTRIBUTES the Zw and Ps functions are given.
 *
 * An object with references (a system thread, a device object) has an
 * nt_object_header, as a Windows object has an OBJECT_HEADER: its type
 * and its references. Some of these the kernel holds itself: a running
 * thread its own, each handle one, a device one until IoDeleteDevice.
 * A driver's ObDereferenceObject that would take one of those (an
 * over-dereference: on Windows the object is freed while the kernel
 * still uses it) stops the machine with REFERENCE_BY_POINTER, as Windows
 * does when a count drops below what the object's handles hold. The last
 * reference frees the object. Registry keys live as long as the
 * registry: their type keeps no references.
 *
 * Every handle is a kernel handle (OBJ_KERNEL_HANDLE): its value has the
 * top bit set and is a multiple of 4, as Windows's kernel handles are.
 * Values come from a counter that skips those still open: a value is
 * never given to two open handles, and one closed comes back only after
 * 2^29 - 1 more handles were opened, so a handle closed twice or used
 * after its close is caught short of that. Closing a handle that is not
 * open stops the machine as Windows does (INVALID_KERNEL_HANDLE). A handle
 * still open when the image that opened it unloads is reported as a leak.
 *
 * Lock order: the handle table's lock, then the object table's; an
 * object type's delete runs under neither.
 */
#ifndef WINPV_SIM_NT_OB_H
#define WINPV_SIM_NT_OB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntabi.h"

/* What POBJECT_TYPE points to: how the kernel keeps objects of one type alive. */
struct nt_object_type {
    const char *name; /* "Thread", "Key" */
    /* Free @object, its last reference gone; NULL when its objects live as long as the kernel. */
    void (*delete)(void *object);
    /* What @object is, for a person (a key's path). */
    void (*describe)(const void *object, char *out, size_t size);
};

extern const struct nt_object_type nt_thread_type; /* ps_thread.c */
extern const struct nt_object_type nt_key_type;    /* zw_registry.c */
extern const struct nt_object_type nt_device_type; /* io_device.c */

/* An object's header (OBJECT_HEADER), kept beside the object by its owner; the object table's. */
struct nt_object_header {
    struct nt_object_header *next;
    void *body; /* the object drivers are given */
    const struct nt_object_type *type;
    unsigned int references;        /* every reference */
    unsigned int kernel_references; /* of those, the ones the kernel holds itself */
};

/* Whose a reference is: a driver's (ObReferenceObject) or the kernel's own. */
enum nt_holder {
    NT_HELD_BY_DRIVER,
    NT_HELD_BY_KERNEL,
};

/*
 * Make @body an object of @type (one with a delete), with
 * @kernel_references references the kernel holds; @header lives as long
 * as @body. Any thread.
 */
void nt_object_insert(struct nt_object_header *header, void *body,
                      const struct nt_object_type *type, unsigned int kernel_references);
/*
 * Another reference to @object for @holder if it is an object of @type
 * (NULL: of any type): the references it has now, or 0 when it is none.
 */
unsigned int nt_object_reference(void *object, const struct nt_object_type *type,
                                 enum nt_holder holder);
/*
 * Take back a reference @holder has to @object; the last frees it. The
 * references left. An object the kernel does not know is a verifier
 * failure, a driver's dereference of a reference only the kernel holds
 * REFERENCE_BY_POINTER; both name @function, called from @caller.
 */
unsigned int nt_object_dereference(void *object, enum nt_holder holder, uint64_t caller,
                                   const char *function);

struct nt_reg_key;
/* A new handle to registry key @key with @access, generic rights mapped to the key's (zw_registry.c). */
NTSTATUS nt_key_handle(struct nt_reg_key *key, uint32_t access, uint64_t caller, void **handle);

/* Access rights (ACCESS_MASK). */
#define NT_GENERIC_READ    0x80000000u
#define NT_GENERIC_WRITE   0x40000000u
#define NT_GENERIC_EXECUTE 0x20000000u
#define NT_GENERIC_ALL     0x10000000u
#define NT_MAXIMUM_ALLOWED 0x02000000u

/*
 * A new handle to @object, which takes over a reference the kernel holds
 * (for a type with references); @access is the granted access, generic
 * rights already mapped. @caller is the driver's code that opened it (for
 * the leak report).
 * STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS nt_handle_create(void *object, const struct nt_object_type *type, uint32_t access,
                          uint64_t caller, void **handle);
/* What a handle names. */
struct nt_handle_info {
    void *object;
    const struct nt_object_type *type;
    uint32_t access; /* granted */
};
/*
 * What @handle names, if its object is of @type (NULL: any), looked up
 * once; when @reference, a reference for a driver taken under the table's
 * lock (so a close meanwhile cannot free the object first). STATUS_SUCCESS,
 * STATUS_INVALID_HANDLE or STATUS_OBJECT_TYPE_MISMATCH.
 */
NTSTATUS nt_handle_object(void *handle, const struct nt_object_type *type, bool reference,
                          struct nt_handle_info *info);
/* Close @handle (ZwClose's work); a handle not open stops the machine (0x93). */
void nt_handle_close(void *handle, uint64_t caller);
/* Handles opened by an image's code and still open; each printed. */
size_t nt_handles_report_leaks(uint64_t image_base, uint64_t image_size);

/*
 * The checks every function taking OBJECT_ATTRIBUTES makes: the structure's
 * size, attributes Windows knows, and OBJ_KERNEL_HANDLE (a driver's handle
 * must be a kernel handle). A violation is a verifier failure.
 */
void nt_object_attributes_check(const OBJECT_ATTRIBUTES *attributes, uint64_t caller,
                                const char *function);

/* The start routine of a system thread started in [base, base + size) still running, or 0. */
uint64_t nt_threads_running_in(uint64_t base, uint64_t size);

#endif /* WINPV_SIM_NT_OB_H */
