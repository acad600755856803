/*
 * winpv/store_interface.h - xenstore, served by XENBUS.
 *
 * Version 1. All functions are passive-level (they wait for xenstored);
 * watch callbacks run at passive level on a system thread, one at a time,
 * and may call the interface. Strings and arrays the interface returns are
 * freed with its free function. See core/xenstore/client.h for each
 * function's meaning: the interface serves that client.
 */
#ifndef WINPV_STORE_INTERFACE_H
#define WINPV_STORE_INTERFACE_H

#include <stdbool.h>

#include "winpv/interface.h"

/* {f7f2f82d-c6cc-4f3e-8747-fab75abeaed2} */
#define WINPV_STORE_INTERFACE_GUID                         \
    {                                                      \
        0xf7f2f82d, 0xc6cc, 0x4f3e,                        \
        {                                                  \
            0x87, 0x47, 0xfa, 0xb7, 0x5a, 0xbe, 0xae, 0xd2 \
        }                                                  \
    }

#define WINPV_STORE_INTERFACE_VERSION_MIN 1
#define WINPV_STORE_INTERFACE_VERSION_MAX 1

struct winpv_store_watch;

/* Permission entry: as struct xs_perm. access is 'n', 'r', 'w' or 'b'. */
struct winpv_store_perm {
    uint32_t domid;
    uint32_t access;
};

struct winpv_store_interface_v1 {
    struct winpv_interface_header header;
    void (*free)(void *context, void *p);
    int (*read)(void *context, uint32_t tx, const char *path, char **value, size_t *len);
    int (*write)(void *context, uint32_t tx, const char *path, const void *value, size_t len);
    int (*mkdir)(void *context, uint32_t tx, const char *path);
    int (*rm)(void *context, uint32_t tx, const char *path);
    int (*directory)(void *context, uint32_t tx, const char *path, char ***names,
                     unsigned int *count);
    int (*get_perms)(void *context, uint32_t tx, const char *path, struct winpv_store_perm **perms,
                     unsigned int *count);
    int (*set_perms)(void *context, uint32_t tx, const char *path,
                     const struct winpv_store_perm *perms, unsigned int count);
    int (*tx_start)(void *context, uint32_t *tx);
    int (*tx_end)(void *context, uint32_t tx, bool commit);
    int (*watch_add)(void *context, const char *path, void (*fn)(void *ctx, const char *path),
                     void *ctx, struct winpv_store_watch **watch);
    void (*watch_remove)(void *context, struct winpv_store_watch *watch);
};

#endif /* WINPV_STORE_INTERFACE_H */
