/*
 * Bounds and little-endian reads for parsing untrusted files. Offsets and
 * lengths read from a file are 32-bit, so their sums are formed in 64 bits
 * and never wrap.
 */
#ifndef PECHECK_BYTES_H
#define PECHECK_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when [offset, offset + length) lies within a buffer of size bytes. */
static inline bool span_within(size_t size, uint64_t offset, uint64_t length)
{
    return offset <= size && length <= size - offset;
}

static inline uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
