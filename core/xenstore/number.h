/*
 * core/xenstore/number.h - numbers as xenstore carries them: decimal text
 * (domain and transaction ids, xenbus states, ring references) and hex
 * (watch tokens). What the other end wrote is taken only when the whole
 * text is a number in range. Context: any.
 */
#ifndef WINPV_CORE_XENSTORE_NUMBER_H
#define WINPV_CORE_XENSTORE_NUMBER_H

#include <stddef.h>
#include <stdint.h>

/* Room for any uint64_t in decimal and its NUL. */
#define XS_NUMBER_TEXT_MAX 21

/* @value in @base (10 or 16, lower case) into @buf, NUL-terminated; returns its length. */
size_t xs_number_format(char *buf, uint64_t value, unsigned int base);

/*
 * Parse @len bytes of @text as an unsigned decimal no greater than @max:
 * digits only (no sign, space or newline), no leading zero but "0" itself.
 * Returns 0, -XEN_EINVAL for anything else, -XEN_ERANGE above @max.
 */
int xs_number_parse(const char *text, size_t len, uint64_t max, uint64_t *value);

#endif /* WINPV_CORE_XENSTORE_NUMBER_H */
