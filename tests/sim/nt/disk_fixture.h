/*
 * tests/sim/nt/disk_fixture.h - what the xenvbd.sys tests check of a disk
 * as ntsim_disk_add makes it (ntsim_fixture.h): the disk class's log line
 * for its block 0, the SHA-256 of its image, and the guest's answer to
 * `winpv-sim io` on its control socket.
 */
#ifndef WINPV_TESTS_NT_DISK_FIXTURE_H
#define WINPV_TESTS_NT_DISK_FIXTURE_H

#include <stddef.h>

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

#endif /* WINPV_TESTS_NT_DISK_FIXTURE_H */
