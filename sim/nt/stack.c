/*
 * sim/nt/stack.c - driver code on a stack of Windows x64's kernel stack
 * size, with a guard page below it: a driver that overflows its stack
 * faults there, and the machine stops as Windows's does (a double fault,
 * bugcheck 0x7F). The kernel's own code runs on the thread's host stack;
 * stack_switch.S moves between the two at every call across.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel.h"

#define GUARD_SIZE 4096
#define ABOVE_TOP  4096 /* room for the stack arguments nt_export_thunk copies from the top frame */

uint64_t nt_call_driver6(const void *fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                         uint64_t a5, uint64_t a6);

int nt_stack_create(struct nt_thread *thread)
{
    size_t size = GUARD_SIZE + NT_DRIVER_STACK_SIZE + ABOVE_TOP;
    uint8_t *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t top;

    if (base == MAP_FAILED)
        return -errno;
    if (mprotect(base, GUARD_SIZE, PROT_NONE) != 0) {
        int err = -errno;

        munmap(base, size);
        return err;
    }
    thread->driver_stack = base;
    top = (uint64_t)(uintptr_t)(base + GUARD_SIZE + NT_DRIVER_STACK_SIZE);
    memcpy(thread->pcr + NT_PCR_DRIVER_RSP, &top, sizeof(top));
    return 0;
}

void nt_stack_destroy(struct nt_thread *thread)
{
    if (thread->driver_stack)
        munmap(thread->driver_stack, GUARD_SIZE + NT_DRIVER_STACK_SIZE + ABOVE_TOP);
    thread->driver_stack = NULL;
}

bool nt_stack_guard_hit(uint64_t address)
{
    struct nt_thread *thread = nt_current();
    uint64_t guard = thread ? (uint64_t)(uintptr_t)thread->driver_stack : 0;

    return guard && address >= guard && address < guard + GUARD_SIZE;
}

bool nt_stack_holds(uint64_t address, size_t length)
{
    struct nt_thread *thread = nt_current();
    uint64_t low = thread ? (uint64_t)(uintptr_t)thread->driver_stack + GUARD_SIZE : 0;

    return low && address >= low && address + length <= low + NT_DRIVER_STACK_SIZE + ABOVE_TOP;
}

uint64_t nt_driver_call6(const void *fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                         uint64_t a5, uint64_t a6)
{
    if (nt_image_of(fn) && nt_current() && nt_current()->driver_stack)
        return nt_call_driver6(fn, a1, a2, a3, a4, a5, a6);
    return ((uint64_t(NTAPI *)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t))fn)(
        a1, a2, a3, a4, a5, a6);
}

uint64_t nt_driver_call(const void *fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    /* The kernel's own routines (its bus driver's dispatch) stay on the host stack. */
    if (nt_image_of(fn) && nt_current() && nt_current()->driver_stack)
        return nt_call_driver6(fn, a1, a2, a3, a4, 0, 0);
    return ((uint64_t(NTAPI *)(uint64_t, uint64_t, uint64_t, uint64_t))fn)(a1, a2, a3, a4);
}
