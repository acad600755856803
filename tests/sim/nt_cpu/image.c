/*
 * tests/sim/nt_cpu/image.c - the test image, mapped and prepared (see image.h).
 */
#include "image.h"

#include "machine.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RANGE(name)                    \
    {                                  \
        code_##name, code_##name##_end \
    }

static const struct {
    const uint8_t *begin, *end;
} functions[] = {
    RANGE(cpuid),        RANGE(rdmsr),         RANGE(wrmsr),         RANGE(inb_imm),
    RANGE(inb_dx),       RANGE(inw_dx),        RANGE(inl_dx),        RANGE(inl_imm),
    RANGE(outb_imm),     RANGE(outb_dx),       RANGE(outw_dx),       RANGE(outl_imm),
    RANGE(read_cr8_rax), RANGE(read_cr8_r9),   RANGE(write_cr8_rdi), RANGE(write_cr8_r9),
    RANGE(vmcall),       RANGE(vmmcall),       RANGE(kuser_load),    RANGE(kuser_imul),
    RANGE(kuser_moffs),  RANGE(kuser_pointer), RANGE(null_read),     RANGE(ud2),
    RANGE(read_cr0),     RANGE(int3),
};

#define FUNCTION_COUNT (sizeof(functions) / sizeof(functions[0]))

size_t image_span(const uint8_t *from, const uint8_t *to)
{
    return (size_t)((uintptr_t)to - (uintptr_t)from);
}

size_t image_functions(struct nt_code_range *ranges, size_t max)
{
    size_t count = FUNCTION_COUNT < max ? FUNCTION_COUNT : max;

    for (size_t i = 0; i < count; i++)
        ranges[i] = (struct nt_code_range){
            .begin = (uint32_t)image_span(image_code_start, functions[i].begin),
            .end = (uint32_t)image_span(image_code_start, functions[i].end),
        };
    return count;
}

uint8_t *image_map(const uint8_t *from, const uint8_t *to, size_t *size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t length = image_span(from, to);
    uint8_t *base;

    *size = (length + page - 1) / page * page;
    base =
        mmap(NULL, *size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    memcpy(base, from, length);
    return base;
}

static uint8_t *map_kuser_page(void)
{
    uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t interrupt_time = KUSER_INTERRUPT_TIME, system_time = KUSER_SYSTEM_TIME;
    uint32_t tick_count = KUSER_TICK_COUNT;

    if (page == MAP_FAILED)
        return NULL;
    memcpy(page + 0x008, &interrupt_time, sizeof(interrupt_time));
    memcpy(page + 0x014, &system_time, sizeof(system_time));
    memcpy(page + 0x320, &tick_count, sizeof(tick_count));
    return page;
}

int image_load(struct test_image *image, enum nt_cpu_mode mode)
{
    struct nt_code_range ranges[FUNCTION_COUNT];
    int rc;

    memset(image, 0, sizeof(*image));
    image->mode = mode;
    rc = nt_cpu_init(mode, machine_ops());
    if (rc != 0)
        return rc;
    image->base = image_map(image_code_start, image_code_end, &image->size);
    image->kuser = map_kuser_page();
    if (!image->base || !image->kuser) {
        image_unload(image);
        return -ENOMEM;
    }
    image->prepared = nt_cpu_prepare_image(image->base, image->size, ranges,
                                           image_functions(ranges, FUNCTION_COUNT),
                                           (uint64_t)(uintptr_t)image->kuser);
    if (image->prepared < 0) {
        rc = image->prepared;
        image_unload(image);
    }
    return rc;
}

void image_unload(struct test_image *image)
{
    if (image->base && image->prepared >= 0)
        nt_cpu_forget_image(image->base, image->size);
    if (image->base)
        munmap(image->base, image->size);
    if (image->kuser)
        munmap(image->kuser, 4096);
    image->base = image->kuser = NULL;
}

uint8_t *image_at(const struct test_image *image, const uint8_t *label)
{
    return image->base + image_span(image_code_start, label);
}

typedef uint64_t (*image_function)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

uint64_t image_call(const struct test_image *image, const uint8_t *label, uint64_t a0, uint64_t a1,
                    uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    image_function function = (image_function)(void *)image_at(image, label);

    return function(a0, a1, a2, a3, a4, a5);
}

bool image_rewritten(const struct test_image *image, const uint8_t *at, const uint8_t *end)
{
    const uint8_t *bytes = image_at(image, at);
    size_t length = image_span(at, end);

    if (length == 1)
        return bytes[0] == 0xcc;
    if (bytes[0] != 0x0f || bytes[1] != 0x0b)
        return false;
    for (size_t i = 2; i < length; i++)
        if (bytes[i] != 0xcc)
            return false;
    return true;
}

bool image_unchanged(const struct test_image *image, const uint8_t *at, const uint8_t *end)
{
    return memcmp(image_at(image, at), at, image_span(at, end)) == 0;
}
