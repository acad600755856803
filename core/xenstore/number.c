/* core/xenstore/number.c - see number.h. */
#include <xen/errno.h>

#include "xenstore/number.h"

size_t xs_number_format(char *buf, uint64_t value, unsigned int base)
{
    static const char digits[] = "0123456789abcdef";
    char reversed[XS_NUMBER_TEXT_MAX];
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

int xs_number_parse(const char *text, size_t len, uint64_t max, uint64_t *value)
{
    uint64_t v = 0;

    if (len == 0 || (len > 1 && text[0] == '0'))
        return -XEN_EINVAL;
    for (size_t i = 0; i < len; i++) {
        unsigned int digit = (unsigned char)text[i] - '0';

        if (digit > 9)
            return -XEN_EINVAL;
        if (v > (UINT64_MAX - digit) / 10)
            return -XEN_ERANGE;
        v = v * 10 + digit;
    }
    if (v > max)
        return -XEN_ERANGE;
    *value = v;
    return 0;
}
