/*
 * tests/sim/nt_cpu/machine.c - the test machine (see machine.h).
 */
#include "machine.h"

#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

struct machine machine;

static sigjmp_buf fault_return;
static int exit_status_on_fault = -1;

/* Every callback runs in the handler, which runs on the alternate stack. */
static void called(void)
{
    stack_t current;

    machine.calls++;
    if (sigaltstack(NULL, &current) != 0 || !(current.ss_flags & SS_ONSTACK))
        machine.off_alt_stack = true;
}

static void cpuid(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    called();
    machine.cpuid_leaf = leaf;
    machine.cpuid_subleaf = subleaf;
    if (leaf == MACHINE_XEN_LEAF) {
        out[0] = MACHINE_XEN_MAX_LEAF;
        out[1] = MACHINE_XEN_EBX;
        out[2] = MACHINE_XEN_ECX;
        out[3] = MACHINE_XEN_EDX;
    } else {
        out[0] = MACHINE_CPUID_EAX(leaf, subleaf);
        out[1] = MACHINE_CPUID_EBX(leaf, subleaf);
        out[2] = MACHINE_CPUID_ECX(leaf, subleaf);
        out[3] = MACHINE_CPUID_EDX(leaf, subleaf);
    }
}

static bool rdmsr(void *ctx, uint32_t msr, uint64_t *value)
{
    called();
    machine.msr = msr;
    *value = MACHINE_MSR_VALUE;
    return msr == MACHINE_MSR;
}

static bool wrmsr(void *ctx, uint32_t msr, uint64_t value)
{
    called();
    machine.msr = msr;
    machine.msr_written = value;
    return msr == MACHINE_MSR;
}

static uint32_t port_in(void *ctx, uint16_t port, unsigned int bytes)
{
    called();
    machine.port = port;
    machine.port_bytes = bytes;
    return MACHINE_PORT_VALUE ^ port;
}

static void port_out(void *ctx, uint16_t port, unsigned int bytes, uint32_t value)
{
    called();
    machine.port = port;
    machine.port_bytes = bytes;
    machine.port_written = value;
}

static uint64_t read_cr8(void *ctx)
{
    called();
    return machine.cr8;
}

static void write_cr8(void *ctx, uint64_t value)
{
    called();
    machine.cr8_written = value;
}

static int64_t hypercall(void *ctx, uint64_t op, const uint64_t args[5])
{
    called();
    machine.hypercall_op = op;
    memcpy(machine.hypercall_args, args, sizeof(machine.hypercall_args));
    return MACHINE_HYPERCALL_RESULT(op);
}

static void fault(void *ctx, const struct nt_cpu_fault *fault)
{
    machine.fault = *fault;
    machine.fault.uc = NULL;
    machine.faults++;
    if (exit_status_on_fault >= 0)
        _exit(exit_status_on_fault);
    siglongjmp(fault_return, 1);
}

static const struct nt_cpu_ops ops = {
    .cpuid = cpuid,
    .rdmsr = rdmsr,
    .wrmsr = wrmsr,
    .port_in = port_in,
    .port_out = port_out,
    .read_cr8 = read_cr8,
    .write_cr8 = write_cr8,
    .hypercall = hypercall,
    .fault = fault,
};

const struct nt_cpu_ops *machine_ops(void)
{
    return &ops;
}

void machine_reset(void)
{
    memset(&machine, 0, sizeof(machine));
}

bool machine_run(void (*run)(void *arg), void *arg)
{
    if (sigsetjmp(fault_return, 1) != 0)
        return false;
    run(arg);
    return true;
}

void machine_exit_on_fault(int status)
{
    exit_status_on_fault = status;
}
