/*
 * sim/nt/io_file.c - user mode's handles on devices, as the I/O manager
 * serves CreateFile, DeviceIoControl, CancelIoEx and CloseHandle on a
 * device interface: IRP_MJ_CREATE to the top of the device's stack with a
 * file object, IRP_MJ_DEVICE_CONTROL with the caller's buffers,
 * IoCancelIrp, then IRP_MJ_CLEANUP and IRP_MJ_CLOSE.
 *
 * Stricter than Windows where a driver could get away with less: the
 * access a control code requires is checked against the handle's before
 * the driver sees the request (as Windows does); a driver that says it
 * returned more bytes than the output buffer holds, or does not complete
 * a cancelled request within the IRP timeout, stops the guest. Only
 * METHOD_BUFFERED is implemented, and one request in flight per handle;
 * anything else is refused by name.
 *
 * Lock order: a file's lock, then the I/O manager's IRP lock.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io.h"
#include "clock.h"
#include "kernel.h"
#include "ob.h"

#define NONPAGED_POOL         0
#define BUFFER_TAG            0x66427349 /* 'IsBf' */
#define USER_MODE             1
#define IRP_BUFFERED_IO       0x00000010
#define IRP_DEALLOCATE_BUFFER 0x00000020
#define IRP_INPUT_OPERATION   0x00000040

struct nt_file {
    FILE_OBJECT object; /* what the driver sees */
    DEVICE_OBJECT *top; /* the stack's top at the open: every request goes there */
    uint32_t access;    /* FILE_READ_DATA, FILE_WRITE_DATA granted */
    unsigned int timeout_ms;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    IRP *in_flight; /* under lock */
};

/* A request of @major for @f's stack, its next location filled in but for its parameters. */
static IRP *request(struct nt_file *f, uint8_t major)
{
    IRP *irp = nt_irp_alloc(f->top->StackSize);
    IO_STACK_LOCATION *stack;

    if (irp == NULL)
        return NULL;
    irp->RequestorMode = USER_MODE;
    irp->Tail.Overlay.Thread = nt_current();
    irp->Tail.Overlay.OriginalFileObject = &f->object;
    stack = nt_irp_next_stack(irp);
    stack->MajorFunction = major;
    stack->FileObject = &f->object;
    return irp;
}

/* Send a request the driver must finish within the timeout (create, cleanup, close). */
static NTSTATUS send_bounded(struct nt_file *f, uint8_t major, IO_SECURITY_CONTEXT *security)
{
    IRP *irp = request(f, major);
    NTSTATUS status;

    if (irp == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (security)
        nt_irp_next_stack(irp)->Parameters.Create.SecurityContext = security;
    status = nt_irp_send_and_wait(f->top, irp, f->timeout_ms);
    nt_irp_free(irp);
    return status;
}

NTSTATUS nt_file_open(const GUID *guid, enum nt_identity who, uint32_t access,
                      unsigned int timeout_ms, struct nt_file **out)
{
    IO_SECURITY_CONTEXT security = {.DesiredAccess = access};
    char link[NT_DEVICE_INSTANCE_MAX + 64];
    DEVICE_OBJECT *pdo = nt_interface_find(guid, link, sizeof(link));
    struct nt_file *f;
    NTSTATUS status;

    if (pdo == NULL)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    status = nt_security_check(pdo, who, access);
    if (!NT_SUCCESS(status)) {
        nt_log("io: %s may not open %s: %#x\n", nt_identity_name(who), link, (unsigned)status);
        return status;
    }
    f = calloc(1, sizeof(*f));
    if (f == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    f->top = nt_device_top(pdo);
    f->access = access;
    f->timeout_ms = timeout_ms;
    f->object.Type = NT_TYPE_FILE;
    f->object.Size = sizeof(FILE_OBJECT);
    f->object.DeviceObject = pdo;
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->changed, NULL);
    /* The handle holds the stack's top while it is open. */
    nt_object_reference(f->top, &nt_device_type, NT_HELD_BY_KERNEL);
    status = send_bounded(f, IRP_MJ_CREATE, &security);
    nt_log("io: user mode opens %s: %#x\n", link, (unsigned)status);
    if (!NT_SUCCESS(status)) {
        nt_object_dereference(f->top, NT_HELD_BY_KERNEL, 0, "a failed open's handle");
        free(f);
        return status;
    }
    *out = f;
    return STATUS_SUCCESS;
}

/* The access control code @code requires (CTL_CODE's Access field) granted in @access. */
static bool access_allowed(uint32_t code, uint32_t access)
{
    uint32_t required = (code >> 14) & 3;

    return (!(required & FILE_READ_ACCESS) || (access & FILE_READ_DATA)) &&
           (!(required & FILE_WRITE_ACCESS) || (access & FILE_WRITE_DATA));
}

NTSTATUS nt_file_ioctl(struct nt_file *f, uint32_t code, const void *in, uint32_t in_length,
                       void *out, uint32_t out_length, uint32_t *returned)
{
    uint32_t size = in_length > out_length ? in_length : out_length;
    IO_STACK_LOCATION *stack;
    void *buffer = NULL;
    NTSTATUS status;
    uint64_t information;
    IRP *irp;

    *returned = 0;
    if ((code & 3) != METHOD_BUFFERED) {
        nt_log("io: control code %#x: only METHOD_BUFFERED is implemented\n", code);
        return STATUS_NOT_IMPLEMENTED;
    }
    if (!access_allowed(code, f->access))
        return STATUS_ACCESS_DENIED;
    if (size) {
        buffer = nt_pool_alloc_block(NONPAGED_POOL, size, BUFFER_TAG, 0);
        if (buffer == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        memset(buffer, 0, size);
        if (in_length)
            memcpy(buffer, in, in_length);
    }
    irp = request(f, IRP_MJ_DEVICE_CONTROL);
    if (irp == NULL) {
        if (buffer)
            nt_pool_free(buffer, BUFFER_TAG, true, 0);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    irp->AssociatedIrp.SystemBuffer = buffer;
    irp->UserBuffer = out;
    irp->Flags = IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | (out_length ? IRP_INPUT_OPERATION : 0);
    stack = nt_irp_next_stack(irp);
    stack->Parameters.DeviceIoControl.IoControlCode = code;
    stack->Parameters.DeviceIoControl.InputBufferLength = in_length;
    stack->Parameters.DeviceIoControl.OutputBufferLength = out_length;

    pthread_mutex_lock(&f->lock);
    if (f->in_flight) {
        pthread_mutex_unlock(&f->lock);
        nt_log("io: a second request in flight on one handle: not implemented\n");
        nt_irp_free(irp);
        if (buffer)
            nt_pool_free(buffer, BUFFER_TAG, true, 0);
        return STATUS_NOT_IMPLEMENTED;
    }
    f->in_flight = irp;
    pthread_mutex_unlock(&f->lock);
    nt_irp_call(f->top, irp, 0);
    nt_irp_wait(irp, 0); /* as long as it takes: CancelIoEx bounds it */

    pthread_mutex_lock(&f->lock);
    f->in_flight = NULL;
    pthread_cond_broadcast(&f->changed);
    pthread_mutex_unlock(&f->lock);
    status = irp->IoStatus.Status;
    information = irp->IoStatus.Information;
    if (NT_SUCCESS(status) && information > out_length)
        nt_verifier_fail(
            NT_VERIFY_ARGUMENT,
            (uint64_t)(uintptr_t)f->top->DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL],
            "control code %#x completed with %llu bytes for an output buffer of %u", code,
            (unsigned long long)information, out_length);
    /* The I/O manager copies back what the driver says it returned, also on a warning status. */
    if ((NT_SUCCESS(status) || (status & 0xc0000000u) == 0x80000000u) &&
        information <= out_length && information) {
        memcpy(out, buffer, information);
        *returned = (uint32_t)information;
    }
    nt_irp_free(irp);
    if (buffer)
        nt_pool_free(buffer, BUFFER_TAG, true, 0);
    return status;
}

void nt_file_cancel(struct nt_file *f)
{
    struct timespec deadline;
    IRP *irp;
    int err = 0;

    pthread_mutex_lock(&f->lock);
    irp = f->in_flight;
    if (irp)
        nt_irp_cancel(irp, 0);
    nt_deadline_after_ms(&deadline, (f->timeout_ms / 1000 + 1) * 1000ull);
    while (irp && f->in_flight == irp && err == 0)
        err = pthread_cond_timedwait(&f->changed, &f->lock, &deadline);
    pthread_mutex_unlock(&f->lock);
    if (err)
        nt_verifier_fail(
            NT_VERIFY_IRP_NOT_COMPLETED,
            (uint64_t)(uintptr_t)f->top->DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL],
            "a cancelled request was not completed within %u ms", f->timeout_ms);
}

void nt_file_close(struct nt_file *f)
{
    NTSTATUS cleanup, close;

    nt_file_cancel(f);
    cleanup = send_bounded(f, IRP_MJ_CLEANUP, NULL);
    close = send_bounded(f, IRP_MJ_CLOSE, NULL);
    nt_log("io: user mode closes its handle: cleanup %#x, close %#x\n", (unsigned)cleanup,
           (unsigned)close);
    nt_object_dereference(f->top, NT_HELD_BY_KERNEL, 0, "a closed handle");
    pthread_cond_destroy(&f->changed);
    pthread_mutex_destroy(&f->lock);
    free(f);
}
