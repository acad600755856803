/* tests/sim/nt/ntsim_disk_check.c - see ntsim_disk_check.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "ntsim_disk_check.h"
#include "ntsim_fixture.h"
#include "scsi/bytes.h"

#define WORKLOAD_BS 4096u

uint8_t *ntsim_image_read(const char *path, size_t bytes)
{
    uint8_t *p = malloc(bytes);
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    assert_non_null(p);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, p, bytes, 0), (ssize_t)bytes);
    close(fd);
    return p;
}

uint8_t *ntsim_file_of(const char *path, size_t n, uint8_t key)
{
    uint8_t *bytes = malloc(n + 1);
    FILE *f = fopen(path, "wb");

    assert_non_null(bytes);
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        bytes[i] = (uint8_t)((i * 2654435761u >> 13) ^ key ^ (i >> 9));
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
    return bytes;
}

void ntsim_sha256_hex(const uint8_t *p, size_t n, char *hex)
{
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;

    EVP_Digest(p, n, digest, &length, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < length; i++)
        sprintf(hex + 2 * i, "%02x", digest[i]);
}

/* Which of the @qd requests wrote the 4 KiB at @p whole (disk_io.c's stamp), or -1. */
static int request_stamp(const uint8_t *p, unsigned int qd)
{
    uint64_t first = scsi_get64(p);
    unsigned int i = (unsigned int)(first >> 32);

    if (i >= qd || (uint32_t)first != 0)
        return -1;
    for (uint32_t b = 0; b < WORKLOAD_BS; b += 8)
        if (scsi_get64(p + b) != ((uint64_t)i << 32 | b))
            return -1;
    return (int)i;
}

unsigned int ntsim_random_writes_whole(const uint8_t *image, size_t bytes, unsigned int disk,
                                       unsigned int qd)
{
    unsigned int written = 0;

    for (size_t at = 0; at < bytes; at += WORKLOAD_BS) {
        bool untouched = true;

        for (unsigned int i = 0; i < WORKLOAD_BS && untouched; i++)
            untouched = image[at + i] == (at == 0 ? ntsim_disk_pattern(disk, i) : 0);
        if (untouched)
            continue;
        if (request_stamp(image + at, qd) < 0)
            fail_msg("the 4 KiB at byte %zu of disk %u are neither as they were nor one write's",
                     at, disk);
        written++;
    }
    return written;
}
