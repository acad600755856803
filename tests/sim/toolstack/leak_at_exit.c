/*
 * tests/sim/toolstack/leak_at_exit.c - a component that ends with a sanitizer
 * report: it loses a block of memory, waits for SIGTERM and exits 0, and
 * LeakSanitizer reports the leak as it exits (and makes the status 1).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static void *volatile last_block;

/* Not inlined: no copy of the pointer stays in main's frame for LSan to find. */
__attribute__((noinline)) static void lose_a_block(void)
{
    last_block = malloc(100);
    if (last_block)
        memset(last_block, 1, 100);
    last_block = NULL;
}

int main(void)
{
    sigset_t term;
    int sig;

    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, NULL);
    lose_a_block();
    sigwait(&term, &sig);
    return 0;
}
