/*
 * sim/nt/unwind.h - the stack of the thread that stopped the machine, as
 * a debugger walks it: driver frames by the images' x64 unwind data
 * (.pdata and .xdata, as Windows unwinds them), the kernel's own frames by
 * their frame pointers (the host build keeps them).
 */
#ifndef WINPV_SIM_NT_UNWIND_H
#define WINPV_SIM_NT_UNWIND_H

#include <stddef.h>
#include <stdint.h>

/* Where a walk starts: an instruction and the registers it needs. */
struct nt_frame {
    uint64_t rip, rsp, rbp;
};

/*
 * The return addresses from @start up, @start's own rip first, at most
 * @max; only memory of the calling thread's stack is read. Returns how many.
 */
size_t nt_unwind(struct nt_frame start, uint64_t *rips, size_t max);

/* The calling thread's stack from the caller of the function that calls this. */
struct nt_frame nt_unwind_here(void);

#endif /* WINPV_SIM_NT_UNWIND_H */
