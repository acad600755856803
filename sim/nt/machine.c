/*
 * sim/nt/machine.c - the machine the images' privileged instructions
 * reach (struct nt_cpu_ops): Xen's CPUID leaves, the I/O ports and
 * hypercalls of winpv-simd through sim/guest, CR8 as the IRQL, and no
 * MSR at all (the hypercall page's MSR included: drivers must call Xen by
 * VMCALL or VMMCALL, XSA-466).
 */
#include <cpuid.h>
#include <signal.h>
#include <string.h>

#include <xen/version.h>
#include <xen/xen.h>

#include "kernel.h"
#include "machine.h"
#include "unwind.h"
#include "os.h"

#define XEN_LEAF_BASE      0x40000000u
#define XEN_LEAF_LAST      0x40000005u
#define HOST_LEAVES        0x20
#define HOST_EXT_LEAVES    0x10
#define HYPERVISOR_PRESENT (1u << 31) /* CPUID.1:ECX */
#define UNHANDLED_FAULT    0x1e       /* KMODE_EXCEPTION_NOT_HANDLED */

/* The host's leaves, read before CPUID faults in this process. */
static uint32_t host[HOST_LEAVES][4], host_ext[HOST_EXT_LEAVES][4];
static uint32_t xen_version;

void nt_machine_read_host(void)
{
    for (uint32_t leaf = 0; leaf < HOST_LEAVES; leaf++)
        __cpuid_count(leaf, 0, host[leaf][0], host[leaf][1], host[leaf][2], host[leaf][3]);
    for (uint32_t leaf = 0; leaf < HOST_EXT_LEAVES; leaf++)
        __cpuid_count(0x80000000u + leaf, 0, host_ext[leaf][0], host_ext[leaf][1],
                      host_ext[leaf][2], host_ext[leaf][3]);
    host[1][2] |= HYPERVISOR_PRESENT;
}

int nt_machine_ask_xen(void)
{
    int64_t version = os_hypercall(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);

    if (version < 0)
        return (int)version;
    xen_version = (uint32_t)version;
    return 0;
}

static void xen_leaf(uint32_t leaf, uint32_t out[4])
{
    memset(out, 0, 4 * sizeof(uint32_t));
    switch (leaf - XEN_LEAF_BASE) {
    case 0:
        out[0] = XEN_LEAF_LAST;
        memcpy(&out[1], "XenV", 4);
        memcpy(&out[2], "MMXe", 4);
        memcpy(&out[3], "nVMM", 4);
        break;
    case 1:
        out[0] = xen_version;
        break;
    case 2: /* hypercall pages: none offered */
        break;
    case 4: /* HVM features: the vCPU id is given (EBX) */
        out[0] = 1u << 3;
        out[1] = nt_current_vcpu();
        break;
    default:
        break;
    }
}

static void cpuid(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    if (leaf >= XEN_LEAF_BASE && leaf <= XEN_LEAF_LAST)
        xen_leaf(leaf, out);
    else if (leaf < HOST_LEAVES && leaf <= host[0][0] && subleaf == 0)
        memcpy(out, host[leaf], sizeof(host[leaf]));
    else if (leaf >= 0x80000000u && leaf < 0x80000000u + HOST_EXT_LEAVES && subleaf == 0)
        memcpy(out, host_ext[leaf - 0x80000000u], sizeof(host_ext[0]));
    else
        memset(out, 0, 4 * sizeof(uint32_t));
}

static bool no_msr_read(void *ctx, uint32_t msr, uint64_t *value)
{
    nt_log("machine: RDMSR %#x: no such MSR\n", msr);
    return false;
}

static bool no_msr_write(void *ctx, uint32_t msr, uint64_t value)
{
    nt_log("machine: WRMSR %#x <- %#llx: no such MSR (a hypercall page? use VMCALL)\n", msr,
           (unsigned long long)value);
    return false;
}

static uint32_t port_in(void *ctx, uint16_t port, unsigned int bytes)
{
    return bytes == 1 ? os_inb(port) : bytes == 2 ? os_inw(port) : os_inl(port);
}

static void port_out(void *ctx, uint16_t port, unsigned int bytes, uint32_t value)
{
    if (bytes == 1)
        os_outb(port, (uint8_t)value);
    else if (bytes == 2)
        os_outw(port, (uint16_t)value);
    else
        os_outl(port, value);
}

static uint64_t read_cr8(void *ctx)
{
    return nt_irql();
}

static void write_cr8(void *ctx, uint64_t value)
{
    KIRQL irql = (KIRQL)value;

    if (value > HIGH_LEVEL)
        nt_bugcheck(0x0a, value, nt_irql(), 0, 0, 0);
    if (irql >= nt_irql())
        nt_raise_irql(irql, 0);
    else
        nt_lower_irql(irql, 0);
}

static int64_t hypercall(void *ctx, uint64_t op, const uint64_t args[5])
{
    return os_hypercall((uint32_t)op, args[0], args[1], args[2], args[3], args[4]);
}

#define UNEXPECTED_KERNEL_MODE_TRAP           0x7f
#define EXCEPTION_DOUBLE_FAULT                0x8
#define ATTEMPTED_WRITE_TO_READONLY_MEMORY    0xbe
#define ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY 0xfc
#define X86_TRAP_PF                           14
#define PF_WRITE                              0x2  /* page fault error code: a write */
#define PF_FETCH                              0x10 /* an instruction fetch */

/*
 * A page fault on a page that is there but forbids the access: the
 * bugcheck Windows raises for it (0xBE, 0xFC; parameter 2 would be the
 * PTE, which this machine has not), or 0 for any other fault.
 */
static uint32_t protection_bugcheck(const struct nt_cpu_fault *f)
{
    const greg_t *regs = f->uc->uc_mcontext.gregs;

    if (f->signo != SIGSEGV || f->code != SEGV_ACCERR || regs[REG_TRAPNO] != X86_TRAP_PF)
        return 0;
    if (regs[REG_ERR] & PF_FETCH)
        return ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY;
    return regs[REG_ERR] & PF_WRITE ? ATTEMPTED_WRITE_TO_READONLY_MEMORY : 0;
}

static void fault(void *ctx, const struct nt_cpu_fault *f)
{
    char where[1200];
    uint32_t code;
    struct nt_frame stack = {.rip = f->rip,
                             .rsp = (uint64_t)f->uc->uc_mcontext.gregs[REG_RSP],
                             .rbp = (uint64_t)f->uc->uc_mcontext.gregs[REG_RBP]};

    if (nt_stack_guard_hit(f->address)) {
        /* On Windows the fault cannot even be delivered: a double fault. */
        nt_describe_address(f->rip, where, sizeof(where));
        nt_log("*** driver stack overflow at %s: the %u KiB kernel stack is used up\n", where,
               NT_DRIVER_STACK_SIZE / 1024);
        nt_bugcheck_at(UNEXPECTED_KERNEL_MODE_TRAP, EXCEPTION_DOUBLE_FAULT, 0, 0, 0, f->rip, stack);
    }

    nt_describe_address(f->rip, where, sizeof(where));
    code = protection_bugcheck(f);
    if (code) {
        nt_log("*** %s of %s memory at %s (address %#llx)\n",
               code == ATTEMPTED_WRITE_TO_READONLY_MEMORY ? "write" : "execution",
               code == ATTEMPTED_WRITE_TO_READONLY_MEMORY ? "read-only" : "non-executable", where,
               (unsigned long long)f->address);
        nt_bugcheck_at(code, f->address, 0, 0, 0, f->rip, stack);
    }
    nt_log("*** %s at %s (signal %d, address %#llx)\n", f->reason, where, f->signo,
           (unsigned long long)f->address);
    nt_bugcheck_at(UNHANDLED_FAULT, (uint64_t)f->signo, f->rip, f->address, 0, f->rip, stack);
}

const struct nt_cpu_ops nt_machine_ops = {
    .cpuid = cpuid,
    .rdmsr = no_msr_read,
    .wrmsr = no_msr_write,
    .port_in = port_in,
    .port_out = port_out,
    .read_cr8 = read_cr8,
    .write_cr8 = write_cr8,
    .hypercall = hypercall,
    .fault = fault,
};
