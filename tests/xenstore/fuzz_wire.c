/*
 * tests/xenstore/fuzz_wire.c - whatever a daemon sends, the reader and the
 * payload helpers stay within their buffers and never crash. The first
 * byte picks the chunk size the rest is fed in.
 */
#include <stddef.h>
#include <stdint.h>

#include "os.h"
#include "xenstore/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct xs_reader reader;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t chunk, at = 1;

    if (size == 0)
        return 0;
    chunk = (size_t)data[0] + 1;
    xs_reader_reset(&reader);
    while (at < size) {
        size_t n = size - at < chunk ? size - at : chunk, used;
        int rc = xs_reader_feed(&reader, data + at, n, &used);
        const char *strings[8];

        if (rc < 0 || used > n)
            break;
        at += used;
        if (rc == 1) {
            xs_wire_strings(reader.payload, reader.hdr.len, strings, 8);
            if (reader.hdr.type == XS_ERROR)
                xs_wire_error(reader.payload, reader.hdr.len);
            xs_reader_reset(&reader);
        }
    }
    return 0;
}
