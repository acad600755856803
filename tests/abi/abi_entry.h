/*
 * tests/abi/abi_entry.h - one fact of the Xen ABI (a size, an offset, a
 * constant), as a table entry; and the tables the two sides export.
 *
 * abi_theirs.c builds its table from Debian's Xen headers, abi_ours.c from
 * include/xen, both by expanding abi_list.h, so entry i names the same fact
 * on both sides.
 */
#ifndef ABI_ENTRY_H
#define ABI_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum abi_kind {
    ABI_KIND_AREA, /* starts the entries of one area (what: its name) */
    ABI_KIND_INT,  /* an integer: a size, an offset or a constant */
    ABI_KIND_TEXT, /* a string constant */
};

struct abi_entry {
    enum abi_kind kind;
    const char *key;  /* an identifier for the fact, unique in the table */
    const char *what; /* the fact as a reader writes it: "offsetof(struct a, b.c)" */
    uint64_t value;   /* ABI_KIND_INT: the value converted to uint64_t */
    uint32_t size;    /* sizeof the value's type; ABI_KIND_TEXT: of the string */
    bool is_signed;   /* ABI_KIND_INT: the value's type is signed */
    const char *text; /* ABI_KIND_TEXT: the string */
};

/* An element of an ordered list of names and numbers (error lists). */
struct abi_named_value {
    const char *name;
    int value;
};

extern const struct abi_entry abi_theirs[];
extern const size_t abi_theirs_count;
extern const struct abi_entry abi_ours[];
extern const size_t abi_ours_count;

/* Xen's hypercall error numbers, in the order the header lists them. */
size_t abi_theirs_errno(const struct abi_named_value **list);
size_t abi_ours_errno(const struct abi_named_value **list);

/* The error names xenstore sends, with their errno values, in order. */
size_t abi_theirs_xsd_errors(const struct abi_named_value **list);
size_t abi_ours_xsd_errors(const struct abi_named_value **list);

#endif /* ABI_ENTRY_H */
