/*
 * tests/abi/abi_expand.h - expands the entries of abi_list.h into
 * struct abi_entry initializers. The includer first includes one set of Xen
 * headers and defines ABI_PICK(theirs, ours) to choose its side of an
 * ABI_PAIR.
 *
 * Every name is stringized where it first appears, before macro expansion,
 * so that both sides spell an entry alike even where Debian's headers make
 * a name a macro (blkif_vdev_t).
 */
#ifndef ABI_EXPAND_H
#define ABI_EXPAND_H

#include "abi_entry.h"
#include "abi_kinds.h"

#define ABI_INT_ENTRY(key_, what_, expr)  \
    {                                     \
        .kind = ABI_KIND_INT,             \
        .key = key_,                      \
        .what = what_,                    \
        .value = (uint64_t)(expr),        \
        .size = sizeof(expr),             \
        .is_signed = ABI_IS_SIGNED(expr), \
    },

/* The offset and the size of member path of type. */
#define ABI_MEMBER_ENTRIES(key_tail, what_type, what_path, type, path)            \
    ABI_INT_ENTRY("offsetof_" key_tail, "offsetof(" what_type ", " what_path ")", \
                  offsetof(type, path))                                           \
    ABI_INT_ENTRY("sizeof_" key_tail, "sizeof(" what_type "." what_path ")",      \
                  sizeof(((type *)0)->path))

#define ABI_AREA(name) {.kind = ABI_KIND_AREA, .key = #name, .what = #name},

#define ABI_SIZE(kind, name)                                                        \
    ABI_INT_ENTRY("sizeof_" #kind "_" #name, "sizeof(" ABI_SPELL_##kind(#name) ")", \
                  sizeof(ABI_TYPE_##kind(name)))

#define ABI_FIELD(kind, name, f)                                                                   \
    ABI_MEMBER_ENTRIES(#kind "_" #name "_" #f, ABI_SPELL_##kind(#name), #f, ABI_TYPE_##kind(name), \
                       f)

#define ABI_FIELD2(kind, name, f, g)                                                      \
    ABI_MEMBER_ENTRIES(#kind "_" #name "_" #f "_" #g, ABI_SPELL_##kind(#name), #f "." #g, \
                       ABI_TYPE_##kind(name), f.g)

#define ABI_FIELD3(kind, name, f, g, h)                                               \
    ABI_MEMBER_ENTRIES(#kind "_" #name "_" #f "_" #g "_" #h, ABI_SPELL_##kind(#name), \
                       #f "." #g "." #h, ABI_TYPE_##kind(name), f.g.h)

/* A flexible array member has an offset but no size. */
#define ABI_FIELD_FLEX(kind, name, f)                              \
    ABI_INT_ENTRY("offsetof_" #kind "_" #name "_" #f,              \
                  "offsetof(" ABI_SPELL_##kind(#name) ", " #f ")", \
                  offsetof(ABI_TYPE_##kind(name), f))

#define ABI_CONST(name) ABI_INT_ENTRY(#name, #name, name)

#define ABI_EXPR(key, expr) ABI_INT_ENTRY(#key, #expr, expr)

#define ABI_PAIR(key, theirs, ours) ABI_INT_ENTRY(#key, #key, ABI_PICK(theirs, ours))

#define ABI_TEXT(name) \
    {.kind = ABI_KIND_TEXT, .key = #name, .what = #name, .size = sizeof(name), .text = name},

#endif /* ABI_EXPAND_H */
