/*
 * core/xenstore/client_number.c - numbers as the protocol writes them:
 * transaction ids and domain ids in decimal, watch tokens in hex.
 */
#include "xenstore/client_internal.h"

size_t xs_u32_format(char buf[XS_U32_TEXT_SIZE], uint32_t value, unsigned int base)
{
    static const char digits[] = "0123456789abcdef";
    char reversed[XS_U32_TEXT_SIZE];
    size_t n = 0;

    do {
        reversed[n++] = digits[value % base];
        value /= base;
    } while (value);
    for (size_t i = 0; i < n; i++)
        buf[i] = reversed[n - 1 - i];
    buf[n] = '\0';
    return n;
}

bool xs_u32_parse(const char *text, size_t len, uint32_t *value)
{
    uint32_t v = 0;

    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        uint32_t digit = (uint32_t)(text[i] - '0');

        if (text[i] < '0' || text[i] > '9' || v > (UINT32_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    *value = v;
    return true;
}
