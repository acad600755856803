/* tests/support/blkfront/blkio.c - see blkio.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "blkio.h"
#include "guest_grants.h"
#include "os.h"

void grant_pages(struct granted_pages *p, domid_t backend, unsigned int count, bool readonly)
{
    assert_true(count <= BLKIO_MAX_PAGES);
    p->count = count;
    p->va = os_pages_alloc(count, p->gfns);
    assert_non_null(p->va);
    for (unsigned int i = 0; i < count; i++)
        assert_int_equal(guest_grant(p->gfns[i], backend, readonly, &p->refs[i]), 0);
}

void end_grants(struct granted_pages *p)
{
    for (unsigned int i = 0; i < p->count; i++)
        assert_int_equal(guest_grant_end(p->refs[i]), 0);
    os_pages_free(p->va, p->count);
    p->va = NULL;
}

uint8_t pattern_byte(uint64_t disk_offset, uint64_t seq)
{
    uint64_t sector = disk_offset / BLKIO_STAMP_BYTES;
    uint32_t at = (uint32_t)(disk_offset % BLKIO_STAMP_BYTES);

    /* Little-endian, as a reader of the image finds them with a hex dump. */
    if (at < 8)
        return (uint8_t)(sector >> (8 * at));
    if (at < 16)
        return (uint8_t)(seq >> (8 * (at - 8)));
    return (uint8_t)(seq * 131u + sector * 7u + at);
}

void fill_pattern(uint8_t *buf, size_t len, uint64_t disk_offset, uint64_t seq)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = pattern_byte(disk_offset + i, seq);
}

size_t span_bytes(const struct span *spans, unsigned int count, uint32_t sector)
{
    size_t bytes = 0;

    for (unsigned int i = 0; i < count; i++)
        bytes += (size_t)(spans[i].last - spans[i].first + 1) * sector;
    return bytes;
}

void fill_spans(struct granted_pages *p, const struct span *spans, unsigned int count,
                uint32_t sector, uint64_t disk_offset, uint64_t seq)
{
    for (unsigned int i = 0; i < count; i++) {
        size_t len = (size_t)(spans[i].last - spans[i].first + 1) * sector;

        fill_pattern(p->va + (size_t)i * BLKIO_PAGE_SIZE + spans[i].first * sector, len,
                     disk_offset, seq);
        disk_offset += len;
    }
}

bool spans_hold_pattern(const struct granted_pages *p, const struct span *spans, unsigned int count,
                        uint32_t sector, uint64_t disk_offset, uint64_t seq)
{
    for (unsigned int i = 0; i < count; i++) {
        const uint8_t *at = p->va + (size_t)i * BLKIO_PAGE_SIZE + spans[i].first * sector;
        size_t len = (size_t)(spans[i].last - spans[i].first + 1) * sector;

        for (size_t j = 0; j < len; j++)
            if (at[j] != pattern_byte(disk_offset + j, seq))
                return false;
        disk_offset += len;
    }
    return true;
}

struct blkif_request make_request(uint8_t op, uint16_t handle, uint64_t id, uint64_t sector,
                                  const struct granted_pages *p, const struct span *spans,
                                  unsigned int count)
{
    struct blkif_request req = {
        .operation = op,
        .nr_segments = (uint8_t)count,
        .handle = handle,
        .id = id,
        .sector_number = sector,
    };

    for (unsigned int i = 0; i < count && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
        req.seg[i] = (struct blkif_request_segment){
            .gref = p->refs[i], .first_sect = spans[i].first, .last_sect = spans[i].last};
    return req;
}

bool image_holds_pattern(int fd, uint64_t offset, size_t len, uint64_t seq)
{
    uint8_t *buf = malloc(len);
    bool same = buf && pread(fd, buf, len, (off_t)offset) == (ssize_t)len;

    for (size_t i = 0; same && i < len; i++)
        same = buf[i] == pattern_byte(offset + i, seq);
    free(buf);
    return same;
}

bool image_is_zero(int fd, uint64_t offset, size_t len)
{
    uint8_t *buf = malloc(len);
    bool zero = buf && pread(fd, buf, len, (off_t)offset) == (ssize_t)len;

    for (size_t i = 0; zero && i < len; i++)
        zero = buf[i] == 0;
    free(buf);
    return zero;
}
