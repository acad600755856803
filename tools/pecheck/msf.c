#include "msf.h"
#include "bytes.h"

#include <stdlib.h>
#include <string.h>

static const char msf_magic[32] = "Microsoft C/C++ MSF 7.00\r\n\x1a\x44\x53\0\0\0";

#define SUPERBLOCK_SIZE 56
#define NIL_STREAM_SIZE 0xffffffffu /* a stream that was deleted */

static uint32_t blocks_for(const struct msf *msf, uint64_t bytes)
{
    return (uint32_t)((bytes + msf->block_size - 1) / msf->block_size);
}

/* The file offset of block n, when the whole block lies in the file. */
static bool block_offset(const struct msf *msf, uint32_t n, size_t *offset)
{
    uint64_t start = (uint64_t)n * msf->block_size;

    if (n >= msf->block_count || !span_within(msf->size, start, msf->block_size))
        return false;
    *offset = (size_t)start;
    return true;
}

static bool read_superblock(struct msf *msf, uint32_t *directory_bytes, uint32_t *block_map,
                            struct failure *why)
{
    const uint8_t *sb = msf->data;
    uint32_t bs;

    if (msf->size < SUPERBLOCK_SIZE)
        return fail(why, "PDB is %zu bytes, too short for an MSF superblock", msf->size);
    if (memcmp(sb, msf_magic, sizeof(msf_magic)) != 0)
        return fail(why, "PDB does not start with the MSF 7.00 signature");

    bs = le32(sb + 32);
    if (bs != 512 && bs != 1024 && bs != 2048 && bs != 4096)
        return fail(why, "MSF block size %u is not 512, 1024, 2048 or 4096", bs);
    msf->block_size = bs;
    msf->block_count = le32(sb + 40);
    *directory_bytes = le32(sb + 44);
    *block_map = le32(sb + 52);
    return true;
}

/* Gathers the stream directory from the blocks the block map lists. */
static bool read_directory(struct msf *msf, uint32_t bytes, uint32_t block_map, struct failure *why)
{
    uint32_t blocks = blocks_for(msf, bytes);
    size_t map_offset;

    if (bytes < 4)
        return fail(why, "MSF stream directory is %u bytes, too short", bytes);
    /* MSF 7.0 lists the directory's blocks in a single block. */
    if ((uint64_t)blocks * 4 > msf->block_size)
        return fail(why, "MSF stream directory of %u bytes needs more than one block map block",
                    bytes);
    if (!block_offset(msf, block_map, &map_offset))
        return fail(why, "MSF block map block %u lies beyond the file", block_map);

    msf->directory = malloc(bytes);
    if (!msf->directory)
        return fail(why, "out of memory for an MSF stream directory of %u bytes", bytes);
    msf->directory_size = bytes;

    for (uint32_t i = 0; i < blocks; i++) {
        uint32_t n = le32(msf->data + map_offset + 4 * (size_t)i);
        size_t offset, done = (size_t)i * msf->block_size;
        size_t chunk = bytes - done < msf->block_size ? bytes - done : msf->block_size;

        if (!block_offset(msf, n, &offset))
            return fail(why, "MSF stream directory block %u lies beyond the file", n);
        memcpy(msf->directory + done, msf->data + offset, chunk);
    }
    return true;
}

/* Checks that the directory holds every stream's block list and that every
 * block it names is in the file, so that later reads need no checks of the
 * directory itself. */
static bool check_directory(struct msf *msf, struct failure *why)
{
    const uint8_t *dir = msf->directory;
    uint64_t need;

    msf->stream_count = le32(dir);
    need = 4 + (uint64_t)msf->stream_count * 4;
    if (need > msf->directory_size)
        return fail(why, "MSF stream directory is too short for %u streams", msf->stream_count);

    for (uint32_t s = 0; s < msf->stream_count; s++) {
        uint32_t size = le32(dir + 4 + 4 * (size_t)s);
        uint64_t first = need;

        if (size == NIL_STREAM_SIZE)
            continue;
        need += (uint64_t)blocks_for(msf, size) * 4;
        if (need > msf->directory_size)
            return fail(why, "MSF stream directory is too short for the blocks of stream %u", s);
        for (uint64_t at = first; at < need; at += 4) {
            uint32_t n = le32(dir + at);
            size_t unused;

            if (!block_offset(msf, n, &unused))
                return fail(why, "MSF stream %u: block %u lies beyond the file", s, n);
        }
    }
    return true;
}

bool msf_open(struct msf *msf, const uint8_t *data, size_t size, struct failure *why)
{
    uint32_t directory_bytes, block_map;

    memset(msf, 0, sizeof(*msf));
    msf->data = data;
    msf->size = size;

    if (read_superblock(msf, &directory_bytes, &block_map, why) &&
        read_directory(msf, directory_bytes, block_map, why) && check_directory(msf, why))
        return true;
    msf_close(msf);
    return false;
}

void msf_close(struct msf *msf)
{
    free(msf->directory);
    msf->directory = NULL;
    msf->directory_size = 0;
}

uint32_t msf_stream_size(const struct msf *msf, uint32_t stream)
{
    uint32_t size;

    if (stream >= msf->stream_count)
        return 0;
    size = le32(msf->directory + 4 + 4 * (size_t)stream);
    return size == NIL_STREAM_SIZE ? 0 : size;
}

/* Where stream's block list starts in the directory. */
static size_t block_list_of(const struct msf *msf, uint32_t stream)
{
    size_t at = 4 + 4 * (size_t)msf->stream_count;

    for (uint32_t s = 0; s < stream; s++)
        at += 4 * (size_t)blocks_for(msf, msf_stream_size(msf, s));
    return at;
}

bool msf_read(const struct msf *msf, uint32_t stream, uint32_t offset, void *buf, size_t length,
              struct failure *why)
{
    uint8_t *out = buf;
    size_t list;

    if (stream >= msf->stream_count)
        return fail(why, "PDB has no stream %u (it has %u)", stream, msf->stream_count);
    if ((uint64_t)offset + length > msf_stream_size(msf, stream))
        return fail(why, "PDB stream %u is %u bytes, too short to read 0x%zx bytes at 0x%x", stream,
                    msf_stream_size(msf, stream), length, offset);

    list = block_list_of(msf, stream);
    while (length > 0) {
        uint32_t index = offset / msf->block_size, within = offset % msf->block_size;
        size_t chunk = msf->block_size - within;
        /* check_directory made sure every listed block lies in the file. */
        size_t block = (size_t)le32(msf->directory + list + 4 * (size_t)index) * msf->block_size;

        if (chunk > length)
            chunk = length;
        memcpy(out, msf->data + block + within, chunk);
        out += chunk;
        offset += (uint32_t)chunk;
        length -= chunk;
    }
    return true;
}
