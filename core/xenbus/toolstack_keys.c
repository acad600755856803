/* core/xenbus/toolstack_keys.c - see toolstack_keys.h. */
#include "os.h"
#include "winpv/version.h"
#include "xenbus/toolstack_keys.h"
#include "xenstore/client.h"

#define DECIMAL(n)      DECIMAL_TEXT(n)
#define DECIMAL_TEXT(n) #n
#define PVADDONS        "attr/PVAddons"
#define TX_ATTEMPTS     8

static const struct {
    const char *path, *value;
} keys[] = {
    {PVADDONS "/MajorVersion", DECIMAL(WINPV_VERSION_MAJOR)},
    {PVADDONS "/MinorVersion", DECIMAL(WINPV_VERSION_MINOR)},
    {PVADDONS "/MicroVersion", DECIMAL(WINPV_VERSION_MICRO)},
    {PVADDONS "/BuildVersion", DECIMAL(WINPV_VERSION_BUILD)},
    {PVADDONS "/Installed", "1"},
    /* Last: it tells XAPI the rest is there to read. */
    {"data/updated", "1"},
};

static int write_keys(struct xs_client *store, xs_tx_t tx, void *ctx)
{
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < sizeof(keys) / sizeof(keys[0]); i++)
        rc = xs_client_write_str(store, tx, keys[i].path, keys[i].value);
    return rc;
}

int xenbus_toolstack_keys_write(struct xs_client *store)
{
    int rc = xs_transact(store, write_keys, NULL, TX_ATTEMPTS);

    if (rc)
        os_log(OS_LOG_WARN,
               "xenbus: the toolstack's keys (attr/PVAddons, data/updated) not "
               "written (%d)\n",
               rc);
    return rc;
}

int xenbus_toolstack_keys_remove(struct xs_client *store)
{
    int rc = xs_client_rm(store, XS_TX_NONE, PVADDONS);

    if (rc && rc != -XEN_ENOENT) {
        os_log(OS_LOG_WARN, "xenbus: %s not removed (%d)\n", PVADDONS, rc);
        return rc;
    }
    return 0;
}
