/*
 * windows/xenbus/unplug.c - the emulated devices XENBUS unplugs
 * (core/xenbus/unplug.c), once per boot, at the platform device's first
 * START: XENBUS starts at boot (SERVICE_BOOT_START, "Boot Bus Extender"),
 * before the emulated disks' and NICs' drivers bind.
 *
 * Which classes: the PV driver of each says so when it is installed. Its
 * INF appends its service name to a REG_MULTI_SZ value of XENBUS's
 * Parameters key (HKLM\SYSTEM\CurrentControlSet\Services\xenbus\Parameters):
 *
 *   UnplugDisks     emulated IDE and SCSI disks, and NVMe disks (bits 0, 3)
 *   UnplugAuxDisks  IDE disks but the primary master (bit 2), for a disk
 *                   driver that leaves the boot disk emulated
 *   UnplugNics      emulated NICs (bit 1)
 *
 * as in: HKLM, SYSTEM\CurrentControlSet\Services\xenbus\Parameters,
 * UnplugDisks, 0x00010008, xenvbd (FLG_ADDREG_TYPE_MULTI_SZ | APPEND).
 * A class goes only while one of the services listed for it is installed
 * (its key there, its Start not SERVICE_DISABLED): a name a removed driver
 * left behind unplugs nothing, so a guest without a PV disk driver keeps
 * its emulated disk. A value that is not a list of service names is
 * ignored, with a log line.
 *
 * What was done is kept in a volatile key of the service (Unplugged: Mask
 * and Refused, REG_DWORD; Windows forgets it at the next boot). A later
 * START this boot (after a STOP, or XENBUS removed and loaded again)
 * unplugs nothing more: a class installed since waits for the next boot,
 * its emulated devices being in use. A build the platform device refused
 * (blacklisted) stays refused: XENBUS stands by at every START of the boot.
 */
#include "fdo.h"
#include "os.h"
#include "winpv/version.h"
#include "xenbus/unplug.h"

#define UNPLUG_TAG       'lpnU'
#define LIST_BYTES_MAX   1024 /* a value's list of service names */
#define SERVICE_NAME_MAX 64   /* characters */
#define SERVICES_KEY     L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\"
#define PARTIAL_DATA     FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data)
#define UNPLUG_BUILD     WINPV_VERSION_BUILD

static const struct {
    const WCHAR *value;
    uint16_t mask;
} classes[] = {
    {L"UnplugDisks", XENBUS_UNPLUG_DISKS | XENBUS_UNPLUG_NVME},
    {L"UnplugAuxDisks", XENBUS_UNPLUG_AUX_DISKS},
    {L"UnplugNics", XENBUS_UNPLUG_NICS},
};

/* Open (or, @create, make: volatile when @volatile_key) the key @name under @root, or the absolute @name. */
static NTSTATUS open_key(HANDLE root, const WCHAR *name, BOOLEAN create, BOOLEAN volatile_key,
                         HANDLE *key, ULONG *disposition)
{
    OBJECT_ATTRIBUTES attributes;
    UNICODE_STRING string;

    RtlInitUnicodeString(&string, name);
    InitializeObjectAttributes(&attributes, &string, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, root,
                               NULL);
    if (!create)
        return ZwOpenKey(key, KEY_READ, &attributes);
    return ZwCreateKey(key, KEY_READ | KEY_SET_VALUE, &attributes, 0, NULL,
                       volatile_key ? REG_OPTION_VOLATILE : REG_OPTION_NON_VOLATILE, disposition);
}

/* The value @name of @key, of @type, into @info (@size bytes); STATUS_OBJECT_TYPE_MISMATCH for another type. */
static NTSTATUS query_value(HANDLE key, const WCHAR *name, ULONG type,
                            KEY_VALUE_PARTIAL_INFORMATION *info, ULONG size)
{
    UNICODE_STRING string;
    ULONG length;
    NTSTATUS status;

    RtlInitUnicodeString(&string, name);
    status = ZwQueryValueKey(key, &string, KeyValuePartialInformation, info, size, &length);
    if (NT_SUCCESS(status) && info->Type != type)
        return STATUS_OBJECT_TYPE_MISMATCH;
    return status;
}

static ULONG read_dword(HANDLE key, const WCHAR *name, ULONG otherwise)
{
    ULONG buffer[(PARTIAL_DATA + sizeof(ULONG) + sizeof(ULONG) - 1) / sizeof(ULONG)];
    KEY_VALUE_PARTIAL_INFORMATION *info = (KEY_VALUE_PARTIAL_INFORMATION *)buffer;

    if (!NT_SUCCESS(query_value(key, name, REG_DWORD, info, sizeof(buffer))) ||
        info->DataLength != sizeof(ULONG))
        return otherwise;
    return *(ULONG *)info->Data;
}

static void write_dword(HANDLE key, const WCHAR *name, ULONG value)
{
    UNICODE_STRING string;

    RtlInitUnicodeString(&string, name);
    ZwSetValueKey(key, &string, 0, REG_DWORD, &value, sizeof(value));
}

static BOOLEAN service_name_char(WCHAR c)
{
    return (c >= L'a' && c <= L'z') || (c >= L'A' && c <= L'Z') || (c >= L'0' && c <= L'9') ||
           c == L'_' || c == L'-' || c == L'.';
}

/* Whether service @name (@length characters, checked) is installed: its key, a Start not disabled. */
static BOOLEAN service_installed(const WCHAR *name, size_t length)
{
    WCHAR path[sizeof(SERVICES_KEY) / sizeof(WCHAR) + SERVICE_NAME_MAX];
    size_t prefix = sizeof(SERVICES_KEY) / sizeof(WCHAR) - 1;
    HANDLE key;
    ULONG start;

    RtlCopyMemory(path, SERVICES_KEY, prefix * sizeof(WCHAR));
    RtlCopyMemory(path + prefix, name, length * sizeof(WCHAR));
    path[prefix + length] = 0;
    if (!NT_SUCCESS(open_key(NULL, path, FALSE, FALSE, &key, NULL)))
        return FALSE;
    start = read_dword(key, L"Start", SERVICE_DISABLED);
    ZwClose(key);
    return start < SERVICE_DISABLED;
}

/*
 * Whether a service listed in @list (a REG_MULTI_SZ of @bytes bytes) is
 * installed; -1 when the list is malformed (a name too long, a character
 * no service name has, no terminator).
 */
static int any_installed(const WCHAR *list, ULONG bytes)
{
    size_t count = bytes / sizeof(WCHAR), at = 0;
    int installed = 0;

    while (at < count && list[at] != 0) {
        size_t length = 0;

        while (at + length < count && list[at + length] != 0) {
            if (length == SERVICE_NAME_MAX || !service_name_char(list[at + length]))
                return -1;
            length++;
        }
        if (at + length == count)
            return -1; /* unterminated */
        installed |= service_installed(list + at, length);
        at += length + 1;
    }
    return installed;
}

/* The mask of the classes whose PV drivers are installed, from the Parameters key. */
static uint16_t installed_classes(HANDLE service)
{
    KEY_VALUE_PARTIAL_INFORMATION *info;
    uint16_t mask = 0;
    HANDLE parameters;

    if (!NT_SUCCESS(open_key(service, L"Parameters", FALSE, FALSE, &parameters, NULL)))
        return 0;
    info = ExAllocatePoolWithTag(PagedPool, PARTIAL_DATA + LIST_BYTES_MAX, UNPLUG_TAG);
    for (size_t i = 0; info && i < sizeof(classes) / sizeof(classes[0]); i++) {
        NTSTATUS status = query_value(parameters, classes[i].value, REG_MULTI_SZ, info,
                                      PARTIAL_DATA + LIST_BYTES_MAX);
        int installed =
            NT_SUCCESS(status) ? any_installed((WCHAR *)info->Data, info->DataLength) : 0;

        if (status != STATUS_OBJECT_NAME_NOT_FOUND && (!NT_SUCCESS(status) || installed < 0))
            os_log(OS_LOG_WARN,
                   "xenbus: Parameters\\%ls is not a list of services (%#x): ignored\n",
                   classes[i].value, (unsigned int)status);
        else if (installed > 0)
            mask |= classes[i].mask;
    }
    if (info)
        ExFreePoolWithTag(info, UNPLUG_TAG);
    else
        os_log(OS_LOG_WARN, "xenbus: no memory to read the classes to unplug\n");
    ZwClose(parameters);
    return mask;
}

/*
 * This boot's unplug, the first time: the protocol for the installed
 * classes, recorded in @record; with no record, only the refusal is asked
 * (unrecorded, a later START would unplug again). Whether XENBUS serves.
 */
static BOOLEAN unplug_now(HANDLE service, HANDLE record)
{
    uint16_t mask = record ? installed_classes(service) : 0;
    int rc = xenbus_unplug(mask, UNPLUG_BUILD);

    if (rc == 0)
        os_log(OS_LOG_INFO, "xenbus: emulated devices unplugged: %#x\n", (unsigned int)mask);
    if (record) {
        write_dword(record, L"Mask", rc == 0 ? mask : 0);
        write_dword(record, L"Refused", rc == -XEN_EACCES);
    }
    return rc != -XEN_EACCES;
}

NTSTATUS xenbus_unplug_at_start(BOOLEAN *serves)
{
    HANDLE service, record = NULL;
    ULONG disposition = 0;
    NTSTATUS status;

    if (xenbus_service_path.Buffer == NULL) {
        os_log(OS_LOG_ERROR, "xenbus: its service key's name is too long\n");
        return STATUS_NAME_TOO_LONG;
    }
    status = open_key(NULL, xenbus_service_path.Buffer, FALSE, FALSE, &service, NULL);
    if (!NT_SUCCESS(status)) {
        os_log(OS_LOG_ERROR, "xenbus: its service key cannot be opened (%#x)\n",
               (unsigned int)status);
        return status;
    }
    status = open_key(service, L"Unplugged", TRUE, TRUE, &record, &disposition);
    if (NT_SUCCESS(status) && disposition == REG_OPENED_EXISTING_KEY) {
        *serves = !read_dword(record, L"Refused", 0);
        os_log(OS_LOG_INFO, "xenbus: emulated devices unplugged this boot already (%#x)%s\n",
               (unsigned int)read_dword(record, L"Mask", 0),
               *serves ? "" : "; the build was refused: standing by");
    } else {
        if (!NT_SUCCESS(status)) {
            os_log(OS_LOG_WARN,
                   "xenbus: this boot's unplug cannot be recorded (%#x): nothing unplugged\n",
                   (unsigned int)status);
            record = NULL;
        }
        *serves = unplug_now(service, record);
        if (!*serves)
            os_log(OS_LOG_ERROR, "xenbus: standing by: the platform device refused this build\n");
    }
    if (record)
        ZwClose(record);
    ZwClose(service);
    return STATUS_SUCCESS;
}
