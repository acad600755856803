/*
 * tests/sim/nt_cpu/host_faults_test.c - faults that are not an image's: they
 * reach the handler installed before sim/nt/cpu's (the sanitizer's report)
 * or, where there was none, the default action; never ops->fault. Each
 * fault happens in a child process. Also the alternate stack of the main
 * thread, and NT_CPU_FAULT refused where the host cannot make CPUID fault.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "image.h"
#include "machine.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WITH_ASAN 1
#endif
#endif

/* How a child ends when it should not have got there. */
#define CHILD_REACHED_FAULT 42 /* ops->fault ran */
#define CHILD_SURVIVED      43 /* the fault did not end it */
#define CHILD_BROKEN        44 /* its set-up failed */

/* SIGSEGV's handler before cmocka's and ours: the sanitizer's. */
static struct sigaction sanitizer_segv;

struct child {
    int status;
    char output[8192];
};

/* Runs @body in a child with its stderr captured; ops->fault ends it. */
static void run_child(void (*body)(void), struct child *child)
{
    int pipe_fds[2];
    size_t used = 0;
    ssize_t got;
    pid_t pid;

    assert_int_equal(pipe(pipe_fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const struct rlimit no_core = {0, 0};

        dup2(pipe_fds[1], STDERR_FILENO);
        close(pipe_fds[0]);
        setrlimit(RLIMIT_CORE, &no_core);
        machine_exit_on_fault(CHILD_REACHED_FAULT);
        body();
        _exit(CHILD_SURVIVED);
    }
    close(pipe_fds[1]);
    while (used < sizeof(child->output) - 1 &&
           (got = read(pipe_fds[0], child->output + used, sizeof(child->output) - 1 - used)) > 0)
        used += (size_t)got;
    child->output[used] = '\0';
    close(pipe_fds[0]);
    assert_int_equal(waitpid(pid, &child->status, 0), pid);
}

static void assert_killed_by(const struct child *child, int signo)
{
    if (!WIFSIGNALED(child->status) || WTERMSIG(child->status) != signo)
        fail_msg("child status %#x, not killed by signal %d; output:\n%s", child->status, signo,
                 child->output);
}

/* A host bug: a read of an unmapped address (not NULL, which UBSan would
 * report first) in code outside every image. */
static __attribute__((noinline)) int read_unmapped(void)
{
    const volatile int *volatile address = (const volatile int *)(uintptr_t)16;

    return *address;
}

/* An image prepared and running, then a host bug. */
static void fault_in_host_code(void)
{
    struct test_image image;

    if (nt_cpu_thread_enter() != 0 || image_load(&image, NT_CPU_REWRITE) != 0)
        _exit(CHILD_BROKEN);
    if (image_call(&image, code_vmcall, 3, 0, 0, 0, 0, 0) != (uint64_t)MACHINE_HYPERCALL_RESULT(3))
        _exit(CHILD_BROKEN);
    read_unmapped();
}

static void host_fault_with_the_sanitizer_before(void)
{
    sigaction(SIGSEGV, &sanitizer_segv, NULL);
    fault_in_host_code();
}

static void test_a_host_fault_reaches_the_sanitizer(void **state)
{
    struct child child;

    run_child(host_fault_with_the_sanitizer_before, &child);
#ifdef WITH_ASAN
    if (!WIFEXITED(child.status) || WEXITSTATUS(child.status) == CHILD_REACHED_FAULT ||
        WEXITSTATUS(child.status) == CHILD_SURVIVED || WEXITSTATUS(child.status) == CHILD_BROKEN)
        fail_msg("child status %#x; output:\n%s", child.status, child.output);
    assert_non_null(strstr(child.output, "AddressSanitizer: SEGV on unknown address"));
#else
    assert_killed_by(&child, SIGSEGV);
#endif
}

static void host_fault_with_the_default_before(void)
{
    signal(SIGSEGV, SIG_DFL);
    fault_in_host_code();
}

static void test_a_host_fault_takes_the_default_action(void **state)
{
    struct child child;

    run_child(host_fault_with_the_default_before, &child);
    assert_killed_by(&child, SIGSEGV);
}

/* A rewritten hypercall, emulated until its image is forgotten; then its
 * UD2 is nobody's. */
static void hypercall_after_forget(void)
{
    struct test_image image;

    signal(SIGILL, SIG_DFL);
    if (nt_cpu_thread_enter() != 0 || image_load(&image, NT_CPU_REWRITE) != 0)
        _exit(CHILD_BROKEN);
    if (image_call(&image, code_vmcall, 3, 0, 0, 0, 0, 0) != (uint64_t)MACHINE_HYPERCALL_RESULT(3))
        _exit(CHILD_BROKEN);
    nt_cpu_forget_image(image.base, image.size);
    image_call(&image, code_vmcall, 3, 0, 0, 0, 0, 0);
}

static void test_a_forgotten_image_is_no_longer_handled(void **state)
{
    struct child child;

    run_child(hypercall_after_forget, &child);
    assert_killed_by(&child, SIGILL);
}

/* -- the main thread's alternate stack --------------------------------------- */

static void test_thread_exit_restores_the_previous_alternate_stack(void **state)
{
    stack_t before, during, again, after;

    assert_int_equal(sigaltstack(NULL, &before), 0);
    assert_int_equal(nt_cpu_thread_enter(), 0);
    assert_int_equal(sigaltstack(NULL, &during), 0);
    assert_int_equal(nt_cpu_thread_enter(), 0);
    assert_int_equal(sigaltstack(NULL, &again), 0);
    nt_cpu_thread_exit();
    assert_int_equal(sigaltstack(NULL, &after), 0);

    assert_false(during.ss_flags & SS_DISABLE);
    assert_ptr_not_equal(during.ss_sp, before.ss_sp);
    assert_true(during.ss_size >= 256 * 1024);
    /* A second enter keeps the first stack. */
    assert_ptr_equal(again.ss_sp, during.ss_sp);
    assert_ptr_equal(after.ss_sp, before.ss_sp);
    assert_int_equal(after.ss_size, before.ss_size);
    assert_int_equal(after.ss_flags, before.ss_flags);
}

/* -- where CPUID cannot fault -------------------------------------------------- */

static void test_fault_mode_is_refused_without_cpuid_faulting(void **state)
{
    assert_int_equal(nt_cpu_init(NT_CPU_FAULT, machine_ops()), -ENOTSUP);
    assert_int_equal(nt_cpu_init(NT_CPU_REWRITE, machine_ops()), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_host_fault_reaches_the_sanitizer),
        cmocka_unit_test(test_a_host_fault_takes_the_default_action),
        cmocka_unit_test(test_a_forgotten_image_is_no_longer_handled),
        cmocka_unit_test(test_thread_exit_restores_the_previous_alternate_stack),
    };
    const struct CMUnitTest without_cpuid_faulting[] = {
        cmocka_unit_test(test_fault_mode_is_refused_without_cpuid_faulting),
    };
    int failed;

    sigaction(SIGSEGV, NULL, &sanitizer_segv);
    failed = cmocka_run_group_tests_name("ntcpu_host_faults", tests, NULL, NULL);
    if (!nt_cpu_cpuid_faulting_available())
        failed += cmocka_run_group_tests_name("without CPUID faulting", without_cpuid_faulting,
                                              NULL, NULL);
    else
        printf("# CPUID faulting available: NT_CPU_FAULT refusal not tested\n");
    return failed;
}
