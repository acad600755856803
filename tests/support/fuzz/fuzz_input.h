/*
 * tests/support/fuzz/fuzz_input.h - a fuzzer's input read as numbers, a few bytes
 * at a time, zeros once it runs out (so every input decodes to something).
 */
#ifndef WINPV_TESTS_FUZZ_INPUT_H
#define WINPV_TESTS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_input {
    const uint8_t *data;
    size_t size; /* bytes left */
};

/* The next @n bytes (at most 8) as a big-endian number. */
static inline uint64_t fuzz_take(struct fuzz_input *in, unsigned int n)
{
    uint64_t v = 0;

    while (n--) {
        v <<= 8;
        if (in->size) {
            v |= *in->data++;
            in->size--;
        }
    }
    return v;
}

#endif /* WINPV_TESTS_FUZZ_INPUT_H */
