/*
 * os/nt/os_nt.h - what only the Windows implementation of the seam offers,
 * for the driver shells in windows/.
 */
#ifndef WINPV_OS_NT_H
#define WINPV_OS_NT_H

#include "nt_headers.h"

/*
 * Find Xen through the CPUID leaves from 0x40000000 and choose the
 * hypercall instruction (VMCALL or VMMCALL) from the CPU vendor. Returns
 * STATUS_SUCCESS, or STATUS_NOT_SUPPORTED when not running on Xen. Until it
 * succeeds os_hypercall answers -XEN_ENOSYS. Context: passive.
 */
NTSTATUS os_nt_hypercall_init(void);

/* Stop making hypercalls. Context: passive, no hypercall in progress. */
void os_nt_hypercall_fini(void);

#endif /* WINPV_OS_NT_H */
