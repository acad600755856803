/*
 * sim/nt/io_security.c - who may open a device from user mode: the
 * security descriptor its INF gave it (HKR,,Security,,"<SDDL>" in an
 * AddReg of DDInstall.HW, which lands in the hardware key), checked at
 * each open as the I/O manager checks the device object's DACL.
 *
 * A device without one gets what Windows gives a PnP device whose INF and
 * class set none: every user may read and write it. That is the default a
 * driver meant for administrators must override, so it is modelled, not
 * tightened.
 *
 * Only the SDDL a device's INF writes is understood: "D:P" then ACEs
 * "(A;;<rights>;;;<trustee>)", rights as GA, GR, GW, GX (any sequence) or
 * 0x<hex>, trustees SY, BA, BU, WD, AU, IU, LS, NS. Anything else refuses
 * the open and says so: the kernel does not guess at a security
 * descriptor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inf_impl.h"
#include "io.h"
#include "kernel.h"
#include "pnp.h"
#include "registry.h"

#define SDDL_MAX 512 /* characters of a security descriptor's SDDL */

#define GENERIC_ALL   0x10000000u
#define GENERIC_WRITE 0x40000000u
#define GENERIC_READ  0x80000000u

/* The well-known trustees a caller's token holds. */
static const struct {
    const char *sid;
    unsigned int members; /* bit per enum nt_identity */
} trustees[] = {
    {"SY", 1u << NT_AS_SYSTEM},
    {"BA", 1u << NT_AS_SYSTEM | 1u << NT_AS_ADMIN},
    {"BU", 1u << NT_AS_ADMIN | 1u << NT_AS_USER},
    {"WD", 1u << NT_AS_SYSTEM | 1u << NT_AS_ADMIN | 1u << NT_AS_USER},
    {"AU", 1u << NT_AS_SYSTEM | 1u << NT_AS_ADMIN | 1u << NT_AS_USER},
    {"IU", 1u << NT_AS_ADMIN | 1u << NT_AS_USER},
    {"LS", 0},
    {"NS", 0},
};

const char *nt_identity_name(enum nt_identity who)
{
    static const char *const names[] = {"SYSTEM", "an administrator", "a user"};

    return names[who];
}

/* @text's rights as an access mask; false when it is none of the forms understood. */
static bool parse_rights(const char *text, size_t length, uint32_t *mask)
{
    static const struct {
        const char *code;
        uint32_t mask;
    } codes[] = {{"GA", GENERIC_ALL}, {"GR", GENERIC_READ}, {"GW", GENERIC_WRITE}, {"GX", 0}};

    *mask = 0;
    if (length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        char hex[16], *end;

        if (length - 2 >= sizeof(hex))
            return false;
        memcpy(hex, text + 2, length - 2);
        hex[length - 2] = '\0';
        *mask = (uint32_t)strtoul(hex, &end, 16);
        return *end == '\0';
    }
    if (length == 0 || length % 2)
        return false;
    for (size_t i = 0; i < length; i += 2) {
        size_t c = 0;

        while (c < sizeof(codes) / sizeof(codes[0]) && strncmp(text + i, codes[c].code, 2) != 0)
            c++;
        if (c == sizeof(codes) / sizeof(codes[0]))
            return false;
        *mask |= codes[c].mask;
    }
    return true;
}

/* Whether @mask grants every bit of @access (FILE_READ_DATA, FILE_WRITE_DATA). */
static bool grants(uint32_t mask, uint32_t access)
{
    if (mask & GENERIC_ALL)
        return true;
    if (mask & GENERIC_READ)
        mask |= FILE_READ_DATA;
    if (mask & GENERIC_WRITE)
        mask |= FILE_WRITE_DATA;
    return (access & mask) == access;
}

/*
 * The DACL @sddl grants @who @access: 1 yes, 0 no, -1 when it is not SDDL
 * understood here. Access allowed by several ACEs adds up, as a DACL's does.
 */
static int dacl_allows(const char *sddl, enum nt_identity who, uint32_t access)
{
    const char *p = sddl;
    uint32_t granted = 0;

    if (strncmp(p, "D:P", 3) != 0)
        return -1;
    for (p += 3; *p;) {
        const char *end = strchr(p, ')'), *fields[6];
        uint32_t mask;
        size_t n = 0, t = 0;

        if (*p != '(' || end == NULL)
            return -1;
        fields[n++] = ++p;
        for (; p < end && n < 6; p++)
            if (*p == ';')
                fields[n++] = p + 1;
        /* (type;flags;rights;object;inherited object;trustee) */
        if (n != 6 || strncmp(fields[0], "A;", 2) != 0 || fields[1][0] != ';' ||
            fields[3][0] != ';' || fields[4][0] != ';' ||
            !parse_rights(fields[2], (size_t)(fields[3] - 1 - fields[2]), &mask))
            return -1;
        while (t < sizeof(trustees) / sizeof(trustees[0]) &&
               ((size_t)(end - fields[5]) != 2 || strncmp(fields[5], trustees[t].sid, 2) != 0))
            t++;
        if (t == sizeof(trustees) / sizeof(trustees[0]))
            return -1;
        if (trustees[t].members & (1u << who)) {
            granted |= grants(mask, FILE_READ_DATA) ? FILE_READ_DATA : 0;
            granted |= grants(mask, FILE_WRITE_DATA) ? FILE_WRITE_DATA : 0;
        }
        p = end + 1;
    }
    return (granted & access) == access;
}

NTSTATUS nt_security_check(DEVICE_OBJECT *pdo, enum nt_identity who, uint32_t access)
{
    char path[NT_DEVICE_INSTANCE_MAX + 64], sddl[SDDL_MAX * 3 + 1];
    struct nt_reg_value value;
    struct nt_reg_key *key;
    int allowed;

    snprintf(path, sizeof(path), NT_REG_ENUM "\\%s\\Device Parameters",
             nt_device_of(pdo)->instance);
    if (nt_reg_open(nt_pnp_registry(), NULL, path, &key) != 0 ||
        nt_reg_read_value(key, "Security", &value) != 0)
        return STATUS_SUCCESS; /* no security of its own: Windows's default, everyone */
    allowed = value.type == NT_REG_SZ && value.length >= 2 && value.length / 2 <= sizeof(sddl) &&
                      inf_utf16_decode(value.data, value.length - 2, sddl) == 0
                  ? dacl_allows(sddl, who, access)
                  : -1;
    nt_reg_value_free(&value);
    if (allowed < 0) {
        nt_log("io: %s's Security is no SDDL this kernel understands: the open is refused\n", path);
        return STATUS_ACCESS_DENIED;
    }
    return allowed ? STATUS_SUCCESS : STATUS_ACCESS_DENIED;
}
