/*
 * sim/nt/pool.c - the kernel pool, with tags, as Driver Verifier's special
 * pool checks it.
 *
 * Every allocation gets pages of guest memory of its own (so it has guest
 * frames, as nonpaged pool does) and starts on a page boundary (Windows
 * promises that for a page or more; drivers hand such blocks to Xen as
 * pages). A fill pattern from the caller's last byte to the end of the last
 * page is checked when the block is freed and when its driver unloads, so
 * a write past the end is caught. What the kernel knows of a block is kept
 * apart from it, where the driver cannot overwrite it. The Nth allocation
 * can be made to fail, to drive every error path: pool, and the memory
 * manager's allocations (mm_*.c) counted with it by nt_alloc_fails.
 */
#include <stdio.h>
#include <string.h>

#include "image.h"
#include "kernel.h"
#include "os.h"
#include "os_posix.h"

#define POOL_MAGIC      0x4c4f4f50544e5057ull /* "WPNTPOOL" */
#define POOL_FILL       0xa5
#define BAD_POOL_CALLER 0xc2
#define POOL_TYPE_MASK  0x7f

struct pool_block {
    struct pool_block *next, *prev;
    uint8_t *data; /* the caller's bytes, at the start of the pages */
    uint64_t caller;
    size_t size;
    size_t pages;
    uint32_t tag;
    uint32_t type;
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pool_block *blocks;
static uint64_t allocations;
static uint64_t fail_at;       /* the allocation number that fails, 0: none */
static char fail_image[64];    /* counted: only allocations of code in this image ("": all) */
static uint64_t image_counted; /* the allocations of code in fail_image so far */

void nt_pool_fail_nth(uint64_t n, const char *image)
{
    pthread_mutex_lock(&pool_lock);
    snprintf(fail_image, sizeof(fail_image), "%s", image ? image : "");
    fail_at = n ? (fail_image[0] ? image_counted : allocations) + n : 0;
    pthread_mutex_unlock(&pool_lock);
}

uint64_t nt_pool_allocations(void)
{
    return allocations;
}

static bool is_paged(uint32_t type)
{
    /* PagedPool (1) and its variants are odd in the low bits. */
    return (type & POOL_TYPE_MASK & 1) != 0;
}

bool nt_alloc_fails(const char *what, uint64_t caller)
{
    const struct nt_image *image = fail_image[0] ? nt_image_find(caller) : NULL;
    uint64_t n;
    bool fail;

    pthread_mutex_lock(&pool_lock);
    n = ++allocations;
    if (fail_image[0]) {
        n = image && strcmp(image->name, fail_image) == 0 ? ++image_counted : 0;
        fail = n != 0 && n == fail_at;
    } else {
        fail = n == fail_at;
    }
    pthread_mutex_unlock(&pool_lock);
    if (fail)
        nt_log("%s: allocation %llu failed on purpose\n", what, (unsigned long long)n);
    return fail;
}

void *nt_pool_alloc(uint32_t type, size_t size, uint32_t tag, uint64_t caller)
{
    char what[64];

    nt_require_irql(is_paged(type) ? APC_LEVEL : DISPATCH_LEVEL, caller, "ExAllocatePool");
    if (size == 0)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "pool allocation of 0 bytes (tag '%.4s')",
                         (const char *)&tag);
    if (tag == 0)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "pool allocation without a tag");
    snprintf(what, sizeof(what), "pool: %zu bytes (tag '%.4s')", size, (const char *)&tag);
    return nt_alloc_fails(what, caller) ? NULL : nt_pool_alloc_block(type, size, tag, caller);
}

void *nt_pool_alloc_block(uint32_t type, size_t size, uint32_t tag, uint64_t caller)
{
    struct pool_block *block;
    size_t pages = (size + OS_PAGE_SIZE - 1) / OS_PAGE_SIZE;
    uint64_t gfn_stack[16], *gfns = gfn_stack;
    uint8_t *data;

    if (pages > 16)
        gfns = os_alloc(pages * sizeof(*gfns));
    block = os_alloc(sizeof(*block));
    data = gfns && block ? os_pages_alloc(pages, gfns) : NULL;
    if (gfns != gfn_stack)
        os_free(gfns);
    if (data == NULL) {
        os_free(block);
        return NULL;
    }
    /* Fresh pool is not zeroed on Windows: make reliance on it visible. */
    memset(data, POOL_FILL, pages * OS_PAGE_SIZE);
    block->data = data;
    block->caller = caller;
    block->size = size;
    block->pages = pages;
    block->tag = tag;
    block->type = type;
    pthread_mutex_lock(&pool_lock);
    block->prev = NULL;
    block->next = blocks;
    if (blocks)
        blocks->prev = block;
    blocks = block;
    pthread_mutex_unlock(&pool_lock);
    return data;
}

/* Whether the fill past the caller's bytes is intact. */
static bool tail_intact(const struct pool_block *block)
{
    const uint8_t *p = block->data + block->size;
    const uint8_t *end = block->data + block->pages * OS_PAGE_SIZE;

    for (; p < end; p++) {
        if (*p != POOL_FILL)
            return false;
    }
    return true;
}

/* The block @p starts, taken off the list; a bugcheck when it is none. */
static struct pool_block *take_block(void *p, uint64_t caller)
{
    struct pool_block *block;

    pthread_mutex_lock(&pool_lock);
    for (block = blocks; block && block->data != p; block = block->next)
        ;
    if (block) {
        if (block->prev)
            block->prev->next = block->next;
        else
            blocks = block->next;
        if (block->next)
            block->next->prev = block->prev;
    }
    pthread_mutex_unlock(&pool_lock);
    if (block == NULL)
        nt_bugcheck(BAD_POOL_CALLER, 0x46, (uint64_t)(uintptr_t)p, 0, 0, caller);
    return block;
}

void nt_pool_free(void *p, uint32_t tag, bool check_tag, uint64_t caller)
{
    struct pool_block *block;
    char where[1200];

    nt_require_irql(DISPATCH_LEVEL, caller, "ExFreePool");
    if (p == NULL)
        nt_bugcheck(BAD_POOL_CALLER, 0x46, 0, 0, 0, caller);
    block = take_block(p, caller);
    if (check_tag && block->tag != tag)
        nt_bugcheck(BAD_POOL_CALLER, 0x0a, (uint64_t)(uintptr_t)p, block->tag, tag, caller);
    if (!tail_intact(block)) {
        nt_describe_address(block->caller, where, sizeof(where));
        nt_verifier_fail(NT_VERIFY_POOL_CORRUPTION, caller,
                         "write past the end of a pool block of %zu bytes (tag '%.4s', "
                         "allocated by %s)",
                         block->size, (const char *)&block->tag, where);
    }
    os_pages_free(block->data, block->pages);
    os_free(block);
}

size_t nt_pool_report_leaks(uint64_t image_base, uint64_t image_size)
{
    size_t leaks = 0;
    char where[1200];

    pthread_mutex_lock(&pool_lock);
    for (struct pool_block *b = blocks; b; b = b->next) {
        if (b->caller < image_base || b->caller >= image_base + image_size)
            continue;
        nt_describe_address(b->caller, where, sizeof(where));
        nt_log("pool: leaked %zu bytes, tag '%.4s', allocated by %s%s\n", b->size,
               (const char *)&b->tag, where, tail_intact(b) ? "" : " (and written past its end)");
        leaks++;
    }
    pthread_mutex_unlock(&pool_lock);
    return leaks;
}

bool nt_pool_is_paged(const void *va)
{
    const uint8_t *p = va;
    bool paged = false;

    pthread_mutex_lock(&pool_lock);
    for (struct pool_block *b = blocks; b; b = b->next) {
        if (p >= b->data && p < b->data + b->pages * OS_PAGE_SIZE) {
            paged = is_paged(b->type);
            break;
        }
    }
    pthread_mutex_unlock(&pool_lock);
    return paged;
}

bool nt_pool_holds(const void *va, uint64_t length)
{
    bool held = false;

    pthread_mutex_lock(&pool_lock);
    for (struct pool_block *b = blocks; b && !held; b = b->next)
        held = nt_range_within(va, length, b->data, b->size);
    pthread_mutex_unlock(&pool_lock);
    return held;
}

uint64_t nt_physical_address(const void *va)
{
    const uint8_t *base = os_posix_gfn_to_va(0);
    size_t pages = os_posix_guest_memory_pages();

    if (base == NULL || (const uint8_t *)va < base ||
        (const uint8_t *)va >= base + pages * OS_PAGE_SIZE)
        return nt_mdl_mapping_physical(va);
    return (uint64_t)((const uint8_t *)va - base);
}
