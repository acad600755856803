/*
 * sim/nt/unwind.c - walking a stack through driver images and the kernel
 * (see unwind.h).
 *
 * A driver frame is unwound as Windows x64 does: the RUNTIME_FUNCTION of
 * the address gives its UNWIND_INFO, whose codes undo the prolog (pushes,
 * allocations, a frame register); chained infos are followed; a leaf
 * function (none listed) has only its return address on the stack. Every
 * read is checked against the thread's stacks (its host stack and its
 * driver stack), so a corrupt stack ends the walk rather than the report.
 */
#include <pthread.h>
#include <string.h>

#include "image.h"
#include "kernel.h"
#include "unwind.h"

#define RUNTIME_FUNCTION_SIZE 12
#define UNW_FLAG_CHAININFO    0x4
#define MAX_CHAIN             32

enum { /* UNWIND_CODE.UnwindOp */
       UWOP_PUSH_NONVOL = 0,
       UWOP_ALLOC_LARGE = 1,
       UWOP_ALLOC_SMALL = 2,
       UWOP_SET_FPREG = 3,
       UWOP_SAVE_NONVOL = 4,
       UWOP_SAVE_NONVOL_FAR = 5,
       UWOP_SAVE_XMM128 = 8,
       UWOP_SAVE_XMM128_FAR = 9,
       UWOP_PUSH_MACHFRAME = 10,
};

#define UNW_RSP 4 /* register numbers as unwind codes give them: rax 0, rcx 1, ... */
#define UNW_RBP 5

struct walk {
    uint64_t regs[16]; /* only rsp and rbp are known; the others are never needed */
    uint64_t rip;
    uintptr_t stack_low, stack_high;
    bool rbp_is_frame; /* regs[rbp] is a kernel frame pointer */
};

static bool read_stack(const struct walk *w, uint64_t address, uint64_t *value)
{
    if ((address < w->stack_low || address > w->stack_high - 8) && !nt_stack_holds(address, 8))
        return false;
    memcpy(value, (const void *)(uintptr_t)address, 8);
    return true;
}

/* The RUNTIME_FUNCTION holding @rva, or NULL (a leaf function). */
static const uint8_t *function_entry(const struct nt_image *image, uint32_t rva)
{
    const uint8_t *pdata = image->base + image->pdata_rva;

    for (size_t i = 0; i < image->pdata_size / RUNTIME_FUNCTION_SIZE; i++) {
        uint32_t begin, end;

        memcpy(&begin, pdata + i * RUNTIME_FUNCTION_SIZE, 4);
        memcpy(&end, pdata + i * RUNTIME_FUNCTION_SIZE + 4, 4);
        if (rva >= begin && rva < end)
            return pdata + i * RUNTIME_FUNCTION_SIZE;
    }
    return NULL;
}

static uint16_t slot(const uint8_t *codes, unsigned int i)
{
    return (uint16_t)(codes[2 * i] | codes[2 * i + 1] << 8);
}

/* Undo one function's prolog (@offset bytes of it ran). False when the data is bad. */
static bool undo_prolog(struct walk *w, const struct nt_image *image, uint32_t unwind_rva,
                        uint32_t offset, unsigned int depth)
{
    const uint8_t *info;
    const uint8_t *codes;
    unsigned int count, frame_reg, frame_offset;
    uint64_t value;

    if (depth > MAX_CHAIN || unwind_rva > image->size - 4)
        return false;
    info = image->base + unwind_rva;
    count = info[2];
    frame_reg = info[3] & 0xf;
    frame_offset = info[3] >> 4;
    if ((uint64_t)unwind_rva + 4 + 2 * count > image->size)
        return false;
    codes = info + 4;
    for (unsigned int i = 0; i < count; i++) {
        unsigned int code_offset = codes[2 * i], op = codes[2 * i + 1] & 0xf,
                     op_info = codes[2 * i + 1] >> 4;
        bool ran = code_offset <= offset;

        switch (op) {
        case UWOP_PUSH_NONVOL:
            if (ran) {
                if (!read_stack(w, w->regs[UNW_RSP], &value))
                    return false;
                w->regs[op_info] = value;
                w->regs[UNW_RSP] += 8;
            }
            break;
        case UWOP_ALLOC_LARGE:
            if (i + 1 + op_info >= count)
                return false;
            if (ran)
                w->regs[UNW_RSP] += op_info == 0
                                        ? slot(codes, i + 1) * 8u
                                        : slot(codes, i + 1) | (uint32_t)slot(codes, i + 2) << 16;
            i += op_info == 0 ? 1 : 2;
            break;
        case UWOP_ALLOC_SMALL:
            if (ran)
                w->regs[UNW_RSP] += op_info * 8u + 8;
            break;
        case UWOP_SET_FPREG:
            if (ran)
                w->regs[UNW_RSP] = w->regs[frame_reg] - frame_offset * 16u;
            break;
        case UWOP_SAVE_NONVOL:
        case UWOP_SAVE_XMM128:
            i += 1;
            break;
        case UWOP_SAVE_NONVOL_FAR:
        case UWOP_SAVE_XMM128_FAR:
            i += 2;
            break;
        case UWOP_PUSH_MACHFRAME:
            if (ran) {
                uint64_t at = w->regs[UNW_RSP] + (op_info ? 8 : 0);

                if (!read_stack(w, at, &w->rip) || !read_stack(w, at + 24, &value))
                    return false;
                w->regs[UNW_RSP] = value;
                return true; /* the frame gave the return address itself */
            }
            break;
        default:
            return false;
        }
    }
    if (info[0] >> 3 & UNW_FLAG_CHAININFO) {
        const uint8_t *chained = codes + ((count + 1) & ~1u) * 2;
        uint32_t chained_unwind;

        if ((uint64_t)(chained - image->base) + RUNTIME_FUNCTION_SIZE > image->size)
            return false;
        memcpy(&chained_unwind, chained + 8, 4);
        return undo_prolog(w, image, chained_unwind, UINT32_MAX, depth + 1);
    }
    return true;
}

/* One driver frame: the caller's rip and rsp. False at the end of what can be known. */
static bool unwind_image_frame(struct walk *w, const struct nt_image *image, bool top)
{
    uint32_t rva = (uint32_t)(w->rip - (uint64_t)(uintptr_t)image->base);
    const uint8_t *entry = function_entry(image, top ? rva : rva - 1);

    if (entry) {
        uint32_t begin, unwind_rva;

        memcpy(&begin, entry, 4);
        memcpy(&unwind_rva, entry + 8, 4);
        if (!undo_prolog(w, image, unwind_rva, rva - begin, 0))
            return false;
    }
    if (!read_stack(w, w->regs[UNW_RSP], &w->rip))
        return false;
    w->regs[UNW_RSP] += 8;
    /* Back in kernel code, rbp is the kernel's frame pointer again: drivers keep it as callers left it. */
    w->rbp_is_frame = true;
    return true;
}

/*
 * One kernel frame, by its frame pointer. The caller's rbp is only a frame
 * pointer if the caller is kernel code too: a driver's is checked by its
 * own unwind data instead, so a walk goes on through driver code.
 */
static bool unwind_kernel_frame(struct walk *w)
{
    uint64_t rbp = w->regs[UNW_RBP];

    if (!w->rbp_is_frame || !read_stack(w, rbp, &w->regs[UNW_RBP]) ||
        !read_stack(w, rbp + 8, &w->rip))
        return false;
    w->regs[UNW_RSP] = rbp + 16;
    /*
     * A stack grows down: the frame above is higher, or it is no frame;
     * unless it is on the other stack (nt_export_thunk's frame, on the
     * driver stack, calls the kernel on the host stack).
     */
    w->rbp_is_frame =
        w->regs[UNW_RBP] > rbp || nt_stack_holds(w->regs[UNW_RBP], 16) != nt_stack_holds(rbp, 16);
    return true;
}

static void stack_bounds(struct walk *w)
{
    pthread_attr_t attr;
    void *base = NULL;
    size_t size = 0;

    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, &base, &size);
        pthread_attr_destroy(&attr);
    }
    w->stack_low = (uintptr_t)base;
    w->stack_high = (uintptr_t)base + size;
}

size_t nt_unwind(struct nt_frame start, uint64_t *rips, size_t max)
{
    struct walk w = {.rip = start.rip, .rbp_is_frame = true};
    size_t n = 0;

    stack_bounds(&w);
    w.regs[UNW_RSP] = start.rsp;
    w.regs[UNW_RBP] = start.rbp;
    while (n < max && w.rip) {
        const struct nt_image *image = nt_image_find(w.rip);

        rips[n++] = w.rip;
        if (!(image ? unwind_image_frame(&w, image, n == 1) : unwind_kernel_frame(&w)))
            break;
    }
    return n;
}

__attribute__((noinline)) struct nt_frame nt_unwind_here(void)
{
    uint64_t *frame = __builtin_frame_address(0);
    uint64_t *caller = (uint64_t *)(uintptr_t)frame[0]; /* the caller's frame */

    return (struct nt_frame){
        .rip = caller[1], .rsp = (uint64_t)(uintptr_t)(caller + 2), .rbp = caller[0]};
}
