/*
 * tests/abi/abi_kinds.h - how an entry of abi_list.h names a type, and how
 * a value's type is judged; shared by every expansion of the list.
 *
 * An entry names a type as a kind and a name: (struct, shared_info) is
 * "struct shared_info", (type, domid_t) a typedef name, (handle, xen_pfn_t)
 * the guest handle type XEN_GUEST_HANDLE(xen_pfn_t).
 */
#ifndef ABI_KINDS_H
#define ABI_KINDS_H

#define ABI_TYPE_struct(name) struct name
#define ABI_TYPE_union(name)  union name
#define ABI_TYPE_enum(name)   enum name
#define ABI_TYPE_type(name)   name
#define ABI_TYPE_handle(name) XEN_GUEST_HANDLE(name)

/* The same, spelled as text; the name comes already stringized. */
#define ABI_SPELL_struct(name) "struct " name
#define ABI_SPELL_union(name)  "union " name
#define ABI_SPELL_enum(name)   "enum " name
#define ABI_SPELL_type(name)   name
#define ABI_SPELL_handle(name) "XEN_GUEST_HANDLE(" name ")"

/*
 * Whether an integer expression has a signed type (after promotion, which
 * is how it takes part in arithmetic). A constant of the wrong signedness
 * or width changes comparisons and shifts even when its value is right.
 */
#define ABI_IS_SIGNED(e) _Generic((e) + 0, int: 1, long: 1, long long: 1, default: 0)

#endif /* ABI_KINDS_H */
