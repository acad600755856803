/*
 * sim/nt/cpu/cpuid_faulting.h - making CPUID fault in user space
 * (arch_prctl ARCH_SET_CPUID, per thread, inherited by new threads).
 * Internal to sim/nt/cpu.
 */
#ifndef WINPV_SIM_NT_CPU_CPUID_FAULTING_H
#define WINPV_SIM_NT_CPU_CPUID_FAULTING_H

#include <stdbool.h>
#include <ucontext.h>

/* Makes CPUID fault on the calling thread (@on) or run natively again.
 * Returns 0, or -ENOTSUP when the host cannot make it fault. */
int nt_cpuid_faulting_set(bool on);

/*
 * Host code (not an image) that ran CPUID while it faults: runs the real
 * CPUID for it, with faulting off for that moment, and moves RIP past it.
 * False when the instruction at RIP is not CPUID or CPUID does not fault on
 * this thread. For the signal handler.
 */
bool nt_cpuid_run_for_host(ucontext_t *uc);

#endif /* WINPV_SIM_NT_CPU_CPUID_FAULTING_H */
