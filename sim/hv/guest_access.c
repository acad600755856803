/*
 * sim/hv/guest_access.c - hypercall arguments are read from and written to
 * the guest process's memory at the addresses it passed, as Xen copies them
 * from guest virtual memory. A bad address is -XEN_EFAULT, never a crash.
 */
#include <sys/uio.h>

#include <xen/errno.h>

#include "hv.h"

int copy_from_guest(struct conn *c, void *dst, uint64_t guest_va, size_t len)
{
    struct iovec local = {.iov_base = dst, .iov_len = len};
    struct iovec remote = {.iov_base = (void *)(uintptr_t)guest_va, .iov_len = len};

    if (len == 0)
        return 0;
    if (guest_va == 0 || c->pid <= 0)
        return -XEN_EFAULT;
    return process_vm_readv(c->pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -XEN_EFAULT;
}

int copy_to_guest(struct conn *c, uint64_t guest_va, const void *src, size_t len)
{
    struct iovec local = {.iov_base = (void *)src, .iov_len = len};
    struct iovec remote = {.iov_base = (void *)(uintptr_t)guest_va, .iov_len = len};

    if (len == 0)
        return 0;
    if (guest_va == 0 || c->pid <= 0)
        return -XEN_EFAULT;
    return process_vm_writev(c->pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -XEN_EFAULT;
}
