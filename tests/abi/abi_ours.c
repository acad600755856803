/*
 * tests/abi/abi_ours.c - the ABI facts as include/xen states them. Compiled
 * with include/ as its only include path and no system headers at all, so
 * Debian's headers cannot stand in for ours, and ours may use nothing but
 * the compiler's own <stdint.h> and <stddef.h>.
 */
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

#ifdef __XEN_PUBLIC_XEN_H__
#error "Debian's Xen headers are in view; this file must see only include/xen"
#endif

#include "abi_expand.h"

#define ABI_PICK(theirs, ours) ours

const struct abi_entry abi_ours[] = {
#include "abi_list.h"
};
const size_t abi_ours_count = sizeof(abi_ours) / sizeof(abi_ours[0]);

#define ABI_NAMED_VALUE(name, value) {#name, value},

static const struct abi_named_value ours_errno[] = {XEN_ERRNO_LIST(ABI_NAMED_VALUE)};

size_t abi_ours_errno(const struct abi_named_value **list)
{
    *list = ours_errno;
    return sizeof(ours_errno) / sizeof(ours_errno[0]);
}

static const struct abi_named_value ours_xsd_errors[] = {XSD_ERRORS(ABI_NAMED_VALUE)};

size_t abi_ours_xsd_errors(const struct abi_named_value **list)
{
    *list = ours_xsd_errors;
    return sizeof(ours_xsd_errors) / sizeof(ours_xsd_errors[0]);
}
