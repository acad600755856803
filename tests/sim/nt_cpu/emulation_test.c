/*
 * tests/sim/nt_cpu/emulation_test.c - sim/nt/cpu running the test image: every
 * emulated instruction answers from the test machine, with values no host
 * gives, and the code after it runs; each is counted on the path it came
 * by; what nothing emulates reaches ops->fault.
 *
 * Every test runs twice: on an image prepared in NT_CPU_REWRITE mode, and
 * (only where the host can make CPUID fault) in NT_CPU_FAULT mode, where
 * only hypercalls are rewritten and the rest arrive by their own #GP.
 */
#include <cpuid.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "image.h"
#include "machine.h"

/* -- arming, and what was counted -------------------------------------------- */

/* cmocka puts its own signal handlers in place around every test: each
 * test puts sim/nt/cpu's back (chaining to cmocka's) and, as it ends, turns
 * CPUID faulting off again (host code between tests has no handler for it). */
static struct test_image *arm(void **state)
{
    struct test_image *image = *state;

    assert_int_equal(nt_cpu_init(image->mode, machine_ops()), 0);
    machine_reset();
    return image;
}

static int disarm(void **state)
{
    return nt_cpu_init(NT_CPU_REWRITE, machine_ops());
}

/* Whether instructions other than hypercalls arrive rewritten. */
static bool rewrites(const struct test_image *image)
{
    return image->mode == NT_CPU_REWRITE;
}

enum kind { CPUID, MSR, PORT, CR8, HYPERCALL };

static uint64_t count_of(const struct nt_cpu_stats *stats, enum kind kind)
{
    const uint64_t counts[] = {stats->cpuid, stats->msr, stats->port, stats->cr8, stats->hypercall};

    return counts[kind];
}

/* Exactly @n instructions of @kind were emulated since @before, all by the
 * rewritten path or all by the faulted one. */
static void assert_counted(const struct nt_cpu_stats *before, uint64_t n, enum kind kind,
                           bool rewritten)
{
    struct nt_cpu_stats after;
    uint64_t kinds = 0;

    nt_cpu_get_stats(&after);
    for (enum kind k = CPUID; k <= HYPERCALL; k++)
        kinds += count_of(&after, k) - count_of(before, k);
    assert_int_equal(count_of(&after, kind) - count_of(before, kind), n);
    assert_int_equal(kinds, n);
    assert_int_equal(after.rewritten - before->rewritten, rewritten ? n : 0);
    assert_int_equal(after.faulted - before->faulted, rewritten ? 0 : n);
}

/* -- CPUID --------------------------------------------------------------------- */

static void test_cpuid_gives_the_machine_leaf(void **state)
{
    struct test_image *image = arm(state);
    struct nt_cpu_stats before;
    uint64_t out[4];
    char signature[13] = {0};

    nt_cpu_get_stats(&before);
    /* The upper halves of RAX and RCX are not part of CPUID's input. */
    image_call(image, code_cpuid, 0xffffffff00000000ull | MACHINE_XEN_LEAF, 0xdead000000000000ull,
               (uintptr_t)out, 0, 0, 0);
    assert_int_equal(machine.cpuid_leaf, MACHINE_XEN_LEAF);
    assert_int_equal(machine.cpuid_subleaf, 0);
    /* Each register zero-extended, as a 32-bit result is. */
    assert_int_equal(out[0], MACHINE_XEN_MAX_LEAF);
    for (int i = 0; i < 3; i++) {
        uint32_t word = (uint32_t)out[1 + i];

        assert_int_equal(out[1 + i] >> 32, 0);
        memcpy(signature + 4 * i, &word, 4);
    }
    assert_string_equal(signature, "XenVMMXenVMM");
    assert_false(machine.off_alt_stack);
    assert_counted(&before, 1, CPUID, rewrites(image));
}

static void test_cpuid_passes_the_subleaf(void **state)
{
    struct test_image *image = arm(state);
    uint64_t out[4];

    image_call(image, code_cpuid, 0xd, 1, (uintptr_t)out, 0, 0, 0);
    assert_int_equal(machine.cpuid_subleaf, 1);
    assert_int_equal(out[0], MACHINE_CPUID_EAX(0xdu, 1u));
    assert_int_equal(out[1], MACHINE_CPUID_EBX(0xdu, 1u));
    assert_int_equal(out[2], MACHINE_CPUID_ECX(0xdu, 1u));
    assert_int_equal(out[3], MACHINE_CPUID_EDX(0xdu, 1u));
}

/* -- MSRs ---------------------------------------------------------------------- */

static void test_rdmsr_gives_edx_eax(void **state)
{
    struct test_image *image = arm(state);
    struct nt_cpu_stats before;

    nt_cpu_get_stats(&before);
    /* The function ORs RDX << 32 into RAX: RAX's upper half must be 0. */
    assert_int_equal(image_call(image, code_rdmsr, MACHINE_MSR, 0, 0, 0, 0, 0), MACHINE_MSR_VALUE);
    assert_int_equal(machine.msr, MACHINE_MSR);
    assert_counted(&before, 1, MSR, rewrites(image));
}

static void test_wrmsr_takes_edx_eax(void **state)
{
    struct test_image *image = arm(state);
    struct nt_cpu_stats before;

    nt_cpu_get_stats(&before);
    assert_int_equal(image_call(image, code_wrmsr, MACHINE_MSR, 0x8877665544332211ull, 0, 0, 0, 0),
                     1);
    assert_int_equal(machine.msr, MACHINE_MSR);
    assert_int_equal(machine.msr_written, 0x8877665544332211ull);
    assert_counted(&before, 1, MSR, rewrites(image));
}

struct call {
    const struct test_image *image;
    const uint8_t *function;
    uint64_t a0, a1;
};

static void run_call(void *arg)
{
    const struct call *call = arg;

    image_call(call->image, call->function, call->a0, call->a1, 0, 0, 0, 0);
}

/* Calls @function, which must fault: machine.fault says how. */
static void call_to_fault(const struct test_image *image, const uint8_t *function, uint64_t a0,
                          uint64_t a1)
{
    struct call call = {.image = image, .function = function, .a0 = a0, .a1 = a1};

    assert_false(machine_run(run_call, &call));
    assert_int_equal(machine.faults, 1);
}

static void test_msr_the_machine_lacks_faults(void **state)
{
    struct test_image *image = arm(state);
    struct nt_cpu_stats before;
    int trap = rewrites(image) ? SIGILL : SIGSEGV;

    nt_cpu_get_stats(&before);
    call_to_fault(image, code_rdmsr, 0x1234, 0);
    assert_int_equal(machine.msr, 0x1234);
    assert_int_equal(machine.fault.signo, trap);
    assert_int_equal(machine.fault.rip, (uintptr_t)image_at(image, at_rdmsr));
    assert_non_null(strstr(machine.fault.reason, "#GP"));

    machine_reset();
    call_to_fault(image, code_wrmsr, 0x1234, 5);
    assert_int_equal(machine.fault.signo, trap);
    assert_int_equal(machine.fault.rip, (uintptr_t)image_at(image, at_wrmsr));
    assert_counted(&before, 0, MSR, rewrites(image));
}

/* -- port I/O ------------------------------------------------------------------- */

/* IN of @bytes from @port by @function (port argument @port_arg): RAX gets
 * the machine's value in its low @bytes, the rest of RAX kept (1, 2) or
 * cleared (4). */
static void check_in(void **state, const uint8_t *function, uint64_t port_arg, uint16_t port,
                     unsigned int bytes)
{
    struct test_image *image = arm(state);
    struct nt_cpu_stats before;
    uint64_t value = MACHINE_PORT_VALUE ^ port, expected;

    if (bytes == 4)
        expected = value;
    else
        expected = (IMAGE_GARBAGE & ~0ull << (8 * bytes)) | (value & ((1u << (8 * bytes)) - 1));
    nt_cpu_get_stats(&before);
    assert_int_equal(image_call(image, function, port_arg, 0, 0, 0, 0, 0), expected);
    assert_int_equal(machine.port, port);
    assert_int_equal(machine.port_bytes, bytes);
    assert_counted(&before, 1, PORT, rewrites(image));
}

static void test_in_byte_from_immediate_port(void **state)
{
    check_in(state, code_inb_imm, 0, 0x71, 1);
}

static void test_in_byte_from_dx(void **state)
{
    /* Only DX: the rest of RDX is not the port. */
    check_in(state, code_inb_dx, 0xabcd0000000003f8ull, 0x3f8, 1);
}

static void test_in_word_from_dx(void **state)
{
    check_in(state, code_inw_dx, 0xcf8, 0xcf8, 2);
}

static void test_in_long_from_dx(void **state)
{
    check_in(state, code_inl_dx, 0xcfc, 0xcfc, 4);
}

static void test_in_long_from_immediate_port(void **state)
{
    check_in(state, code_inl_imm, 0, 0x40, 4);
}

/* OUT of the low @bytes of @value to @port by @function. */
static void check_out(void **state, const uint8_t *function, uint64_t port_arg, uint16_t port,
                      unsigned int bytes)
{
    struct test_image *image = arm(state);
    struct nt_cpu_stats before;
    const uint64_t value = 0x1234567890abcdefull;
    uint32_t expected = bytes == 4 ? (uint32_t)value : value & ((1u << (8 * bytes)) - 1);

    nt_cpu_get_stats(&before);
    assert_int_equal(image_call(image, function, port_arg, value, 0, 0, 0, 0), 1);
    assert_int_equal(machine.port, port);
    assert_int_equal(machine.port_bytes, bytes);
    assert_int_equal(machine.port_written, expected);
    assert_counted(&before, 1, PORT, rewrites(image));
}

static void test_out_byte_to_immediate_port(void **state)
{
    check_out(state, code_outb_imm, 0, 0x80, 1);
}

static void test_out_byte_to_dx(void **state)
{
    check_out(state, code_outb_dx, 0x3f8, 0x3f8, 1);
}

static void test_out_word_to_dx(void **state)
{
    check_out(state, code_outw_dx, 0xcf8, 0xcf8, 2);
}

static void test_out_long_to_immediate_port(void **state)
{
    check_out(state, code_outl_imm, 0, 0x42, 4);
}

/* -- CR8 ---------------------------------------------------------------------- */

static void test_cr8_read_into_rax_and_r9(void **state)
{
    struct test_image *image = arm(state);
    struct nt_cpu_stats before;

    nt_cpu_get_stats(&before);
    machine.cr8 = 2;
    assert_int_equal(image_call(image, code_read_cr8_rax, 0, 0, 0, 0, 0, 0), 2);
    machine.cr8 = 13;
    assert_int_equal(image_call(image, code_read_cr8_r9, 0, 0, 0, 0, 0, 0), 13);
    assert_counted(&before, 2, CR8, rewrites(image));
}

static void test_cr8_written_from_rdi_and_r9(void **state)
{
    struct test_image *image = arm(state);
    struct nt_cpu_stats before;

    nt_cpu_get_stats(&before);
    assert_int_equal(image_call(image, code_write_cr8_rdi, 15, 0, 0, 0, 0, 0), 1);
    assert_int_equal(machine.cr8_written, 15);
    assert_int_equal(image_call(image, code_write_cr8_r9, 4, 0, 0, 0, 0, 0), 1);
    assert_int_equal(machine.cr8_written, 4);
    assert_counted(&before, 2, CR8, rewrites(image));
}

/* -- hypercalls: rewritten in either mode ----------------------------------- */

static void check_hypercall(void **state, const uint8_t *function)
{
    struct test_image *image = arm(state);
    struct nt_cpu_stats before;
    const uint64_t args[5] = {0x1111111111111111ull, 0x2222222222222222ull, 0x3333333333333333ull,
                              0x4444444444444444ull, 0x5555555555555555ull};

    nt_cpu_get_stats(&before);
    assert_int_equal(image_call(image, function, 29, args[0], args[1], args[2], args[3], args[4]),
                     (uint64_t)MACHINE_HYPERCALL_RESULT(29));
    assert_int_equal(machine.hypercall_op, 29);
    assert_memory_equal(machine.hypercall_args, args, sizeof(args));
    assert_counted(&before, 1, HYPERCALL, true);
}

static void test_vmcall_is_a_hypercall(void **state)
{
    check_hypercall(state, code_vmcall);
}

static void test_vmmcall_is_a_hypercall(void **state)
{
    check_hypercall(state, code_vmmcall);
}

/* -- what preparing changed -------------------------------------------------- */

static const struct {
    const uint8_t *at, *end;
    bool always; /* rewritten in NT_CPU_FAULT mode too */
} emulated[] = {
    {at_cpuid, at_cpuid_end, false},
    {at_rdmsr, at_rdmsr_end, false},
    {at_wrmsr, at_wrmsr_end, false},
    {at_inb_imm, at_inb_imm_end, false},
    {at_inb_dx, at_inb_dx_end, false},
    {at_inw_dx, at_inw_dx_end, false},
    {at_inl_dx, at_inl_dx_end, false},
    {at_inl_imm, at_inl_imm_end, false},
    {at_outb_imm, at_outb_imm_end, false},
    {at_outb_dx, at_outb_dx_end, false},
    {at_outw_dx, at_outw_dx_end, false},
    {at_outl_imm, at_outl_imm_end, false},
    {at_read_cr8_rax, at_read_cr8_rax_end, false},
    {at_read_cr8_r9, at_read_cr8_r9_end, false},
    {at_write_cr8_rdi, at_write_cr8_rdi_end, false},
    {at_write_cr8_r9, at_write_cr8_r9_end, false},
    {at_vmcall, at_vmcall_end, true},
    {at_vmmcall, at_vmmcall_end, true},
};

/* The image's KUSER_SHARED_DATA constants: three in code, one in data. */
#define KUSER_CONSTANTS 4

static void test_prepare_rewrote_what_the_mode_says(void **state)
{
    struct test_image *image = arm(state);
    int expected = KUSER_CONSTANTS;

    for (size_t i = 0; i < sizeof(emulated) / sizeof(emulated[0]); i++) {
        bool rewritten = emulated[i].always || rewrites(image);

        if (rewritten) {
            assert_true(image_rewritten(image, emulated[i].at, emulated[i].end));
            expected++;
        } else {
            assert_true(image_unchanged(image, emulated[i].at, emulated[i].end));
        }
    }
    assert_int_equal(image->prepared, expected);
    /* What nothing emulates stays as it was. */
    assert_true(image_unchanged(image, code_null_read, code_read_cr0_end));
}

/* -- KUSER_SHARED_DATA --------------------------------------------------------- */

static void test_kuser_reads_reach_the_page(void **state)
{
    struct test_image *image = arm(state);
    uint64_t moved = (uint64_t)(uintptr_t)image->kuser + 8;

    assert_int_equal(image_call(image, code_kuser_load, 0, 0, 0, 0, 0, 0), KUSER_INTERRUPT_TIME);
    assert_int_equal(image_call(image, code_kuser_imul, 0, 0, 0, 0, 0, 0),
                     KUSER_INTERRUPT_TIME * 100);
    assert_int_equal(image_call(image, code_kuser_moffs, 0, 0, 0, 0, 0, 0), KUSER_SYSTEM_TIME);
    assert_int_equal(image_call(image, code_kuser_pointer, 0, 0, 0, 0, 0, 0), KUSER_TICK_COUNT);
    /* movabs $imm64: the immediate is the last 8 bytes. */
    assert_memory_equal(image_at(image, at_kuser_load_end) - 8, &moved, 8);
    assert_int_equal(machine.calls, 0);
}

/* -- faults nothing emulates ------------------------------------------------ */

static void test_access_violation_reaches_fault(void **state)
{
    struct test_image *image = arm(state);

    call_to_fault(image, code_null_read, 0, 0);
    assert_int_equal(machine.fault.signo, SIGSEGV);
    assert_int_equal(machine.fault.code, SEGV_MAPERR);
    assert_int_equal(machine.fault.address, 8);
    assert_int_equal(machine.fault.rip, (uintptr_t)image_at(image, at_null_read));
    assert_string_equal(machine.fault.reason, "access violation");
}

static void test_ud2_of_the_image_reaches_fault(void **state)
{
    struct test_image *image = arm(state);

    call_to_fault(image, code_ud2, 0, 0);
    assert_int_equal(machine.fault.signo, SIGILL);
    assert_int_equal(machine.fault.rip, (uintptr_t)image_at(image, at_ud2));
}

static void test_unemulated_privileged_instruction_reaches_fault(void **state)
{
    struct test_image *image = arm(state);

    call_to_fault(image, code_read_cr0, 0, 0);
    assert_int_equal(machine.fault.signo, SIGSEGV);
    assert_int_equal(machine.fault.code, SI_KERNEL);
    assert_int_equal(machine.fault.rip, (uintptr_t)image_at(image, at_read_cr0));
}

static void test_int3_of_the_image_reaches_fault(void **state)
{
    struct test_image *image = arm(state);

    call_to_fault(image, code_int3, 0, 0);
    assert_int_equal(machine.fault.signo, SIGTRAP);
    assert_int_equal(machine.fault.rip, (uintptr_t)image_at(image, at_int3));
}

/* -- another thread ------------------------------------------------------------ */

struct thread_run {
    const struct test_image *image;
    stack_t before, during, after;
    int entered;
    uint64_t out[4];
};

static void *cpuid_on_a_thread(void *arg)
{
    struct thread_run *run = arg;

    sigaltstack(NULL, &run->before);
    run->entered = nt_cpu_thread_enter();
    sigaltstack(NULL, &run->during);
    if (run->entered == 0)
        image_call(run->image, code_cpuid, MACHINE_XEN_LEAF, 0, (uintptr_t)run->out, 0, 0, 0);
    nt_cpu_thread_exit();
    sigaltstack(NULL, &run->after);
    return NULL;
}

static void test_a_new_thread_runs_on_its_own_alternate_stack(void **state)
{
    struct thread_run run = {.image = arm(state)};
    struct nt_cpu_stats before;
    pthread_t thread;

    nt_cpu_get_stats(&before);
    assert_int_equal(pthread_create(&thread, NULL, cpuid_on_a_thread, &run), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(run.entered, 0);
    assert_int_equal(run.out[1], MACHINE_XEN_EBX);
    assert_false(machine.off_alt_stack);
    /* In NT_CPU_FAULT mode the thread inherited CPUID faulting. */
    assert_counted(&before, 1, CPUID, rewrites(run.image));
    assert_ptr_not_equal(run.during.ss_sp, run.before.ss_sp);
    assert_true(run.during.ss_size >= 256 * 1024);
    /* The thread's own stack (the sanitizer's) is back. */
    assert_ptr_equal(run.after.ss_sp, run.before.ss_sp);
    assert_int_equal(run.after.ss_size, run.before.ss_size);
    assert_int_equal(run.after.ss_flags, run.before.ss_flags);
}

/* -- NT_CPU_FAULT only ----------------------------------------------------------- */

static uint32_t host_vendor[3]; /* CPUID leaf 0, read before any mode */

static void test_host_code_cpuid_still_runs_natively(void **state)
{
    unsigned int max, vendor[3];

    arm(state);
    __cpuid(0, max, vendor[0], vendor[2], vendor[1]);
    (void)max;
    assert_memory_equal(vendor, host_vendor, sizeof(vendor));
    assert_int_equal(machine.calls, 0);
}

/* -- groups ---------------------------------------------------------------------- */

static struct test_image rewrite_image, fault_image;

static int load(void **state, struct test_image *image, enum nt_cpu_mode mode)
{
    if (image_load(image, mode) != 0)
        return -1;
    *state = image;
    return disarm(state);
}

static int load_rewrite(void **state)
{
    return load(state, &rewrite_image, NT_CPU_REWRITE);
}

static int load_fault(void **state)
{
    return load(state, &fault_image, NT_CPU_FAULT);
}

static int unload(void **state)
{
    image_unload(*state);
    return 0;
}

#define TEST(name) cmocka_unit_test_teardown(name, disarm)
#define EVERY_MODE_TESTS                                                                    \
    TEST(test_cpuid_gives_the_machine_leaf), TEST(test_cpuid_passes_the_subleaf),           \
        TEST(test_rdmsr_gives_edx_eax), TEST(test_wrmsr_takes_edx_eax),                     \
        TEST(test_msr_the_machine_lacks_faults), TEST(test_in_byte_from_immediate_port),    \
        TEST(test_in_byte_from_dx), TEST(test_in_word_from_dx), TEST(test_in_long_from_dx), \
        TEST(test_in_long_from_immediate_port), TEST(test_out_byte_to_immediate_port),      \
        TEST(test_out_byte_to_dx), TEST(test_out_word_to_dx),                               \
        TEST(test_out_long_to_immediate_port), TEST(test_cr8_read_into_rax_and_r9),         \
        TEST(test_cr8_written_from_rdi_and_r9), TEST(test_vmcall_is_a_hypercall),           \
        TEST(test_vmmcall_is_a_hypercall), TEST(test_prepare_rewrote_what_the_mode_says),   \
        TEST(test_kuser_reads_reach_the_page), TEST(test_access_violation_reaches_fault),   \
        TEST(test_ud2_of_the_image_reaches_fault),                                          \
        TEST(test_unemulated_privileged_instruction_reaches_fault),                         \
        TEST(test_int3_of_the_image_reaches_fault),                                         \
        TEST(test_a_new_thread_runs_on_its_own_alternate_stack)

int main(void)
{
    const struct CMUnitTest rewrite_tests[] = {EVERY_MODE_TESTS};
    const struct CMUnitTest fault_tests[] = {
        EVERY_MODE_TESTS,
        TEST(test_host_code_cpuid_still_runs_natively),
    };
    unsigned int max;
    int failed;

    __cpuid(0, max, host_vendor[0], host_vendor[2], host_vendor[1]);
    (void)max;
    if (nt_cpu_thread_enter() != 0) {
        fprintf(stderr, "nt_cpu_thread_enter failed\n");
        return 1;
    }
    failed = cmocka_run_group_tests_name("NT_CPU_REWRITE", rewrite_tests, load_rewrite, unload);
    if (nt_cpu_cpuid_faulting_available())
        failed += cmocka_run_group_tests_name("NT_CPU_FAULT", fault_tests, load_fault, unload);
    else
        printf("# NT_CPU_FAULT not run: this host cannot make CPUID fault\n");
    nt_cpu_thread_exit();
    return failed;
}
