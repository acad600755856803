/*
 * sim/nt/cpu/cpuid_faulting.c - CPUID faulting on the hosts that have it
 * (Intel; AMD answers ENODEV).
 */
#include "cpuid_faulting.h"

#include "cpu.h"

#include <asm/prctl.h>
#include <cpuid.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ARCH_GET_CPUID: 1 while CPUID runs natively, 0 while it faults. */
static bool cpuid_faults(void)
{
    return syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0) == 0;
}

static int set_native(bool native)
{
    return syscall(SYS_arch_prctl, ARCH_SET_CPUID, native ? 1 : 0) == 0 ? 0 : -errno;
}

int nt_cpuid_faulting_set(bool on)
{
    int rc;

    if (on == cpuid_faults())
        return 0;
    rc = set_native(!on);
    return rc == -ENODEV ? -ENOTSUP : rc;
}

bool nt_cpu_cpuid_faulting_available(void)
{
    if (cpuid_faults())
        return true;
    if (set_native(false) != 0)
        return false;
    set_native(true);
    return true;
}

bool nt_cpuid_run_for_host(ucontext_t *uc)
{
    static const uint8_t cpuid_bytes[2] = {0x0f, 0xa2};
    greg_t *regs = uc->uc_mcontext.gregs;
    unsigned int eax, ebx, ecx, edx;

    if (memcmp((const void *)regs[REG_RIP], cpuid_bytes, sizeof(cpuid_bytes)) != 0 ||
        !cpuid_faults())
        return false;
    set_native(true);
    __cpuid_count((unsigned int)regs[REG_RAX], (unsigned int)regs[REG_RCX], eax, ebx, ecx, edx);
    set_native(false);
    regs[REG_RAX] = eax;
    regs[REG_RBX] = ebx;
    regs[REG_RCX] = ecx;
    regs[REG_RDX] = edx;
    regs[REG_RIP] += sizeof(cpuid_bytes);
    return true;
}
