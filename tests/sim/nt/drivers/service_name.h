/*
 * tests/sim/nt/drivers/service_name.h - which case a test driver plays, by
 * the service it was installed as: the last part of the registry path
 * DriverEntry gets.
 */
#ifndef WINPV_TESTS_NT_DRIVERS_SERVICE_NAME_H
#define WINPV_TESTS_NT_DRIVERS_SERVICE_NAME_H

/* Whether @path ends with the key @name (after a backslash). */
static inline BOOLEAN service_is(const UNICODE_STRING *path, const WCHAR *name)
{
    USHORT chars = path->Length / sizeof(WCHAR), n = 0;

    while (name[n])
        n++;
    if (n >= chars || path->Buffer[chars - n - 1] != L'\\')
        return FALSE;
    for (USHORT i = 0; i < n; i++) {
        if (path->Buffer[chars - n + i] != name[i])
            return FALSE;
    }
    return TRUE;
}

#endif /* WINPV_TESTS_NT_DRIVERS_SERVICE_NAME_H */
