/*
 * tests/support/xenstore/dom0.h - dom0's side of the xsclient tests: the real
 * libxenstore on the toolstack's connection (store.xsh), where the tests
 * check what the guest's client did and make changes it must see. Kept in
 * a file of its own: <xenstore.h> and the client's header cannot meet.
 */
#ifndef WINPV_TESTS_XSCLIENT_DOM0_H
#define WINPV_TESTS_XSCLIENT_DOM0_H

#include <stdbool.h>
#include <stdint.h>

/* One permission entry; access is 'n', 'r', 'w' or 'b' as on the wire. */
struct dom0_perm {
    uint32_t domid;
    char access;
};

/* The value at @path (malloc'd, NUL-terminated) and its length, or NULL. */
char *dom0_read(const char *path, unsigned int *len);
bool dom0_write(const char *path, const void *value, unsigned int len);
bool dom0_write_str(const char *path, const char *value);
bool dom0_mkdir(const char *path);
bool dom0_rm(const char *path);

/* The children of @path (one malloc'd block) and their count, or NULL. */
char **dom0_directory(const char *path, unsigned int *count);

/* Up to @max entries of @path's permissions in @perms; their count, or -1. */
int dom0_get_perms(const char *path, struct dom0_perm *perms, unsigned int max);
bool dom0_set_perms(const char *path, const struct dom0_perm *perms, unsigned int count);

/* A dom0 transaction: 0 when none could start. */
uint32_t dom0_tx_start(void);
char *dom0_tx_read(uint32_t tx, const char *path);
bool dom0_tx_write(uint32_t tx, const char *path, const char *value);
/* Commit (or abandon) it; false with errno set (EAGAIN: a conflict). */
bool dom0_tx_end(uint32_t tx, bool abandon);

/* errno after the last failed call. */
int dom0_errno(void);

#endif /* WINPV_TESTS_XSCLIENT_DOM0_H */
