/*
 * tests/sim/nt/disk_fixture.h - what the xenvbd.sys tests check of a disk
 * as ntsim_disk_add makes it (ntsim_fixture.h): the disk class's log line
 * for its block 0, the SHA-256 of its image, the guest's answer to
 * `winpv-sim io` on its control socket, and what the guest's writes left
 * in its image (a file's bytes, a workload's stamps). Each fails the test
 * (cmocka) when the disk is not as it must be.
 */
#ifndef WINPV_TESTS_NT_DISK_FIXTURE_H
#define WINPV_TESTS_NT_DISK_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

/* The log line the disk class writes for block 0 of disk @disk found at @target. */
void disk_block0_line(char *line, size_t size, unsigned int disk, unsigned int target);

/* The SHA-256, in hex (65 bytes), of disk @disk's image grown or made to @mib MiB. */
void disk_image_sha256(unsigned int disk, unsigned int mib, char *hex);

/*
 * The guest's answer to @request on its control socket @socket_path, as
 * `winpv-sim io` gets it; the test fails when there is none.
 */
void disk_ask_guest(const char *socket_path, const char *request, char *answer, size_t size);

/* disk_ask_guest in two halves, for a test that acts meanwhile: the request sent ... */
int disk_ask_guest_send(const char *socket_path, const char *request);
/* ... then its answer, the connection @fd closed. */
void disk_ask_guest_answer(int fd, char *answer, size_t size);

/* The first @bytes of the image at @path (malloc'd). */
uint8_t *disk_image_read(const char *path, size_t bytes);

/* A file of @n bytes no disk has (a sequence keyed by @key) written at @path; its bytes (malloc'd). */
uint8_t *disk_file_of(const char *path, size_t n, uint8_t key);

/* The SHA-256 of @n bytes at @p in lowercase hex (65 bytes with the NUL) at @hex. */
void disk_sha256_hex(const uint8_t *p, size_t n, char *hex);

/*
 * The image of disk @disk (@bytes at @image, as ntsim_disk_add made it)
 * after a random write workload of 4 KiB requests, @qd at once (`run DISK
 * randwrite 4096 QD SECONDS`): every 4 KiB is as it was or one request's
 * data whole (disk_io.c's stamp). Returns how many 4 KiB were written.
 */
unsigned int disk_random_writes_whole(const uint8_t *image, size_t bytes, unsigned int disk,
                                      unsigned int qd);

#endif /* WINPV_TESTS_NT_DISK_FIXTURE_H */
