/*
 * tests/sim/nt/ntsim_disk_check.h - what the tests of the guest's disks
 * check in a disk's image file after the guest wrote through its drivers:
 * a file's bytes (a fill), what a workload's writes leave (disk_io.c's
 * stamps), SHA-256 digests to compare with the guest's. Each fails the
 * test (cmocka) when the image is not as it must be.
 */
#ifndef WINPV_TESTS_NT_NTSIM_DISK_CHECK_H
#define WINPV_TESTS_NT_NTSIM_DISK_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* The first @bytes of the image at @path (malloc'd). */
uint8_t *ntsim_image_read(const char *path, size_t bytes);

/* A file of @n bytes no disk has (a sequence keyed by @key) written at @path; its bytes (malloc'd). */
uint8_t *ntsim_file_of(const char *path, size_t n, uint8_t key);

/* The SHA-256 of @n bytes at @p in lowercase hex (65 bytes with the NUL) at @hex. */
void ntsim_sha256_hex(const uint8_t *p, size_t n, char *hex);

/*
 * The image of disk @disk (@bytes at @image, as ntsim_disk_image_new made
 * it) after a random write workload of 4 KiB requests, @qd at once
 * (`run DISK randwrite 4096 QD SECONDS`): every 4 KiB is as it was or one
 * request's data whole (disk_io.c's stamp). Returns how many 4 KiB were
 * written.
 */
unsigned int ntsim_random_writes_whole(const uint8_t *image, size_t bytes, unsigned int disk,
                                       unsigned int qd);

#endif /* WINPV_TESTS_NT_NTSIM_DISK_CHECK_H */
