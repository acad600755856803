/*
 * os/nt/nt_headers.h - the kernel headers, as every Windows source here
 * includes them.
 *
 * mingw-w64 10's wdm.h defines InterlockedBitTestAndSet/Reset as static
 * inline functions after psdk_inc/intrin-impl.h declared them extern; clang
 * then emits them as global symbols in every object and the link fails with
 * duplicates. So the intrinsics come first under their own names, and
 * wdm.h's copies are renamed, which keeps them private; wdm.h maps the names
 * to the compiler intrinsics right after.
 */
#ifndef WINPV_OS_NT_HEADERS_H
#define WINPV_OS_NT_HEADERS_H

#include <intrin.h>

#define InterlockedBitTestAndSet   winpv_wdm_InterlockedBitTestAndSet
#define InterlockedBitTestAndReset winpv_wdm_InterlockedBitTestAndReset
#include <ntddk.h>

/* The WDK's flags for MmMapLockedPagesSpecifyCache's Priority (Windows 8 and later), not in mingw-w64. */
#ifndef MdlMappingNoWrite
#define MdlMappingNoWrite   0x80000000
#define MdlMappingNoExecute 0x40000000
#endif

#endif /* WINPV_OS_NT_HEADERS_H */
