/* tests/sim/nt/disk_fixture.c - see disk_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "disk_fixture.h"
#include "ntsim_fixture.h"

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
