/*
 * sim/nt/inf_text.c - the encodings of INF files and registry strings.
 *
 * Windows reads an INF as UTF-16LE when it starts with the byte-order mark
 * FF FE, else as 8-bit text; ours is UTF-8 (with or without its mark EF BB
 * BF), so an INF saved in an ANSI code page is refused by name rather than
 * read as something else. A NUL character is refused in either: the rest
 * of the reader works on C strings.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inf_impl.h"

/* One code point from @s (@len bytes): its length, or 0 when not UTF-8 or NUL. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    static const uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n = s[0] < 0x80                   ? 1
               : s[0] >= 0xc2 && s[0] < 0xe0 ? 2
               : s[0] >= 0xe0 && s[0] < 0xf0 ? 3
               : s[0] >= 0xf0 && s[0] < 0xf5 ? 4
                                             : 0;
    uint32_t c;

    if (n == 0 || n > len)
        return 0;
    c = n == 1 ? s[0] : s[0] & (0x7fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3fu);
    }
    if (c == 0 || c < min_for_length[n] || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
        return 0;
    *cp = c;
    return n;
}

static size_t utf8_put(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | c >> 12);
        out[1] = (char)(0x80 | (c >> 6 & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | c >> 18);
    out[1] = (char)(0x80 | (c >> 12 & 0x3f));
    out[2] = (char)(0x80 | (c >> 6 & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

static unsigned int lines_in(const char *text, size_t len)
{
    unsigned int lines = 1;

    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    return lines;
}

static int decode_utf16le(const uint8_t *bytes, size_t size, char *out, unsigned int *bad_line)
{
    size_t len = 0;

    for (size_t i = 0; i < size; i += 2) {
        uint32_t c, low;

        if (size - i < 2)
            goto bad;
        c = bytes[i] | (uint32_t)bytes[i + 1] << 8;
        if (c >= 0xd800 && c < 0xdc00) {
            if (size - i < 4)
                goto bad;
            low = bytes[i + 2] | (uint32_t)bytes[i + 3] << 8;
            if (low < 0xdc00 || low >= 0xe000)
                goto bad;
            c = 0x10000 + ((c - 0xd800) << 10 | (low - 0xdc00));
            i += 2;
        } else if (c == 0 || (c >= 0xdc00 && c < 0xe000)) {
            goto bad;
        }
        len += utf8_put(c, out + len);
    }
    out[len] = '\0';
    return 0;
bad:
    *bad_line = lines_in(out, len);
    return -EILSEQ;
}

static int check_utf8(const uint8_t *bytes, size_t size, char *out, unsigned int *bad_line)
{
    uint32_t c;

    for (size_t i = 0, n; i < size; i += n) {
        n = utf8_next(bytes + i, size - i, &c);
        if (n == 0) {
            *bad_line = lines_in((const char *)bytes, i);
            return -EILSEQ;
        }
    }
    memcpy(out, bytes, size);
    out[size] = '\0';
    return 0;
}

int inf_utf16_decode(const uint8_t *bytes, size_t size, char *out)
{
    unsigned int bad_line;

    return decode_utf16le(bytes, size, out, &bad_line);
}

int inf_text_decode(const uint8_t *bytes, size_t size, char **text, unsigned int *bad_line)
{
    bool utf16 = size >= 2 && bytes[0] == 0xff && bytes[1] == 0xfe;
    /* A UTF-16 unit becomes at most 3 bytes of UTF-8 (a pair of them, 4). */
    char *out = malloc(utf16 ? size / 2 * 3 + 1 : size + 1);
    int err;

    *text = NULL;
    if (out == NULL)
        return -ENOMEM;
    if (utf16) {
        err = decode_utf16le(bytes + 2, size - 2, out, bad_line);
    } else {
        size_t skip = size >= 3 && memcmp(bytes, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

        err = check_utf8(bytes + skip, size - skip, out, bad_line);
    }
    if (err) {
        free(out);
        return err;
    }
    *text = out;
    return 0;
}

size_t inf_utf16_encode(const char *utf8, uint8_t *out)
{
    const unsigned char *s = (const unsigned char *)utf8;
    size_t len = strlen(utf8), written = 0;
    uint32_t c;

    for (size_t i = 0, n; i < len; i += n) {
        uint16_t units[2];
        size_t count = 1;

        n = utf8_next(s + i, len - i, &c);
        if (n == 0)
            return SIZE_MAX;
        if (c >= 0x10000) {
            units[0] = (uint16_t)(0xd800 + ((c - 0x10000) >> 10));
            units[1] = (uint16_t)(0xdc00 + ((c - 0x10000) & 0x3ff));
            count = 2;
        } else {
            units[0] = (uint16_t)c;
        }
        for (size_t u = 0; u < count; u++, written += 2) {
            if (out) {
                out[written] = (uint8_t)units[u];
                out[written + 1] = (uint8_t)(units[u] >> 8);
            }
        }
    }
    return written;
}
