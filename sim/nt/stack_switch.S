/*
 * sim/nt/stack_switch.S - driver code runs on a kernel stack of Windows's
 * size (stack.c), the kernel's own code on the thread's host stack.
 *
 * nt_call_driver6 (System V): call the driver function fn(a1, ..., a6)
 * (Microsoft x64 convention) on the thread's driver stack, or where it is
 * when already there; a function of fewer arguments ignores the rest.
 * nt_export_thunk: what a driver's import calls (r11 the kernel
 * function): back to the host stack, the stack arguments copied
 * over, the function called, and back. The processor control region (gs)
 * keeps where each stack goes on: NT_PCR_HOST_RSP, NT_PCR_DRIVER_RSP and
 * NT_PCR_ON_DRIVER (kernel.h), and NT_PCR_CALLER the driver's call the
 * kernel function runs for (NT_CALLER).
 */
#define PCR_HOST_RSP   0x800
#define PCR_DRIVER_RSP 0x808
#define PCR_ON_DRIVER  0x810
#define PCR_CALLER     0x818
#define STACK_ARGS     16 /* stack arguments an export may take, as copied */

    .text

/*
 * uint64_t nt_call_driver6(void *fn, uint64_t a1, ..., uint64_t a6): the
 * fifth and sixth arguments go on the stack above the callee's home area,
 * as the Microsoft convention puts them.
 */
    .globl nt_call_driver6
    .type nt_call_driver6, @function
nt_call_driver6:
    .cfi_startproc
    push %rbp
    .cfi_def_cfa_offset 16
    .cfi_offset %rbp, -16
    mov %rsp, %rbp
    .cfi_def_cfa_register %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    mov %rdi, %r11          /* fn */
    mov %r9, %r13           /* a5 */
    mov 16(%rbp), %r14      /* a6, the caller's first stack argument */
    mov %r8, %r9            /* a4 */
    mov %rcx, %r8           /* a3 */
    mov %rsi, %rcx          /* a1; a2 stays in rdx */
    mov %gs:PCR_HOST_RSP, %rbx
    mov %rsp, %r12
    cmpq $0, %gs:PCR_ON_DRIVER
    jne 1f
    mov %rsp, %gs:PCR_HOST_RSP
    mov %gs:PCR_DRIVER_RSP, %rsp
    movq $1, %gs:PCR_ON_DRIVER
1:  and $-16, %rsp
    sub $48, %rsp           /* the home area, then a5 and a6 */
    mov %r13, 32(%rsp)
    mov %r14, 40(%rsp)
    call *%r11
    mov %r12, %rsp
    cmp %rsp, %gs:PCR_HOST_RSP
    jne 2f
    movq $0, %gs:PCR_ON_DRIVER
2:  mov %rbx, %gs:PCR_HOST_RSP
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    .cfi_def_cfa %rsp, 8
    ret
    .cfi_endproc
    .size nt_call_driver6, . - nt_call_driver6

/* A driver's call of the kernel function in r11, Microsoft x64 convention. */
    .globl nt_export_thunk
    .type nt_export_thunk, @function
nt_export_thunk:
    cmpq $0, %gs:PCR_ON_DRIVER
    jne 1f
    jmp *%r11               /* already on the host stack */
1:  push %rbp
    mov %rsp, %rbp          /* driver stack: return address at 8, stack arguments from 48 */
    push %rbx
    push %r12
    pushq %gs:PCR_CALLER
    mov 8(%rbp), %rax
    mov %rax, %gs:PCR_CALLER /* the driver's call, for the kernel's checks to name */
    mov %gs:PCR_DRIVER_RSP, %rbx
    lea -8(%rsp), %rax
    mov %rax, %gs:PCR_DRIVER_RSP /* a driver called from here goes on below this frame */
    mov %rsp, %r12
    mov %gs:PCR_HOST_RSP, %rsp
    movq $0, %gs:PCR_ON_DRIVER
    and $-16, %rsp
    sub $(32 + 8 * STACK_ARGS), %rsp
    xor %eax, %eax
2:  mov 48(%rbp,%rax,8), %r10
    mov %r10, 32(%rsp,%rax,8)
    inc %eax
    cmp $STACK_ARGS, %eax
    jne 2b
    call *%r11
    mov %r12, %rsp
    movq $1, %gs:PCR_ON_DRIVER
    mov %rbx, %gs:PCR_DRIVER_RSP
    popq %gs:PCR_CALLER
    pop %r12
    pop %rbx
    pop %rbp
    ret
    .size nt_export_thunk, . - nt_export_thunk

    .section .note.GNU-stack, "", @progbits
