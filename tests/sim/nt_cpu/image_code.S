/*
 * tests/sim/nt_cpu/image_code.S - the code of the test image: small functions,
 * System V calling convention, each exercising an instruction sim/nt/cpu
 * emulates or one it must report. It is assembled into read-only data and
 * never run where it lies: the tests copy it into a mapping of their own
 * and prepare that, so it is outside the test binary's code.
 *
 * code_X .. code_X_end is a function (a .pdata entry, as the tests list
 * it); at_X .. at_X_end is the instruction under test in it.
 */

#include "image_code.h"

#define LABEL(name) .globl name; name:

    .section .rodata.ntcpu_image, "a"
    .balign 16
LABEL(image_code_start)

/* cpuid(leaf, subleaf, uint64_t out[4]): RAX, RBX, RCX, RDX after CPUID;
 * the upper halves of the inputs and of RBX, RDX are set before it. */
LABEL(code_cpuid)
    push %rbx
    mov %rdx, %r8
    mov %rdi, %rax
    mov %rsi, %rcx
    mov $-1, %rbx
    mov $-1, %rdx
LABEL(at_cpuid)
    cpuid
LABEL(at_cpuid_end)
    mov %rax, 0(%r8)
    mov %rbx, 8(%r8)
    mov %rcx, 16(%r8)
    mov %rdx, 24(%r8)
    pop %rbx
    ret
LABEL(code_cpuid_end)

/* rdmsr(msr): EDX:EAX, with RAX and RDX all ones before. */
LABEL(code_rdmsr)
    mov %rdi, %rcx
    mov $-1, %rax
    mov $-1, %rdx
LABEL(at_rdmsr)
    rdmsr
LABEL(at_rdmsr_end)
    shl $32, %rdx
    or %rdx, %rax
    ret
LABEL(code_rdmsr_end)

/* wrmsr(msr, value): 1 once past it. RAX keeps the value's high half. */
LABEL(code_wrmsr)
    mov %rdi, %rcx
    mov %rsi, %rax
    mov %rsi, %rdx
    shr $32, %rdx
LABEL(at_wrmsr)
    wrmsr
LABEL(at_wrmsr_end)
    mov $1, %eax
    ret
LABEL(code_wrmsr_end)

/* in*(port): RAX after IN, IMAGE_GARBAGE in it before. */
LABEL(code_inb_imm)
    movabs $IMAGE_GARBAGE, %rax
LABEL(at_inb_imm)
    in $0x71, %al
LABEL(at_inb_imm_end)
    ret
LABEL(code_inb_imm_end)

LABEL(code_inb_dx)
    mov %rdi, %rdx
    movabs $IMAGE_GARBAGE, %rax
LABEL(at_inb_dx)
    in %dx, %al
LABEL(at_inb_dx_end)
    ret
LABEL(code_inb_dx_end)

LABEL(code_inw_dx)
    mov %rdi, %rdx
    movabs $IMAGE_GARBAGE, %rax
LABEL(at_inw_dx)
    in %dx, %ax
LABEL(at_inw_dx_end)
    ret
LABEL(code_inw_dx_end)

LABEL(code_inl_dx)
    mov %rdi, %rdx
    movabs $IMAGE_GARBAGE, %rax
LABEL(at_inl_dx)
    in %dx, %eax
LABEL(at_inl_dx_end)
    ret
LABEL(code_inl_dx_end)

LABEL(code_inl_imm)
    movabs $IMAGE_GARBAGE, %rax
LABEL(at_inl_imm)
    in $0x40, %eax
LABEL(at_inl_imm_end)
    ret
LABEL(code_inl_imm_end)

/* out*(port, value): 1 once past it. The value's upper bits are set. */
LABEL(code_outb_imm)
    mov %rsi, %rax
LABEL(at_outb_imm)
    out %al, $0x80
LABEL(at_outb_imm_end)
    mov $1, %eax
    ret
LABEL(code_outb_imm_end)

LABEL(code_outb_dx)
    mov %rdi, %rdx
    mov %rsi, %rax
LABEL(at_outb_dx)
    out %al, %dx
LABEL(at_outb_dx_end)
    mov $1, %eax
    ret
LABEL(code_outb_dx_end)

LABEL(code_outw_dx)
    mov %rdi, %rdx
    mov %rsi, %rax
LABEL(at_outw_dx)
    out %ax, %dx
LABEL(at_outw_dx_end)
    mov $1, %eax
    ret
LABEL(code_outw_dx_end)

LABEL(code_outl_imm)
    mov %rsi, %rax
LABEL(at_outl_imm)
    out %eax, $0x42
LABEL(at_outl_imm_end)
    mov $1, %eax
    ret
LABEL(code_outl_imm_end)

/* CR8 read into RAX or R9 (all ones before); written from RDI or R9. */
LABEL(code_read_cr8_rax)
    mov $-1, %rax
LABEL(at_read_cr8_rax)
    mov %cr8, %rax
LABEL(at_read_cr8_rax_end)
    ret
LABEL(code_read_cr8_rax_end)

LABEL(code_read_cr8_r9)
    mov $-1, %r9
LABEL(at_read_cr8_r9)
    mov %cr8, %r9
LABEL(at_read_cr8_r9_end)
    mov %r9, %rax
    ret
LABEL(code_read_cr8_r9_end)

LABEL(code_write_cr8_rdi)
LABEL(at_write_cr8_rdi)
    mov %rdi, %cr8
LABEL(at_write_cr8_rdi_end)
    mov $1, %eax
    ret
LABEL(code_write_cr8_rdi_end)

LABEL(code_write_cr8_r9)
    mov %rdi, %r9
LABEL(at_write_cr8_r9)
    mov %r9, %cr8
LABEL(at_write_cr8_r9_end)
    mov $1, %eax
    ret
LABEL(code_write_cr8_r9_end)

/* vmcall(op, a0, a1, a2, a3, a4), Xen's registers: op in RAX, arguments in
 * RDI, RSI, RDX, R10, R8. vmmcall the same. */
.macro HYPERCALL_FUNCTION name, instruction
LABEL(code_\name)
    mov %rdi, %rax
    mov %rsi, %rdi
    mov %rdx, %rsi
    mov %rcx, %rdx
    mov %r8, %r10
    mov %r9, %r8
LABEL(at_\name)
    \instruction
LABEL(at_\name\()_end)
    ret
LABEL(code_\name\()_end)
.endm
    HYPERCALL_FUNCTION vmcall, vmcall
    HYPERCALL_FUNCTION vmmcall, vmmcall

/* KUSER_SHARED_DATA as clang reads it: a movabs of the address, then a
 * load through it, or the read folded into another instruction; the
 * accumulator's moffs64 form; a pointer to the page kept in data. */
LABEL(code_kuser_load)
LABEL(at_kuser_load)
    movabs $IMAGE_KUSER_INTERRUPT_TIME, %rax
LABEL(at_kuser_load_end)
    mov (%rax), %rax
    ret
LABEL(code_kuser_load_end)

LABEL(code_kuser_imul)
    movabs $IMAGE_KUSER_INTERRUPT_TIME, %rax
    imul $100, (%rax), %rax
    ret
LABEL(code_kuser_imul_end)

LABEL(code_kuser_moffs)
    movabs IMAGE_KUSER_SYSTEM_TIME, %rax
    ret
LABEL(code_kuser_moffs_end)

LABEL(code_kuser_pointer)
    mov kuser_pointer(%rip), %rax
    mov (%rax), %eax
    ret
LABEL(code_kuser_pointer_end)

/* What nothing emulates. */
LABEL(code_null_read)
    xor %eax, %eax
LABEL(at_null_read)
    mov 8(%rax), %rax
    ret
LABEL(code_null_read_end)

LABEL(code_ud2)
LABEL(at_ud2)
    ud2
    ret
LABEL(code_ud2_end)

LABEL(code_read_cr0)
LABEL(at_read_cr0)
    mov %cr0, %rax
    ret
LABEL(code_read_cr0_end)

LABEL(code_int3)
LABEL(at_int3)
    int3
    ret
LABEL(code_int3_end)

/* Data, outside every function: a pointer into the page, and a value just
 * past its end, which is not one. */
    .balign 8
LABEL(kuser_pointer)
    .quad IMAGE_KUSER_TICK_COUNT
LABEL(past_kuser_pointer)
    .quad IMAGE_KUSER_END
LABEL(image_code_end)

/* Bytes that are not instructions, for listing as a function: 0x06 (PUSH ES)
 * does not exist in 64-bit mode; a movabs cut short by the function's end. */
LABEL(garbage_invalid)
    xor %rax, %rax
    .byte 0x06
    ret
LABEL(garbage_invalid_end)
LABEL(garbage_truncated)
    nop
    .byte 0x48, 0xb8, 0x01, 0x02, 0x03
LABEL(garbage_truncated_end)

    .section .note.GNU-stack, "", @progbits
