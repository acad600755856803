/*
 * winpv/interface.h - how the winpv drivers serve each other: versioned
 * function tables, handed out by XENBUS to its child drivers through
 * IRP_MN_QUERY_INTERFACE, so no driver links against another.
 *
 * Every table starts with struct winpv_interface_header, laid out as the
 * Windows INTERFACE structure (USHORT Size, USHORT Version, PVOID Context,
 * then the reference and dereference routines), so it travels in a
 * QUERY_INTERFACE request unchanged. The consumer names the interface by
 * GUID, asks for one version and says how large its buffer is; the
 * provider fills the table of exactly that version, or refuses. A table's
 * layout never changes once published: a new function means a new version
 * with its own structure, and the provider keeps serving the old ones.
 *
 * The provider takes one reference for the consumer when it fills a
 * table; the consumer calls dereference(context) once when done with it.
 * While references are held the provider does not go away.
 *
 * These headers are shared by every driver and depend on nothing but
 * <stdint.h>, <stddef.h> and <stdbool.h>. Structures hold fixed-width
 * types and pointers only; function signatures may also use bool, int,
 * unsigned int and size_t, which have one size on Windows x64 whatever the
 * compiler. The provider's static asserts check every structure it shares
 * with an engine field by field.
 * Errors are negative XEN_E* numbers (xen/errno.h).
 */
#ifndef WINPV_INTERFACE_H
#define WINPV_INTERFACE_H

#include <stddef.h>
#include <stdint.h>

/* The same layout as a Windows GUID. */
struct winpv_guid {
    uint32_t data1;
    uint16_t data2;
    uint16_t data3;
    uint8_t data4[8];
};

struct winpv_interface_header {
    uint16_t size;    /* bytes of the whole table */
    uint16_t version; /* the version the table follows */
    void *context;    /* the first argument of every function in the table */
    void (*reference)(void *context);
    void (*dereference)(void *context);
};

#endif /* WINPV_INTERFACE_H */
