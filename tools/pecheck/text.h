/* Text helpers for names read from untrusted files. */
#ifndef PECHECK_TEXT_H
#define PECHECK_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ASCII case-insensitive equality, independent of the locale (Windows
 * compares module names this way). */
bool ascii_equal_nocase(const char *a, const char *b);

/* Copies src into dst (always NUL-terminated, truncated to dst_size),
 * writing as \xNN the bytes outside printable ASCII, the backslash (so
 * that the escapes are unambiguous) and '#' (which starts a TAP directive):
 * a hostile name can neither break nor change the meaning of a line of
 * output. */
void escape_text(char *dst, size_t dst_size, const char *src);

/* Formats a GUID stored as in a PE or PDB file (Data1..Data3 little-endian)
 * as {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}. */
#define GUID_TEXT_SIZE 39
void format_guid(char dst[GUID_TEXT_SIZE], const uint8_t guid[16]);

#endif
