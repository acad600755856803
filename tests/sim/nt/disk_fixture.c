/* tests/sim/nt/disk_fixture.c - see disk_fixture.h. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "disk_fixture.h"
#include "ntsim_fixture.h"
#include "scsi/bytes.h"

#define WORKLOAD_BS 4096u /* disk_random_writes_whole's requests */

void disk_block0_line(char *line, size_t size, unsigned int disk, unsigned int target)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (unsigned int i = 0; i < 512; i++)
        h = (h ^ ntsim_disk_pattern(disk, i)) * 0x100000001b3ull;
    snprintf(line, size, "disk: unit 0:%u:0: block 0 read, 512 bytes, fnv1a %016llx\n", target,
             (unsigned long long)h);
}

void disk_image_sha256(unsigned int disk, unsigned int mib, char *hex)
{
    EVP_MD_CTX *sha = EVP_MD_CTX_new();
    uint8_t block[4096], digest[EVP_MAX_MD_SIZE];
    unsigned int length;

    EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < sizeof(block); i++)
        block[i] = ntsim_disk_pattern(disk, i);
    EVP_DigestUpdate(sha, block, sizeof(block));
    memset(block, 0, sizeof(block));
    for (unsigned int i = 1; i < mib * 256; i++)
        EVP_DigestUpdate(sha, block, sizeof(block));
    EVP_DigestFinal_ex(sha, digest, &length);
    EVP_MD_CTX_free(sha);
    for (unsigned int i = 0; i < length; i++)
        sprintf(hex + 2 * i, "%02x", digest[i]);
}

int disk_ask_guest_send(const char *socket_path, const char *request)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", socket_path);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
    return fd;
}

void disk_ask_guest_answer(int fd, char *answer, size_t size)
{
    size_t got = 0;
    ssize_t n;

    /* One line, which may come in pieces; the guest closes after it. */
    while (got < size - 1 && (n = read(fd, answer + got, size - 1 - got)) > 0)
        got += (size_t)n;
    close(fd);
    answer[got] = '\0';
    assert_true(got > 0 && answer[got - 1] == '\n');
}

void disk_ask_guest(const char *socket_path, const char *request, char *answer, size_t size)
{
    disk_ask_guest_answer(disk_ask_guest_send(socket_path, request), answer, size);
}

uint8_t *disk_image_read(const char *path, size_t bytes)
{
    uint8_t *p = malloc(bytes);
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    assert_non_null(p);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, p, bytes, 0), (ssize_t)bytes);
    close(fd);
    return p;
}

uint8_t *disk_file_of(const char *path, size_t n, uint8_t key)
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

void disk_sha256_hex(const uint8_t *p, size_t n, char *hex)
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

unsigned int disk_random_writes_whole(const uint8_t *image, size_t bytes, unsigned int disk,
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
