/*
 * sim/nt/inf_arena.c - the memory of a parsed INF or a chosen driver: blocks
 * released together, so no path of the parser has a string or list of its
 * own to free.
 *
 * Each block is a malloc of its own, listed behind a small header: an INF
 * is small, and a read past the end of a block is then one ASan sees (the
 * INF reader is fuzzed), where blocks carved from large chunks would hide it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inf_impl.h"

struct block {
    struct block *next;
    max_align_t data[]; /* aligned for any type */
};

struct inf_arena {
    struct block *blocks;
};

struct inf_arena *inf_arena_new(void)
{
    return calloc(1, sizeof(struct inf_arena));
}

void inf_arena_free(struct inf_arena *arena)
{
    if (arena == NULL)
        return;
    while (arena->blocks) {
        struct block *next = arena->blocks->next;

        free(arena->blocks);
        arena->blocks = next;
    }
    free(arena);
}

void *inf_arena_alloc(struct inf_arena *arena, size_t size)
{
    struct block *block;

    if (size > SIZE_MAX - sizeof(*block))
        return NULL;
    block = calloc(1, sizeof(*block) + size);
    if (block == NULL)
        return NULL;
    block->next = arena->blocks;
    arena->blocks = block;
    return block->data;
}

char *inf_arena_strndup(struct inf_arena *arena, const char *s, size_t n)
{
    char *copy = inf_arena_alloc(arena, n + 1);

    if (copy)
        memcpy(copy, s, n);
    return copy;
}

char *inf_arena_strdup(struct inf_arena *arena, const char *s)
{
    return inf_arena_strndup(arena, s, strlen(s));
}

char *inf_arena_printf(struct inf_arena *arena, const char *fmt, ...)
{
    va_list args;
    char *copy;
    int n;

    va_start(args, fmt);
    n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (n < 0)
        return NULL;
    copy = inf_arena_alloc(arena, (size_t)n + 1);
    if (copy) {
        va_start(args, fmt);
        vsnprintf(copy, (size_t)n + 1, fmt, args);
        va_end(args);
    }
    return copy;
}

int inf_arena_grow(struct inf_arena *arena, void **array, size_t *capacity, size_t count,
                   size_t elem_size)
{
    size_t larger = *capacity ? *capacity * 2 : 8;
    void *copy;

    if (count < *capacity)
        return 0;
    if (larger > SIZE_MAX / elem_size)
        return -ENOMEM;
    copy = inf_arena_alloc(arena, larger * elem_size);
    if (copy == NULL)
        return -ENOMEM;
    if (count)
        memcpy(copy, *array, count * elem_size);
    *array = copy;
    *capacity = larger;
    return 0;
}
