/*
 * tests/console/fuzz_line.c - whatever bytes a console backend sends, the
 * line assembler stays within its buffer, hands up lines within
 * CONSOLE_LINE_MAX with no line end inside, and hands up the same lines
 * however the bytes are split into events. The first byte picks the chunk
 * size of the second feeding.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console/line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every line of a feeding, one after another: its length, whether cut, its bytes. */
struct transcript {
    unsigned char bytes[1 << 17];
    size_t used;
};

static struct transcript whole, chunked;

static void record(void *ctx, const char *text, size_t len, bool cut)
{
    struct transcript *t = ctx;

    if (len > CONSOLE_LINE_MAX || text[len] != '\0' || memchr(text, '\n', len) ||
        memchr(text, '\r', len) || (cut && len != CONSOLE_LINE_MAX))
        abort();
    if (t->used + len + 3 > sizeof(t->bytes))
        abort(); /* more lines than bytes fed: impossible */
    t->bytes[t->used++] = (unsigned char)(len >> 8);
    t->bytes[t->used++] = (unsigned char)len;
    t->bytes[t->used++] = cut;
    memcpy(t->bytes + t->used, text, len);
    t->used += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct console_line line;
    size_t chunk;

    if (size == 0 || size > 1 << 15)
        return 0;
    chunk = (size_t)data[0] + 1;
    data++;
    size--;
    whole.used = chunked.used = 0;
    console_line_reset(&line);
    console_line_feed(&line, (const char *)data, size, record, &whole);
    console_line_reset(&line);
    for (size_t at = 0; at < size; at += chunk)
        console_line_feed(&line, (const char *)data + at, size - at < chunk ? size - at : chunk,
                          record, &chunked);
    if (whole.used != chunked.used || memcmp(whole.bytes, chunked.bytes, whole.used) != 0)
        abort();
    return 0;
}
