/*
 * sim/nt/io_interface.c - device interfaces (IoRegisterDeviceInterface,
 * IoSetDeviceInterfaceState): how user mode finds a device to open.
 *
 * A driver registers an interface class on a PDO and gets the instance's
 * symbolic link name (\??\<instance path, '\' as '#'>#{GUID}), which it
 * frees with RtlFreeUnicodeString; registering the same again names the
 * same instance. Only an enabled instance can be opened, and only once the
 * device started (io_file.c); the PnP manager disables what a driver left
 * enabled when it removes the device (nt_interfaces_removed), after which
 * the driver may not disable it again. Enabling an enabled instance is
 * STATUS_OBJECT_NAME_EXISTS and disabling a disabled one
 * STATUS_OBJECT_NAME_NOT_FOUND, as documented.
 *
 * Lock order: interfaces_lock alone.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "exports_impl.h"
#include "io.h"
#include "kernel.h"
#include "pnp.h"

#define INTERFACES_MAX 16
#define LINK_MAX       (NT_DEVICE_INSTANCE_MAX + 64)
#define PAGED_POOL     1
#define LINK_TAG       0x6b6e4c49 /* 'ILnk' */

enum interface_state {
    INTERFACE_FREE,     /* the slot holds nothing */
    INTERFACE_DISABLED, /* registered, not open to user mode */
    INTERFACE_ENABLED,  /* open to user mode */
    INTERFACE_GONE,     /* disabled by the PnP manager at removal: the driver may not touch it */
};

struct interface {
    enum interface_state state;
    GUID guid;
    DEVICE_OBJECT *pdo;
    char link[LINK_MAX];
};

static pthread_mutex_t interfaces_lock = PTHREAD_MUTEX_INITIALIZER;
static struct interface interfaces[INTERFACES_MAX];

static void format_link(char *out, size_t size, DEVICE_OBJECT *pdo, const GUID *g)
{
    char instance[NT_DEVICE_INSTANCE_MAX];

    snprintf(instance, sizeof(instance), "%s", nt_device_of(pdo)->instance);
    for (char *p = instance; *p; p++) {
        if (*p == '\\')
            *p = '#';
    }
    snprintf(out, size, "\\??\\%s#{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", instance,
             g->Data1, g->Data2, g->Data3, g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3],
             g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
}

/* The instance named @link, or NULL; interfaces_lock held. */
static struct interface *find_locked(const char *link)
{
    for (unsigned int i = 0; i < INTERFACES_MAX; i++) {
        if (interfaces[i].state != INTERFACE_FREE && strcmp(interfaces[i].link, link) == 0)
            return &interfaces[i];
    }
    return NULL;
}

/* @s as ASCII in @out; false when it is not a string a driver could have been given. */
static bool narrow(const UNICODE_STRING *s, char *out, size_t size)
{
    size_t n;

    if (s == NULL || s->Buffer == NULL || s->Length % 2 || s->Length / 2 >= size)
        return false;
    n = s->Length / 2;
    for (size_t i = 0; i < n; i++) {
        if (s->Buffer[i] == 0 || s->Buffer[i] > 0x7e)
            return false;
        out[i] = (char)s->Buffer[i];
    }
    out[n] = '\0';
    return true;
}

static NT_EXPORT NTSTATUS IoRegisterDeviceInterface(DEVICE_OBJECT *pdo, const GUID *guid,
                                                    UNICODE_STRING *reference,
                                                    UNICODE_STRING *link_name)
{
    uint64_t caller = NT_CALLER;
    char link[LINK_MAX];
    struct interface *slot = NULL;
    size_t length;
    WCHAR *buffer;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (guid == NULL || link_name == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoRegisterDeviceInterface: interface class %p, link name %p",
                         (const void *)guid, (void *)link_name);
    if (pdo == NULL || pdo->Type != NT_TYPE_DEVICE || !nt_pnp_knows_pdo(pdo))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoRegisterDeviceInterface on %p, which is no PDO the PnP manager knows",
                         (void *)pdo);
    if (reference != NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoRegisterDeviceInterface with a reference string: not implemented");
    format_link(link, sizeof(link), pdo, guid);
    pthread_mutex_lock(&interfaces_lock);
    slot = find_locked(link);
    if (slot && slot->state == INTERFACE_GONE) /* the device came back: its instance is there */
        slot->state = INTERFACE_DISABLED;
    for (unsigned int i = 0; slot == NULL && i < INTERFACES_MAX; i++) {
        if (interfaces[i].state == INTERFACE_FREE) {
            slot = &interfaces[i];
            *slot = (struct interface){.state = INTERFACE_DISABLED, .guid = *guid, .pdo = pdo};
            snprintf(slot->link, sizeof(slot->link), "%s", link);
        }
    }
    pthread_mutex_unlock(&interfaces_lock);
    if (slot == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoRegisterDeviceInterface: more than %d interfaces: not implemented",
                         INTERFACES_MAX);
    length = strlen(link);
    buffer = nt_pool_alloc(PAGED_POOL, (length + 1) * sizeof(WCHAR), LINK_TAG, caller);
    if (buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (size_t i = 0; i <= length; i++)
        buffer[i] = (WCHAR)(unsigned char)link[i];
    *link_name = (UNICODE_STRING){(uint16_t)(length * sizeof(WCHAR)),
                                  (uint16_t)((length + 1) * sizeof(WCHAR)), buffer};
    nt_log("io: interface %s registered\n", link);
    return STATUS_SUCCESS;
}
NT_REGISTER(NTOSKRNL, IoRegisterDeviceInterface);

static NT_EXPORT NTSTATUS IoSetDeviceInterfaceState(UNICODE_STRING *link_name, BOOLEAN enable)
{
    uint64_t caller = NT_CALLER;
    char link[LINK_MAX];
    struct interface *i;
    NTSTATUS status = STATUS_SUCCESS;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (!narrow(link_name, link, sizeof(link)))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoSetDeviceInterfaceState with no link name IoRegisterDeviceInterface "
                         "gave");
    pthread_mutex_lock(&interfaces_lock);
    i = find_locked(link);
    if (i == NULL || i->state == INTERFACE_GONE) {
        pthread_mutex_unlock(&interfaces_lock);
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "IoSetDeviceInterfaceState(%s): %s", link,
                         i ? "the PnP manager disabled it when it removed the device"
                           : "never registered");
    }
    if (enable && i->state == INTERFACE_ENABLED)
        status = STATUS_OBJECT_NAME_EXISTS;
    else if (!enable && i->state == INTERFACE_DISABLED)
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    else
        i->state = enable ? INTERFACE_ENABLED : INTERFACE_DISABLED;
    pthread_mutex_unlock(&interfaces_lock);
    nt_log("io: interface %s %s (%#x)\n", link, enable ? "enabled" : "disabled", (unsigned)status);
    return status;
}
NT_REGISTER(NTOSKRNL, IoSetDeviceInterfaceState);

DEVICE_OBJECT *nt_interface_find(const GUID *guid, char *link, size_t size)
{
    DEVICE_OBJECT *pdo = NULL;

    pthread_mutex_lock(&interfaces_lock);
    for (unsigned int i = 0; i < INTERFACES_MAX && pdo == NULL; i++) {
        if (interfaces[i].state == INTERFACE_ENABLED &&
            memcmp(&interfaces[i].guid, guid, sizeof(*guid)) == 0) {
            pdo = interfaces[i].pdo;
            snprintf(link, size, "%s", interfaces[i].link);
        }
    }
    pthread_mutex_unlock(&interfaces_lock);
    return pdo;
}

void nt_interfaces_removed(DEVICE_OBJECT *pdo)
{
    pthread_mutex_lock(&interfaces_lock);
    for (unsigned int i = 0; i < INTERFACES_MAX; i++) {
        if (interfaces[i].state == INTERFACE_FREE || interfaces[i].pdo != pdo)
            continue;
        if (interfaces[i].state == INTERFACE_ENABLED)
            nt_log("io: interface %s left enabled at removal: the PnP manager disables it\n",
                   interfaces[i].link);
        interfaces[i].state = INTERFACE_GONE;
    }
    pthread_mutex_unlock(&interfaces_lock);
}

void nt_interfaces_forget(DEVICE_OBJECT *pdo)
{
    pthread_mutex_lock(&interfaces_lock);
    for (unsigned int i = 0; i < INTERFACES_MAX; i++) {
        if (interfaces[i].pdo == pdo)
            interfaces[i] = (struct interface){.state = INTERFACE_FREE};
    }
    pthread_mutex_unlock(&interfaces_lock);
}
