/*
 * tests/sim/nt_cpu/xenbus_image_test.c - sim/nt/cpu preparing the real
 * xenbus.sys, as the build makes it: mapped section by section at its
 * RVAs (pecheck's PE reader finds them), its functions taken from .pdata.
 * Every function must decode, and what was rewritten is checked against
 * the original bytes with an opcode table of the test's own (not Zydis):
 * the CPUID probes of the Xen leaves and the VMCALL and VMMCALL of the
 * hypercalls (and no MSR access) in NT_CPU_REWRITE mode; with the gaps between functions listed too, the
 * leaf functions' port I/O and KeQueryInterruptTime's KUSER_SHARED_DATA
 * address as well.
 *
 * The image is NTCPU_XENBUS_SYS in the environment, or the one module.mk
 * compiles in.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* pecheck's headers first: cmocka defines a fail() macro. */
#include "file.h"
#include "nt/cpu/cpu.h"
#include "pe.h"

#include <cmocka.h>

#ifndef NTCPU_XENBUS_SYS
#define NTCPU_XENBUS_SYS "build/win64/xenbus.sys"
#endif

#define PE_DIRECTORY_EXCEPTION 3
#define PE_SCN_MEM_EXECUTE     0x20000000u
#define RUNTIME_FUNCTION_SIZE  12 /* BeginAddress, EndAddress, UnwindInfo */
#define KUSER_SHARED_DATA      0xfffff78000000000ull
#define MAX_SECTIONS           16

static struct file_contents file;
static struct pe_image pe;

/* -- the image mapped ------------------------------------------------------------ */

struct mapped {
    uint8_t *base;
    size_t size;
    uint8_t *original; /* the mapping before nt_cpu_prepare_image */
    struct nt_code_range *functions;
    size_t function_count;
    struct nt_code_range code[MAX_SECTIONS]; /* the executable sections */
    size_t code_count;
    struct nt_code_range *code_ranges; /* their functions and gaps, if listed */
};

static _Alignas(4096) uint8_t kuser_page[4096];

static void copy_section(struct mapped *image, const struct pe_section *section)
{
    size_t length =
        section->raw_size < section->virtual_size ? section->raw_size : section->virtual_size;

    assert_true(section->raw_offset + (uint64_t)length <= file.size);
    assert_true(section->virtual_address + (uint64_t)length <= image->size);
    memcpy(image->base + section->virtual_address, file.data + section->raw_offset, length);
}

static void read_pdata(struct mapped *image)
{
    struct pe_data_directory pdata = pe_directory(&pe, PE_DIRECTORY_EXCEPTION);

    assert_true(pdata.size >= RUNTIME_FUNCTION_SIZE);
    assert_true(pdata.rva + (uint64_t)pdata.size <= image->size);
    image->function_count = pdata.size / RUNTIME_FUNCTION_SIZE;
    image->functions = calloc(image->function_count, sizeof(*image->functions));
    assert_non_null(image->functions);
    for (size_t i = 0; i < image->function_count; i++) {
        const uint8_t *entry = image->base + pdata.rva + i * RUNTIME_FUNCTION_SIZE;

        memcpy(&image->functions[i].begin, entry, 4);
        memcpy(&image->functions[i].end, entry + 4, 4);
    }
}

static int map_image(void **state)
{
    struct mapped *image = calloc(1, sizeof(*image));

    if (!image)
        return -1;
    *state = image;
    image->size = (pe.size_of_image + 4095u) & ~(size_t)4095;
    image->base =
        mmap(NULL, image->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    image->original = malloc(image->size);
    if (image->base == MAP_FAILED || !image->original || pe.size_of_headers > file.size)
        return -1;
    memcpy(image->base, file.data, pe.size_of_headers);
    for (unsigned i = 0; i < pe.section_count; i++) {
        struct pe_section section;

        pe_section(&pe, i, &section);
        copy_section(image, &section);
        if ((section.characteristics & PE_SCN_MEM_EXECUTE) && image->code_count < MAX_SECTIONS)
            image->code[image->code_count++] = (struct nt_code_range){
                .begin = section.virtual_address,
                .end = section.virtual_address + section.virtual_size,
            };
    }
    read_pdata(image);
    memcpy(image->original, image->base, image->size);
    return 0;
}

static int unmap_image(void **state)
{
    struct mapped *image = *state;

    nt_cpu_forget_image(image->base, image->size);
    munmap(image->base, image->size);
    free(image->original);
    free(image->functions);
    free(image->code_ranges);
    free(image);
    /* CPUID faulting off again, whichever mode the test chose. */
    return nt_cpu_init(NT_CPU_REWRITE, &(struct nt_cpu_ops){0});
}

/* -- what changed, by the test's own reading of the original bytes -------- */

struct changes {
    unsigned int cpuid, msr, port, cr8, hypercall, kuser, unexplained;
};

static unsigned int *kind_of(struct changes *changes, const uint8_t *was)
{
    while (*was == 0x66 || (*was & 0xf0) == 0x40) /* operand size, REX */
        was++;
    if ((*was & 0xf4) == 0xe4) /* E4-E7, EC-EF: IN and OUT */
        return &changes->port;
    if (was[0] != 0x0f)
        return &changes->unexplained;
    if (was[1] == 0xa2)
        return &changes->cpuid;
    if (was[1] == 0x30 || was[1] == 0x32)
        return &changes->msr;
    if (was[1] == 0x20 || was[1] == 0x22)
        return &changes->cr8;
    if (was[1] == 0x01 && (was[2] == 0xc1 || was[2] == 0xd9))
        return &changes->hypercall;
    return &changes->unexplained;
}

static uint64_t read64(const uint8_t *at)
{
    uint64_t value;

    memcpy(&value, at, sizeof(value));
    return value;
}

/* A KUSER_SHARED_DATA address made to point into kuser_page. */
static bool redirected(const uint8_t *was, const uint8_t *now, size_t left)
{
    uint64_t offset;

    if (left < 8)
        return false;
    offset = read64(was) - KUSER_SHARED_DATA;
    return offset < 4096 && read64(now) == (uint64_t)(uintptr_t)kuser_page + offset;
}

static struct changes diff(const struct mapped *image)
{
    const uint8_t *was = image->original, *now = image->base;
    struct changes changes = {0};
    size_t i = 0;

    while (i < image->size) {
        if (redirected(was + i, now + i, image->size - i)) {
            changes.kuser++;
            i += 8;
        } else if (i + 1 < image->size && now[i] == 0x0f && now[i + 1] == 0x0b &&
                   (was[i] != 0x0f || was[i + 1] != 0x0b)) {
            /* UD2, then the INT3 padding up to the original's length. */
            (*kind_of(&changes, was + i))++;
            for (i += 2; i < image->size && now[i] == 0xcc && was[i] != 0xcc; i++)
                ;
        } else if (now[i] == was[i]) {
            i++;
        } else {
            /* A lone INT3: a one-byte IN or OUT. */
            unsigned int *kind = kind_of(&changes, was + i);

            (*(now[i] == 0xcc && kind == &changes.port ? kind : &changes.unexplained))++;
            i++;
        }
    }
    return changes;
}

static unsigned int total(const struct changes *changes)
{
    return changes->cpuid + changes->msr + changes->port + changes->cr8 + changes->hypercall +
           changes->kuser;
}

/*
 * Prepares @image in @mode from @ranges: it must succeed, every byte that
 * changed must be one of the rewrites, and their number what prepare said.
 */
static struct changes prepare(struct mapped *image, enum nt_cpu_mode mode,
                              const struct nt_code_range *ranges, size_t count)
{
    struct changes changes;
    int rewritten;

    assert_int_equal(nt_cpu_init(mode, &(struct nt_cpu_ops){0}), 0);
    rewritten = nt_cpu_prepare_image(image->base, image->size, ranges, count,
                                     (uint64_t)(uintptr_t)kuser_page);
    assert_true(rewritten >= 0);
    changes = diff(image);
    printf("# CPUID %u, MSR %u, port I/O %u, CR8 %u, hypercall %u, KUSER %u rewritten\n",
           changes.cpuid, changes.msr, changes.port, changes.cr8, changes.hypercall, changes.kuser);
    assert_int_equal(changes.unexplained, 0);
    assert_int_equal(total(&changes), rewritten);
    return changes;
}

/* -- the tests ------------------------------------------------------------------------ */

static void test_pdata_functions_decode_and_the_probes_are_found(void **state)
{
    struct mapped *image = *state;
    struct changes changes =
        prepare(image, NT_CPU_REWRITE, image->functions, image->function_count);

    /* The hypervisor probe: CPUID leaves 0x40000000 on and the vendor leaf,
     * and both hypercall instructions, one of which the vendor selects; no
     * MSR is written (no hypercall page, XSA-466). */
    assert_true(changes.cpuid >= 1);
    assert_int_equal(changes.msr, 0);
    assert_int_equal(changes.hypercall, 2);
}

static void test_the_gaps_hold_port_io_and_the_interrupt_time(void **state)
{
    struct mapped *image = *state;
    size_t max = 2 * image->function_count + image->code_count;
    struct changes changes;
    size_t count = 0;

    image->code_ranges = calloc(max, sizeof(*image->code_ranges));
    assert_non_null(image->code_ranges);
    for (size_t i = 0; i < image->code_count; i++) {
        int n = nt_cpu_section_code(image->code[i], image->functions, image->function_count,
                                    image->code_ranges + count, max - count);

        assert_true(n > 0);
        count += (size_t)n;
    }
    changes = prepare(image, NT_CPU_REWRITE, image->code_ranges, count);
    assert_true(changes.cpuid >= 1);
    assert_int_equal(changes.msr, 0);
    /* os/nt's port I/O and time are leaf functions with no .pdata entry. */
    assert_true(changes.port >= 1);
    assert_true(changes.kuser >= 1);
}

static void test_fault_mode_leaves_the_probes_to_fault(void **state)
{
    struct mapped *image = *state;
    struct changes changes = prepare(image, NT_CPU_FAULT, image->functions, image->function_count);

    assert_int_equal(changes.cpuid, 0);
    assert_int_equal(changes.msr, 0);
}

int main(void)
{
    const char *path = getenv("NTCPU_XENBUS_SYS");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pdata_functions_decode_and_the_probes_are_found,
                                        map_image, unmap_image),
        cmocka_unit_test_setup_teardown(test_the_gaps_hold_port_io_and_the_interrupt_time,
                                        map_image, unmap_image),
    };
    const struct CMUnitTest with_cpuid_faulting[] = {
        cmocka_unit_test_setup_teardown(test_fault_mode_leaves_the_probes_to_fault, map_image,
                                        unmap_image),
    };
    struct failure why;
    int failed;

    path = path && *path ? path : NTCPU_XENBUS_SYS;
    if (!file_read(path, &file, &why) || !pe_parse(&pe, file.data, file.size, &why)) {
        fprintf(stderr, "%s: %s\n", path, why.text);
        return 1;
    }
    failed = cmocka_run_group_tests_name("xenbus.sys", tests, NULL, NULL);
    if (nt_cpu_cpuid_faulting_available())
        failed += cmocka_run_group_tests_name("xenbus.sys, NT_CPU_FAULT", with_cpuid_faulting, NULL,
                                              NULL);
    else
        printf("# NT_CPU_FAULT not run: this host cannot make CPUID fault\n");
    file_release(&file);
    return failed;
}
