/*
 * A bounds-checked reader of the MSF 7.0 container that holds a PDB (see
 * LLVM's "The MSF File Format"): a file of fixed-size blocks, a superblock
 * in block 0, and a stream directory listing, for each stream, its size and
 * the blocks that hold it.
 */
#ifndef PECHECK_MSF_H
#define PECHECK_MSF_H

#include "failure.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct msf {
    const uint8_t *data;
    size_t size;
    uint32_t block_size;
    uint32_t block_count;
    uint32_t stream_count;
    /* The stream directory, copied out of its blocks: stream count, then
     * stream sizes, then each stream's block numbers. */
    uint8_t *directory;
    size_t directory_size;
};

/* Reads the superblock and the stream directory of data[0..size), which
 * must outlive msf. On success msf_close must be called. */
bool msf_open(struct msf *msf, const uint8_t *data, size_t size, struct failure *why);
void msf_close(struct msf *msf);

/* The size of a stream in bytes (0 for a stream that does not exist). */
uint32_t msf_stream_size(const struct msf *msf, uint32_t stream);

/* Copies length bytes from offset in a stream into buf. */
bool msf_read(const struct msf *msf, uint32_t stream, uint32_t offset, void *buf, size_t length,
              struct failure *why);

#endif
