/*
 * sim/nt/ob.h - the object manager as drivers meet it: kernel handles
 * (ob_handle.c), each naming a referenced object of a type, and the
 * OBJECT_ATTRIBUTES the Zw and Ps functions are given.
 *
 * Every handle is a kernel handle (OBJ_KERNEL_HANDLE): its value has the
 * top bit set and is a multiple of 4, as Windows's kernel handles are, and
 * a value is never given twice, so a handle closed twice or used after its
 * close is always caught. Closing a handle that is not open stops the
 * machine as Windows does (INVALID_KERNEL_HANDLE). A handle still open when
 * the image that opened it unloads is reported as a leak.
 *
 * Lock order: the handle table's lock is taken alone (an object's
 * reference functions run outside it).
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
    /* Another reference to @object; NULL when its objects live as long as the kernel. */
    void (*reference)(void *object);
    void (*dereference)(void *object);
    /* What @object is, for a person (a key's path). */
    void (*describe)(const void *object, char *out, size_t size);
};

extern const struct nt_object_type nt_thread_type; /* ps_thread.c */
extern const struct nt_object_type nt_key_type;    /* zw_registry.c */

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
 * A new handle to @object, which takes over a reference the caller holds;
 * @access is the granted access, generic rights already mapped. @caller is
 * the driver's code that opened it (for the leak report).
 * STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS nt_handle_create(void *object, const struct nt_object_type *type, uint32_t access,
                          uint64_t caller, void **handle);
/*
 * The object @handle names, if it is of @type (NULL: any), with the access
 * granted (@access unless NULL) and, when @reference, a reference taken for
 * the caller. STATUS_SUCCESS, STATUS_INVALID_HANDLE or
 * STATUS_OBJECT_TYPE_MISMATCH.
 */
NTSTATUS nt_handle_object(void *handle, const struct nt_object_type *type, bool reference,
                          void **object, uint32_t *access);
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

/* Threads (ps_thread.c): whether @object is a thread PsCreateSystemThread made. */
bool nt_thread_object(const void *object);
/* The start routine of a thread started in [base, base + size) still running, or 0. */
uint64_t nt_threads_running_in(uint64_t base, uint64_t size);

#endif /* WINPV_SIM_NT_OB_H */
