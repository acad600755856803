/*
 * sim/nt/cpu/trap.c - the signal handlers: a trap in a prepared image is
 * emulated or reported to ops->fault; anything else goes to the handler
 * that was installed before (the sanitizers'), so host bugs stay visible.
 */
#include "trap.h"

#include "cpuid_faulting.h"
#include "emulate.h"
#include "images.h"
#include "stats.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const int trapped_signals[] = {SIGSEGV, SIGILL, SIGBUS, SIGFPE, SIGTRAP};

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction previous[NSIG];
/* Written by nt_cpu_init before image code runs, read by the handlers. */
static struct nt_cpu_ops machine;
static enum nt_cpu_mode mode = NT_CPU_FAULT;

enum nt_cpu_mode nt_cpu_current_mode(void)
{
    return mode;
}

static void say(const char *text)
{
    ssize_t ignored = write(STDERR_FILENO, text, strlen(text));

    (void)ignored;
}

/* -- faults outside every image ------------------------------------------- */

/* Whether the kernel raised @info for an instruction that will raise it
 * again when it runs again (a fault, not a trap or a signal sent). */
static bool comes_back(int signo, const siginfo_t *info)
{
    return info->si_code > 0 && signo != SIGTRAP;
}

static void chain(int signo, siginfo_t *info, void *context)
{
    const struct sigaction *before = &previous[signo];
    struct sigaction fallback = {.sa_handler = SIG_DFL};

    if (before->sa_handler == SIG_IGN && !comes_back(signo, info))
        return;
    if (before->sa_handler != SIG_DFL && before->sa_handler != SIG_IGN) {
        if (before->sa_flags & SA_SIGINFO)
            before->sa_sigaction(signo, info, context);
        else
            before->sa_handler(signo);
        return;
    }
    /* The default action: a fault repeats once the handler returns. */
    sigaction(signo, &fallback, NULL);
    if (!comes_back(signo, info))
        raise(signo);
}

/* -- faults in an image ------------------------------------------------------ */

static const char *describe(int signo, const siginfo_t *info)
{
    switch (signo) {
    case SIGSEGV:
        return info->si_code == SI_KERNEL
                   ? "general protection fault (a privileged instruction with no emulation, "
                     "or a non-canonical address)"
                   : "access violation";
    case SIGILL:
        return "invalid instruction";
    case SIGBUS:
        return "bus error";
    case SIGFPE:
        return "arithmetic fault";
    default:
        return info->si_code == SI_KERNEL ? "breakpoint" : "debug trap";
    }
}

static void report(int signo, const siginfo_t *info, ucontext_t *uc, uint64_t rip,
                   const char *reason)
{
    struct nt_cpu_fault fault = {
        .signo = signo,
        .code = info->si_code,
        .rip = rip,
        .address = (uint64_t)(uintptr_t)info->si_addr,
        .reason = reason,
        .uc = uc,
    };

    if (machine.fault)
        machine.fault(machine.ctx, &fault);
    say(machine.fault ? "nt_cpu: ops->fault returned after: " : "nt_cpu: no ops->fault for: ");
    say(reason);
    say("\n");
    abort();
}

/* The instruction a rewritten site stood for: a UD2 raises SIGILL at its
 * address; an INT3 (a rewritten one-byte instruction) SIGTRAP after it. */
static bool rewritten_site(int signo, const siginfo_t *info, const struct nt_image_hit *hit)
{
    if (!hit->has_site)
        return false;
    if (signo == SIGILL)
        return hit->site.length >= 2;
    return signo == SIGTRAP && info->si_code == SI_KERNEL && hit->site.length == 1;
}

/* A privileged instruction that raised #GP where it stands. */
static bool faulted_instruction(int signo, const siginfo_t *info, uint64_t rip,
                                const struct nt_image_hit *hit, struct nt_insn *insn)
{
    size_t avail = hit->base + hit->size - rip;

    if (signo != SIGSEGV || info->si_code != SI_KERNEL)
        return false;
    if (avail > NT_INSN_MAX_LENGTH)
        avail = NT_INSN_MAX_LENGTH;
    return nt_insn_decode((const uint8_t *)(uintptr_t)rip, avail, insn, NULL) == 0 &&
           insn->kind != NT_INSN_OTHER;
}

static void handle_in_image(int signo, siginfo_t *info, ucontext_t *uc, uint64_t rip,
                            const struct nt_image_hit *hit)
{
    struct nt_insn insn;
    enum nt_cpu_path path;
    const char *refused;

    if (rewritten_site(signo, info, hit)) {
        insn = hit->site;
        path = NT_CPU_PATH_REWRITTEN;
        uc->uc_mcontext.gregs[REG_RIP] = (greg_t)rip;
    } else if (faulted_instruction(signo, info, rip, hit, &insn)) {
        path = NT_CPU_PATH_FAULTED;
    } else {
        report(signo, info, uc, rip, describe(signo, info));
        return;
    }
    refused = nt_cpu_emulate(&insn, uc, &machine);
    if (refused)
        report(signo, info, uc, rip, refused);
    else
        nt_cpu_count(path, insn.kind);
}

static void on_signal(int signo, siginfo_t *info, void *context)
{
    ucontext_t *uc = context;
    int saved_errno = errno;
    uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
    struct nt_image_hit hit;

    /* INT3 reports the address after itself. */
    if (signo == SIGTRAP && info->si_code == SI_KERNEL)
        rip--;
    if (nt_images_find(rip, &hit))
        handle_in_image(signo, info, uc, rip, &hit);
    else if (!(signo == SIGSEGV && info->si_code == SI_KERNEL && nt_cpuid_run_for_host(uc)))
        chain(signo, info, context);
    errno = saved_errno;
}

/* -- set-up ------------------------------------------------------------------ */

/* Makes on_signal the handler of every trapped signal where it is not
 * already, remembering the one it replaces. Called at every nt_cpu_init,
 * so a handler someone installed in between (a test framework's) is
 * chained to rather than left in front. */
static int install_handlers(void)
{
    struct sigaction ours = {
        .sa_sigaction = on_signal,
        /* SA_NODEFER: a host bug in a callback still reaches the sanitizer
         * rather than meeting a blocked signal (which kills silently). */
        .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER,
    };

    sigemptyset(&ours.sa_mask);
    for (size_t i = 0; i < sizeof(trapped_signals) / sizeof(trapped_signals[0]); i++) {
        int signo = trapped_signals[i];
        struct sigaction current;

        if (sigaction(signo, NULL, &current) != 0)
            return -errno;
        if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_signal)
            continue;
        previous[signo] = current;
        if (sigaction(signo, &ours, NULL) != 0)
            return -errno;
    }
    return 0;
}

int nt_cpu_init(enum nt_cpu_mode new_mode, const struct nt_cpu_ops *ops)
{
    int rc;

    if (!ops || (new_mode != NT_CPU_FAULT && new_mode != NT_CPU_REWRITE))
        return -EINVAL;
    pthread_mutex_lock(&init_lock);
    rc = install_handlers();
    /* The handlers come first: host code's CPUID faults as soon as this is on. */
    if (rc == 0)
        rc = nt_cpuid_faulting_set(new_mode == NT_CPU_FAULT);
    if (rc == 0) {
        machine = *ops;
        mode = new_mode;
    }
    pthread_mutex_unlock(&init_lock);
    return rc;
}
