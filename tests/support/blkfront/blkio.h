/*
 * tests/support/blkfront/blkio.h - what blkif tests build requests from and
 * check them against: guest pages granted to the backend, segments naming
 * parts of them, a data pattern that stamps every sector with its own
 * number and the write's sequence number, and the image file read
 * directly. The helpers assert (cmocka) on failure.
 */
#ifndef WINPV_TESTS_BLKIO_H
#define WINPV_TESTS_BLKIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/blkif.h>

#define BLKIO_PAGE_SIZE 4096
#define BLKIO_MAX_PAGES 80

/* Guest pages granted to the backend: what a request's segments name. */
struct granted_pages {
    uint8_t *va;
    unsigned int count;
    uint64_t gfns[BLKIO_MAX_PAGES];
    grant_ref_t refs[BLKIO_MAX_PAGES];
};

/* The sectors first..last (inclusive) of one page that a segment moves. */
struct span {
    uint8_t first, last;
};

/* @count fresh pages granted to @backend; read-only for data it only reads. */
void grant_pages(struct granted_pages *p, domid_t backend, unsigned int count, bool readonly);

/* Take the grants back (this fails while the backend still holds a page) and free the pages. */
void end_grants(struct granted_pages *p);

/* The pattern's stamp: every 512 bytes of the disk, whatever its sector size. */
#define BLKIO_STAMP_BYTES 512u

/*
 * What write @seq puts at each disk byte: every 512-byte sector starts with
 * its sector number and @seq (64 bits each, little-endian), the rest varies
 * with both and the byte's place. So data put at the wrong place, or left
 * by another write, never passes for what write @seq put there.
 */
uint8_t pattern_byte(uint64_t disk_offset, uint64_t seq);
void fill_pattern(uint8_t *buf, size_t len, uint64_t disk_offset, uint64_t seq);

/* Bytes the @count spans cover with sectors of @sector bytes. */
size_t span_bytes(const struct span *spans, unsigned int count, uint32_t sector);

/*
 * Put the pattern for disk bytes from @disk_offset into span i of page i of
 * @p, in disk order; or check that they hold it.
 */
void fill_spans(struct granted_pages *p, const struct span *spans, unsigned int count,
                uint32_t sector, uint64_t disk_offset, uint64_t seq);
bool spans_hold_pattern(const struct granted_pages *p, const struct span *spans, unsigned int count,
                        uint32_t sector, uint64_t disk_offset, uint64_t seq);

/* A request of @op at @sector with span i of page i of @p as segment i. */
struct blkif_request make_request(uint8_t op, uint16_t handle, uint64_t id, uint64_t sector,
                                  const struct granted_pages *p, const struct span *spans,
                                  unsigned int count);

/* Whether the image file @fd, read directly, holds the pattern / zeroes over [offset, +len). */
bool image_holds_pattern(int fd, uint64_t offset, size_t len, uint64_t seq);
bool image_is_zero(int fd, uint64_t offset, size_t len);

#endif /* WINPV_TESTS_BLKIO_H */
