/*
 * sim/nt/cpu/altstack.c - the alternate signal stack each thread that runs
 * image code gives the handlers (nt_cpu_thread_enter, nt_cpu_thread_exit).
 */
#include "cpu.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

/* Callbacks run on it, sanitizer-instrumented, and may make hypercalls. */
#define ALTSTACK_SIZE (256 * 1024)

static __thread struct {
    bool active;
    uint8_t *mapping; /* a guard page, then the stack */
    size_t mapping_size;
    stack_t previous; /* the thread's stack before ours (the sanitizer's) */
} altstack;

int nt_cpu_thread_enter(void)
{
    size_t guard = (size_t)sysconf(_SC_PAGESIZE);
    size_t size = guard + ALTSTACK_SIZE;
    stack_t ours;
    uint8_t *mapping;
    int rc;

    if (altstack.active)
        return 0;
    mapping =
        mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (mapping == MAP_FAILED)
        return -errno;
    /* An overflow hits the guard page rather than the memory below. */
    if (mprotect(mapping, guard, PROT_NONE) != 0)
        goto fail;
    ours = (stack_t){.ss_sp = mapping + guard, .ss_size = ALTSTACK_SIZE};
    if (sigaltstack(&ours, &altstack.previous) != 0)
        goto fail;
    altstack.mapping = mapping;
    altstack.mapping_size = size;
    altstack.active = true;
    return 0;

fail:
    rc = -errno;
    munmap(mapping, size);
    return rc;
}

void nt_cpu_thread_exit(void)
{
    stack_t previous = altstack.previous;

    if (!altstack.active)
        return;
    /* Whoever installed the previous stack frees it when the thread ends
     * (the sanitizers unmap whatever stack is installed then): put theirs
     * back before ours goes away. */
    if (previous.ss_flags & SS_DISABLE)
        previous = (stack_t){.ss_flags = SS_DISABLE};
    else
        previous.ss_flags = 0;
    sigaltstack(&previous, NULL);
    munmap(altstack.mapping, altstack.mapping_size);
    altstack.active = false;
}
