/*
 * sim/nt/cpu/emulate.c - what each emulated instruction does to the
 * registers, as the processor would have done it.
 */
#include "emulate.h"

#include <stdatomic.h>

static uint64_t *gpr(ucontext_t *uc, int index)
{
    return (uint64_t *)&uc->uc_mcontext.gregs[index];
}

/* A 32-bit result written to a 64-bit register clears its upper half. */
static void set_low32(ucontext_t *uc, int index, uint32_t value)
{
    *gpr(uc, index) = value;
}

static const char *emulate_cpuid(ucontext_t *uc, const struct nt_cpu_ops *ops)
{
    uint32_t out[4] = {0};

    if (!ops->cpuid)
        return "CPUID with no emulation";
    ops->cpuid(ops->ctx, (uint32_t)*gpr(uc, REG_RAX), (uint32_t)*gpr(uc, REG_RCX), out);
    set_low32(uc, REG_RAX, out[0]);
    set_low32(uc, REG_RBX, out[1]);
    set_low32(uc, REG_RCX, out[2]);
    set_low32(uc, REG_RDX, out[3]);
    return NULL;
}

static const char *emulate_rdmsr(ucontext_t *uc, const struct nt_cpu_ops *ops)
{
    uint64_t value = 0;

    if (!ops->rdmsr || !ops->rdmsr(ops->ctx, (uint32_t)*gpr(uc, REG_RCX), &value))
        return "RDMSR of an MSR the machine does not have (#GP)";
    set_low32(uc, REG_RAX, (uint32_t)value);
    set_low32(uc, REG_RDX, (uint32_t)(value >> 32));
    return NULL;
}

static const char *emulate_wrmsr(ucontext_t *uc, const struct nt_cpu_ops *ops)
{
    uint64_t value = (*gpr(uc, REG_RDX) << 32) | (uint32_t)*gpr(uc, REG_RAX);

    if (!ops->wrmsr || !ops->wrmsr(ops->ctx, (uint32_t)*gpr(uc, REG_RCX), value))
        return "WRMSR the machine refused (#GP)";
    return NULL;
}

static uint16_t port_of(const struct nt_insn *insn, ucontext_t *uc)
{
    if (insn->port == NT_INSN_PORT_DX)
        return (uint16_t)*gpr(uc, REG_RDX);
    return (uint16_t)insn->port;
}

static const char *emulate_in(const struct nt_insn *insn, ucontext_t *uc,
                              const struct nt_cpu_ops *ops)
{
    uint64_t *rax = gpr(uc, REG_RAX);
    uint32_t value;

    if (!ops->port_in)
        return "IN with no emulation";
    value = ops->port_in(ops->ctx, port_of(insn, uc), insn->io_bytes);
    /* AL and AX leave the rest of RAX alone; EAX clears the upper half. */
    if (insn->io_bytes == 1)
        *rax = (*rax & ~0xffull) | (value & 0xff);
    else if (insn->io_bytes == 2)
        *rax = (*rax & ~0xffffull) | (value & 0xffff);
    else
        *rax = value;
    return NULL;
}

static const char *emulate_out(const struct nt_insn *insn, ucontext_t *uc,
                               const struct nt_cpu_ops *ops)
{
    uint32_t mask = insn->io_bytes == 4 ? 0xffffffffu : (1u << (8 * insn->io_bytes)) - 1;

    if (!ops->port_out)
        return "OUT with no emulation";
    ops->port_out(ops->ctx, port_of(insn, uc), insn->io_bytes, (uint32_t)*gpr(uc, REG_RAX) & mask);
    return NULL;
}

static const char *emulate_hypercall(ucontext_t *uc, const struct nt_cpu_ops *ops)
{
    const uint64_t args[5] = {*gpr(uc, REG_RDI), *gpr(uc, REG_RSI), *gpr(uc, REG_RDX),
                              *gpr(uc, REG_R10), *gpr(uc, REG_R8)};

    if (!ops->hypercall)
        return "hypercall with no emulation";
    *gpr(uc, REG_RAX) = (uint64_t)ops->hypercall(ops->ctx, *gpr(uc, REG_RAX), args);
    return NULL;
}

static const char *emulate_cr8(const struct nt_insn *insn, ucontext_t *uc,
                               const struct nt_cpu_ops *ops)
{
    if (insn->kind == NT_INSN_READ_CR8) {
        if (!ops->read_cr8)
            return "CR8 read with no emulation";
        *gpr(uc, insn->gpr) = ops->read_cr8(ops->ctx);
    } else {
        if (!ops->write_cr8)
            return "CR8 write with no emulation";
        ops->write_cr8(ops->ctx, *gpr(uc, insn->gpr));
    }
    return NULL;
}

static const char *dispatch(const struct nt_insn *insn, ucontext_t *uc,
                            const struct nt_cpu_ops *ops)
{
    switch (insn->kind) {
    case NT_INSN_CPUID:
        return emulate_cpuid(uc, ops);
    case NT_INSN_RDMSR:
        return emulate_rdmsr(uc, ops);
    case NT_INSN_WRMSR:
        return emulate_wrmsr(uc, ops);
    case NT_INSN_READ_CR8:
    case NT_INSN_WRITE_CR8:
        return emulate_cr8(insn, uc, ops);
    case NT_INSN_IN:
        return emulate_in(insn, uc, ops);
    case NT_INSN_OUT:
        return emulate_out(insn, uc, ops);
    case NT_INSN_HYPERCALL:
        return emulate_hypercall(uc, ops);
    default:
        return "instruction with no emulation";
    }
}

const char *nt_cpu_emulate(const struct nt_insn *insn, ucontext_t *uc, const struct nt_cpu_ops *ops)
{
    const char *refused = dispatch(insn, uc, ops);

    if (!refused)
        *gpr(uc, REG_RIP) += insn->length;
    return refused;
}
