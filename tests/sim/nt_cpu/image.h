/*
 * tests/sim/nt_cpu/image.h - the test image (image_code.S) copied into a mapping
 * of its own and prepared with sim/nt/cpu, its functions called, its
 * rewritten bytes looked at.
 */
#ifndef WINPV_TESTS_NTCPU_IMAGE_H
#define WINPV_TESTS_NTCPU_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image_code.h"
#include "nt/cpu/cpu.h"

/* Labels of image_code.S: a function code_X .. code_X_end, the instruction
 * under test at_X .. at_X_end. */
#define IMAGE_FUNCTION(name) extern const uint8_t code_##name[], code_##name##_end[]
#define IMAGE_AT(name)       extern const uint8_t at_##name[], at_##name##_end[]

extern const uint8_t image_code_start[], image_code_end[];
extern const uint8_t kuser_pointer[], past_kuser_pointer[];
extern const uint8_t garbage_invalid[], garbage_invalid_end[];
extern const uint8_t garbage_truncated[], garbage_truncated_end[];

IMAGE_FUNCTION(cpuid);
IMAGE_FUNCTION(rdmsr);
IMAGE_FUNCTION(wrmsr);
IMAGE_FUNCTION(inb_imm);
IMAGE_FUNCTION(inb_dx);
IMAGE_FUNCTION(inw_dx);
IMAGE_FUNCTION(inl_dx);
IMAGE_FUNCTION(inl_imm);
IMAGE_FUNCTION(outb_imm);
IMAGE_FUNCTION(outb_dx);
IMAGE_FUNCTION(outw_dx);
IMAGE_FUNCTION(outl_imm);
IMAGE_FUNCTION(read_cr8_rax);
IMAGE_FUNCTION(read_cr8_r9);
IMAGE_FUNCTION(write_cr8_rdi);
IMAGE_FUNCTION(write_cr8_r9);
IMAGE_FUNCTION(vmcall);
IMAGE_FUNCTION(vmmcall);
IMAGE_FUNCTION(kuser_load);
IMAGE_FUNCTION(kuser_imul);
IMAGE_FUNCTION(kuser_moffs);
IMAGE_FUNCTION(kuser_pointer);
IMAGE_FUNCTION(null_read);
IMAGE_FUNCTION(ud2);
IMAGE_FUNCTION(read_cr0);
IMAGE_FUNCTION(int3);

IMAGE_AT(cpuid);
IMAGE_AT(rdmsr);
IMAGE_AT(wrmsr);
IMAGE_AT(inb_imm);
IMAGE_AT(inb_dx);
IMAGE_AT(inw_dx);
IMAGE_AT(inl_dx);
IMAGE_AT(inl_imm);
IMAGE_AT(outb_imm);
IMAGE_AT(outb_dx);
IMAGE_AT(outw_dx);
IMAGE_AT(outl_imm);
IMAGE_AT(read_cr8_rax);
IMAGE_AT(read_cr8_r9);
IMAGE_AT(write_cr8_rdi);
IMAGE_AT(write_cr8_r9);
IMAGE_AT(vmcall);
IMAGE_AT(vmmcall);
IMAGE_AT(kuser_load);
extern const uint8_t at_null_read[], at_ud2[], at_read_cr0[], at_int3[];

/* What the KUSER_SHARED_DATA page the tests hand in holds. */
#define KUSER_INTERRUPT_TIME 0x0123456789abcdefull /* at 0x008 */
#define KUSER_SYSTEM_TIME    0x1dc0ffee2badf00dull /* at 0x014 */
#define KUSER_TICK_COUNT     0x5eed1e55u           /* at 0x320 */

struct test_image {
    uint8_t *base;  /* a copy of image_code_start .. image_code_end */
    size_t size;    /* of the mapping */
    uint8_t *kuser; /* the page KUSER_SHARED_DATA reads are sent to */
    enum nt_cpu_mode mode;
    int prepared; /* what nt_cpu_prepare_image returned */
};

/* The bytes from label @from to label @to of image_code.S (labels are
 * separate objects to C: no pointer subtraction between them). */
size_t image_span(const uint8_t *from, const uint8_t *to);

/* Every function of the image, as .pdata would list it. */
size_t image_functions(struct nt_code_range *ranges, size_t max);

/* Maps a copy of bytes [from, to) of image_code.S, page-aligned, executable. */
uint8_t *image_map(const uint8_t *from, const uint8_t *to, size_t *size);

/* Maps and prepares the image in @mode (nt_cpu_init is called with the
 * test machine). 0 or a negative errno. */
int image_load(struct test_image *image, enum nt_cpu_mode mode);
void image_unload(struct test_image *image);

/* The copy of @label (a label of image_code.S) in @image. */
uint8_t *image_at(const struct test_image *image, const uint8_t *label);

/* Calls function @label of @image with up to six arguments. */
uint64_t image_call(const struct test_image *image, const uint8_t *label, uint64_t a0, uint64_t a1,
                    uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* Whether the instruction [at, end) in @image is UD2 padded with INT3 (a
 * one-byte instruction: one INT3) rather than its original bytes. */
bool image_rewritten(const struct test_image *image, const uint8_t *at, const uint8_t *end);
/* Whether it is still its original bytes. */
bool image_unchanged(const struct test_image *image, const uint8_t *at, const uint8_t *end);

#endif /* WINPV_TESTS_NTCPU_IMAGE_H */
