/*
 * tests/abi/abi_win64.c - include/xen under the Windows x64 toolchain
 * (LLP64: long is 32 bits) against the facts of Debian's Xen headers,
 * which abi_gen wrote into abi_expected.h. Every entry of abi_list.h is a
 * static assertion, so a difference fails the build.
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

#include <stddef.h>
#include <stdint.h>

#include "abi_expected.h"
#include "abi_kinds.h"

#ifndef _WIN64
#error "this file checks the Windows x64 view of the headers"
#endif
_Static_assert(sizeof(long) == 4, "the toolchain must be LLP64, as the Windows kernel is");

/* An integer fact: value, width and signedness as in Xen's headers. */
#define ABI_CHECK_INT(label, expr, xen_value, xen_width, xen_signed)                     \
    _Static_assert((uint64_t)(expr) == (xen_value), label ": value differs from Xen's"); \
    _Static_assert(sizeof(expr) == (xen_width), label ": width differs from Xen's");     \
    _Static_assert(ABI_IS_SIGNED(expr) == (xen_signed), label ": signedness differs from Xen's");

/*
 * The expected values are named after the entry's key. A key made here by
 * pasting (sizeof_struct_x) is no macro, so it may be passed on before
 * being pasted again; a constant's own name must be pasted at once.
 */
#define ABI_CHECK_KEY(key, expr) \
    ABI_CHECK_INT(#key, expr, ABI_EXPECT_##key, ABI_WIDTH_##key, ABI_SIGNED_##key)

#define ABI_CHECK_MEMBER(key_tail, type, path)               \
    ABI_CHECK_KEY(offsetof_##key_tail, offsetof(type, path)) \
    ABI_CHECK_KEY(sizeof_##key_tail, sizeof(((type *)0)->path))

#define ABI_AREA(name)
#define ABI_SIZE(kind, name)     ABI_CHECK_KEY(sizeof_##kind##_##name, sizeof(ABI_TYPE_##kind(name)))
#define ABI_FIELD(kind, name, f) ABI_CHECK_MEMBER(kind##_##name##_##f, ABI_TYPE_##kind(name), f)
#define ABI_FIELD2(kind, name, f, g) \
    ABI_CHECK_MEMBER(kind##_##name##_##f##_##g, ABI_TYPE_##kind(name), f.g)
#define ABI_FIELD3(kind, name, f, g, h) \
    ABI_CHECK_MEMBER(kind##_##name##_##f##_##g##_##h, ABI_TYPE_##kind(name), f.g.h)
#define ABI_FIELD_FLEX(kind, name, f) \
    ABI_CHECK_KEY(offsetof_##kind##_##name##_##f, offsetof(ABI_TYPE_##kind(name), f))
#define ABI_CONST(name) \
    ABI_CHECK_INT(#name, name, ABI_EXPECT_##name, ABI_WIDTH_##name, ABI_SIGNED_##name)
#define ABI_EXPR(key, expr) \
    ABI_CHECK_INT(#key, expr, ABI_EXPECT_##key, ABI_WIDTH_##key, ABI_SIGNED_##key)
#define ABI_PAIR(key, theirs, ours) \
    ABI_CHECK_INT(#key, ours, ABI_EXPECT_##key, ABI_WIDTH_##key, ABI_SIGNED_##key)
#define ABI_TEXT(name) \
    _Static_assert(sizeof(name) == ABI_WIDTH_##name, #name ": length differs from Xen's");

#include "abi_list.h"
