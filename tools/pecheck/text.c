#include "text.h"
#include "bytes.h"

#include <stdio.h>

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool ascii_equal_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        if (ascii_lower(*a) != ascii_lower(*b))
            return false;
    }
    return *a == *b;
}

void escape_text(char *dst, size_t dst_size, const char *src)
{
    size_t used = 0;

    if (dst_size == 0)
        return;
    for (; *src; src++) {
        unsigned char c = (unsigned char)*src;
        char piece[5];
        size_t len;

        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '#') {
            piece[0] = (char)c;
            piece[1] = '\0';
        } else {
            snprintf(piece, sizeof(piece), "\\x%02x", c);
        }
        for (len = 0; piece[len]; len++)
            ;
        if (used + len >= dst_size)
            break;
        for (size_t i = 0; i < len; i++)
            dst[used++] = piece[i];
    }
    dst[used] = '\0';
}

void format_guid(char dst[GUID_TEXT_SIZE], const uint8_t guid[16])
{
    snprintf(dst, GUID_TEXT_SIZE, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", le32(guid),
             le16(guid + 4), le16(guid + 6), guid[8], guid[9], guid[10], guid[11], guid[12],
             guid[13], guid[14], guid[15]);
}
