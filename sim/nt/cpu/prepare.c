/*
 * sim/nt/cpu/prepare.c - rewriting an image before it runs
 * (nt_cpu_prepare_image, nt_cpu_forget_image).
 *
 * Every listed function is decoded from its first byte to its last; an
 * instruction the mode rewrites becomes UD2 padded with INT3 to its length
 * (a one-byte instruction, IN or OUT with the port in DX, becomes a lone
 * INT3), and its address goes into the image's record for the handler.
 *
 * KUSER_SHARED_DATA: clang materialises a constant address as a 64-bit
 * immediate (movabs $0xFFFFF78000000008, %rax) and folds the read into
 * whatever uses it, so the immediate is what gets redirected, as is a
 * 64-bit displacement (movabs 0xFFFFF78000000014, %rax, from hand-written
 * code). A pointer initialised to the page (a global `volatile ULONGLONG *p
 * = (void *)0xFFFFF78000000014`) is an 8-byte constant in .data with no
 * relocation; the caller cannot tell sections apart here, so every
 * 8-byte-aligned value outside the listed functions that points into the
 * page is redirected too. A non-pointer datum of exactly such a value is the
 * (accepted) false positive.
 */
#include "cpu.h"

#include "code_ranges.h"
#include "images.h"
#include "insn.h"
#include "trap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define KUSER_SHARED_DATA 0xFFFFF78000000000ull
#define KUSER_SIZE        0x1000ull

static const uint8_t ud2[2] = {0x0f, 0x0b};
#define INT3 0xcc

/* What an image's preparation will change, gathered before any change. */
struct plan {
    struct nt_site *sites;
    size_t site_count, site_capacity;
    uint32_t *constants; /* offsets of 8-byte constants to redirect */
    size_t constant_count, constant_capacity;
};

static int grow(void **array, size_t *capacity, size_t count, size_t element)
{
    size_t wanted = *capacity ? *capacity * 2 : 64;
    void *bigger;

    if (count < *capacity)
        return 0;
    bigger = realloc(*array, wanted * element);
    if (!bigger)
        return -ENOMEM;
    *array = bigger;
    *capacity = wanted;
    return 0;
}

static int add_site(struct plan *plan, uint32_t rva, const struct nt_insn *insn)
{
    int rc =
        grow((void **)&plan->sites, &plan->site_capacity, plan->site_count, sizeof(*plan->sites));

    if (rc == 0)
        plan->sites[plan->site_count++] = (struct nt_site){.rva = rva, .insn = *insn};
    return rc;
}

static uint64_t read64(const uint8_t *at)
{
    uint64_t value;

    memcpy(&value, at, sizeof(value));
    return value;
}

static bool points_into_kuser(uint64_t value)
{
    return value - KUSER_SHARED_DATA < KUSER_SIZE;
}

/* Notes the constant at @offset when it points into KUSER_SHARED_DATA. */
static int add_constant_if_kuser(struct plan *plan, const uint8_t *base, uint32_t offset)
{
    int rc;

    if (!points_into_kuser(read64(base + offset)))
        return 0;
    rc = grow((void **)&plan->constants, &plan->constant_capacity, plan->constant_count,
              sizeof(*plan->constants));
    if (rc == 0)
        plan->constants[plan->constant_count++] = offset;
    return rc;
}

static bool mode_rewrites(enum nt_insn_kind kind)
{
    if (kind == NT_INSN_HYPERCALL)
        return true;
    return kind != NT_INSN_OTHER && nt_cpu_current_mode() == NT_CPU_REWRITE;
}

/*
 * Decode one function. A function may end in data: clang puts a switch's
 * jump table in .text right after the function's code, inside its .pdata
 * range, and the code reads it RIP-relative. So an address inside the
 * function ahead of the instruction that names it is taken as the start of
 * data, and decoding stops there; a label the code takes the address of
 * the same way would hide the code after it (none in code clang emits).
 */
static int plan_function(struct plan *plan, const uint8_t *base, struct nt_code_range range)
{
    uint32_t at = range.begin, data = range.end;

    while (at < data) {
        struct nt_insn insn;
        struct nt_insn_constants constants;
        int rc = nt_insn_decode(base + at, data - at, &insn, &constants);

        if (rc == 0 && mode_rewrites(insn.kind))
            rc = add_site(plan, at, &insn);
        if (rc == 0 && constants.imm64_offset)
            rc = add_constant_if_kuser(plan, base, at + constants.imm64_offset);
        if (rc == 0 && constants.disp64_offset)
            rc = add_constant_if_kuser(plan, base, at + constants.disp64_offset);
        if (rc != 0)
            return rc;
        at += insn.length;
        if (constants.has_rip_target) {
            int64_t target = (int64_t)at + constants.rip_target;

            if (target > (int64_t)at && target < (int64_t)data)
                data = (uint32_t)target;
        }
    }
    return 0;
}

/* The 8-byte-aligned constants between the functions (@sorted, sorted and
 * apart) and around them. */
static int plan_data(struct plan *plan, const uint8_t *base, size_t size,
                     const struct nt_code_range *sorted, size_t count)
{
    size_t next = 0;
    int rc = 0;

    for (uint32_t offset = 0; rc == 0 && offset + 8 <= size; offset += 8) {
        while (next < count && sorted[next].end <= offset)
            next++;
        if (next < count && sorted[next].begin < offset + 8)
            continue; /* [offset, offset + 8) is (partly) code */
        rc = add_constant_if_kuser(plan, base, offset);
    }
    return rc;
}

/* The record the handler reads; the sites are in order already (the
 * functions were walked in order). */
static struct nt_image *make_record(uint8_t *base, size_t size, const struct plan *plan)
{
    struct nt_image *image = malloc(sizeof(*image) + plan->site_count * sizeof(image->sites[0]));

    if (!image)
        return NULL;
    image->base = (uintptr_t)base;
    image->size = size;
    image->site_count = plan->site_count;
    if (plan->site_count)
        memcpy(image->sites, plan->sites, plan->site_count * sizeof(image->sites[0]));
    return image;
}

static void rewrite_site(uint8_t *at, const struct nt_insn *insn)
{
    memset(at, INT3, insn->length);
    if (insn->length >= sizeof(ud2))
        memcpy(at, ud2, sizeof(ud2));
}

static void redirect_constant(uint8_t *at, uint64_t kuser_page)
{
    uint64_t value = kuser_page + (read64(at) - KUSER_SHARED_DATA);

    memcpy(at, &value, sizeof(value));
}

/* Each range inside the image, none overlapping another (@sorted by start). */
static bool valid_ranges(size_t size, const struct nt_code_range *sorted, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (sorted[i].begin >= sorted[i].end || sorted[i].end > size ||
            (i > 0 && sorted[i].begin < sorted[i - 1].end))
            return false;
    return true;
}

static int plan_image(struct plan *plan, uint8_t *base, size_t size,
                      const struct nt_code_range *sorted, size_t count)
{
    int rc = 0;

    if (!valid_ranges(size, sorted, count))
        return -EINVAL;
    for (size_t i = 0; i < count && rc == 0; i++)
        rc = plan_function(plan, base, sorted[i]);
    return rc == 0 ? plan_data(plan, base, size, sorted, count) : rc;
}

int nt_cpu_prepare_image(uint8_t *base, size_t size, const struct nt_code_range *functions,
                         size_t count, uint64_t kuser_page)
{
    struct plan plan = {0};
    struct nt_code_range *sorted;
    struct nt_image *image = NULL;
    int rc;

    if (!base || size == 0 || size > UINT32_MAX || (count && !functions) || kuser_page == 0 ||
        kuser_page % KUSER_SIZE != 0)
        return -EINVAL;
    sorted = nt_code_ranges_sorted(functions, count);
    rc = sorted ? plan_image(&plan, base, size, sorted, count) : -ENOMEM;
    if (rc == 0) {
        image = make_record(base, size, &plan);
        rc = image ? nt_images_add(image) : -ENOMEM;
    }
    /* Published: now change the bytes (no code of the image runs yet). */
    if (rc == 0) {
        for (size_t i = 0; i < image->site_count; i++)
            rewrite_site(base + image->sites[i].rva, &image->sites[i].insn);
        for (size_t i = 0; i < plan.constant_count; i++)
            redirect_constant(base + plan.constants[i], kuser_page);
        rc = (int)(image->site_count + plan.constant_count);
    } else {
        free(image);
    }
    free(sorted);
    free(plan.sites);
    free(plan.constants);
    return rc;
}

void nt_cpu_forget_image(uint8_t *base, size_t size)
{
    nt_images_remove((uintptr_t)base, size);
}
