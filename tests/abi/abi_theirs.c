/*
 * tests/abi/abi_theirs.c - the ABI facts as Debian's Xen 4.17 headers
 * (/usr/include/xen) state them. Compiled with no include path of the
 * project's, so include/xen cannot stand in for them.
 */
#include <errno.h> /* before xs_wire.h, which lists xsd_errors only if errno is known */
#include <stddef.h>
#include <stdint.h>

/* A guest kernel's view: the newest interface, without the toolstack's parts. */
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__

#include <xen/xen.h>
#include <xen/arch-x86/cpuid.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/io/blkif.h>
#include <xen/io/console.h>
#include <xen/io/netif.h>
#include <xen/io/ring.h>
#include <xen/io/xenbus.h>
#include <xen/io/xs_wire.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/version.h>

#ifdef WINPV_XEN_XEN_H
#error "the project's include/xen is in view; this file must see only Debian's headers"
#endif

#include "abi_expand.h"

#define ABI_PICK(theirs, ours) theirs

const struct abi_entry abi_theirs[] = {
#include "abi_list.h"
};
const size_t abi_theirs_count = sizeof(abi_theirs) / sizeof(abi_theirs[0]);

/*
 * Xen's errno.h expands XEN_ERRNO(name, value) once per error when the
 * includer defines it. Two errors (EINTR, ERESTART) are listed only for
 * Xen itself; include/xen/errno.h has them too, so ask for them.
 */
static const struct abi_named_value theirs_errno[] = {
#define __XEN__
#define XEN_ERRNO(name, value) {#name, value},
#include <xen/errno.h>
#undef __XEN__
};

size_t abi_theirs_errno(const struct abi_named_value **list)
{
    *list = theirs_errno;
    return sizeof(theirs_errno) / sizeof(theirs_errno[0]);
}

/* xsd_errors is an array of {errnum, errstring}, copied into our form. */
static struct abi_named_value theirs_xsd_errors[sizeof(xsd_errors) / sizeof(xsd_errors[0])];

size_t abi_theirs_xsd_errors(const struct abi_named_value **list)
{
    size_t count = sizeof(xsd_errors) / sizeof(xsd_errors[0]);

    for (size_t i = 0; i < count; i++) {
        theirs_xsd_errors[i].name = xsd_errors[i].errstring;
        theirs_xsd_errors[i].value = xsd_errors[i].errnum;
    }
    *list = theirs_xsd_errors;
    return count;
}
