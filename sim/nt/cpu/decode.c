/*
 * sim/nt/cpu/decode.c - Zydis, reduced to the instructions sim/nt/cpu
 * emulates and the 64-bit constants it redirects.
 */
#include "insn.h"

#include <Zydis/Zydis.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <ucontext.h>

/* gregs index of each 64-bit general register, by Zydis register id. */
static const uint8_t gregs_by_id[16] = {
    REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

static bool is_gpr64(ZydisRegister reg)
{
    return ZydisRegisterGetClass(reg) == ZYDIS_REGCLASS_GPR64;
}

static uint8_t greg_index(ZydisRegister reg)
{
    return gregs_by_id[ZydisRegisterGetId(reg) & 15];
}

/* MOV to or from CR8 with a 64-bit register on the other side. */
static void classify_mov_cr(const ZydisDecodedOperand *ops, struct nt_insn *insn)
{
    if (ops[0].type != ZYDIS_OPERAND_TYPE_REGISTER || ops[1].type != ZYDIS_OPERAND_TYPE_REGISTER)
        return;
    if (ops[1].reg.value == ZYDIS_REGISTER_CR8 && is_gpr64(ops[0].reg.value)) {
        insn->kind = NT_INSN_READ_CR8;
        insn->gpr = greg_index(ops[0].reg.value);
    } else if (ops[0].reg.value == ZYDIS_REGISTER_CR8 && is_gpr64(ops[1].reg.value)) {
        insn->kind = NT_INSN_WRITE_CR8;
        insn->gpr = greg_index(ops[1].reg.value);
    }
}

/* IN acc, port and OUT port, acc: @acc and @port index the operands. */
static void classify_port_io(const ZydisDecodedOperand *ops, int acc, int port,
                             enum nt_insn_kind kind, struct nt_insn *insn)
{
    if (ops[acc].type != ZYDIS_OPERAND_TYPE_REGISTER)
        return;
    if (ops[port].type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
        insn->port = (int32_t)(ops[port].imm.value.u & 0xff);
    else if (ops[port].type == ZYDIS_OPERAND_TYPE_REGISTER &&
             ops[port].reg.value == ZYDIS_REGISTER_DX)
        insn->port = NT_INSN_PORT_DX;
    else
        return;
    insn->io_bytes =
        (uint8_t)(ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, ops[acc].reg.value) / 8);
    insn->kind = kind;
}

static void classify(const ZydisDecodedInstruction *decoded, const ZydisDecodedOperand *ops,
                     struct nt_insn *insn)
{
    switch (decoded->mnemonic) {
    case ZYDIS_MNEMONIC_CPUID:
        insn->kind = NT_INSN_CPUID;
        break;
    case ZYDIS_MNEMONIC_RDMSR:
        insn->kind = NT_INSN_RDMSR;
        break;
    case ZYDIS_MNEMONIC_WRMSR:
        insn->kind = NT_INSN_WRMSR;
        break;
    case ZYDIS_MNEMONIC_VMCALL:
    case ZYDIS_MNEMONIC_VMMCALL:
        insn->kind = NT_INSN_HYPERCALL;
        break;
    case ZYDIS_MNEMONIC_MOV: /* MOV to and from control registers included */
        classify_mov_cr(ops, insn);
        break;
    case ZYDIS_MNEMONIC_IN:
        classify_port_io(ops, 0, 1, NT_INSN_IN, insn);
        break;
    case ZYDIS_MNEMONIC_OUT:
        classify_port_io(ops, 1, 0, NT_INSN_OUT, insn);
        break;
    default:
        break;
    }
}

int nt_insn_decode(const uint8_t *code, size_t avail, struct nt_insn *insn,
                   struct nt_insn_constants *constants)
{
    ZydisDecoder decoder;
    ZydisDecodedInstruction decoded;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];

    memset(insn, 0, sizeof(*insn));
    if (!ZYAN_SUCCESS(ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
        return -EILSEQ;
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, code, avail, &decoded, ops)))
        return -EILSEQ;
    insn->length = decoded.length;
    classify(&decoded, ops, insn);
    if (constants) {
        memset(constants, 0, sizeof(*constants));
        for (int i = 0; i < 2; i++)
            if (decoded.raw.imm[i].size == 64)
                constants->imm64_offset = decoded.raw.imm[i].offset;
        if (decoded.raw.disp.size == 64)
            constants->disp64_offset = decoded.raw.disp.offset;
        for (int i = 0; i < decoded.operand_count_visible; i++) {
            if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY && ops[i].mem.base == ZYDIS_REGISTER_RIP &&
                ops[i].mem.disp.has_displacement) {
                constants->has_rip_target = 1;
                constants->rip_target = ops[i].mem.disp.value;
            }
        }
    }
    return 0;
}
