/*
 * tests/sim/nt/ntabi_win64.c - the simulated kernel's structures (sim/nt/ntabi.h,
 * written for LP64) against mingw-w64's own, under the Windows x64
 * toolchain: every member of ntabi_list.h at the same offset, every type of
 * the same size, every constant of the same value. A difference fails the
 * build.
 */
#include "nt_headers.h"
#include "xenvbd/storport_abi.h"

#include "ntabi_expected.h"

#ifndef _WIN64
#error "this file checks the Windows x64 layout"
#endif

/* mingw-w64 leaves out the WDK's 16-byte alignment of DEVICE_OBJECT. */
#define NTABI_SIZE(type)                              \
    _Static_assert(sizeof(type) == NTABI_SIZE_##type, \
                   "sizeof " #type " differs from the simulated kernel's");
#define NTABI_FIELD(key, type, member)                        \
    _Static_assert(offsetof(type, member) == NTABI_OFF_##key, \
                   "offset of " #type "." #member " differs from the simulated kernel's");
#define NTABI_CONST(name)                                   \
    _Static_assert((long long)(name) == NTABI_CONST_##name, \
                   #name " differs from the simulated kernel's");
#include "nt/ntabi_list.h"

/* Referenced so the object is not empty. */
const int ntabi_checked = 1;
