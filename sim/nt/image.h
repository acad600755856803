/*
 * sim/nt/image.h - loading a PE32+ kernel driver image.
 *
 * The image is laid out in guest memory (so every address in it has a
 * guest frame, as a driver's global buffers do on Windows), its base
 * relocations applied, its imports bound by name to the simulated kernel's
 * exports, its privileged instructions prepared (sim/nt/cpu), and each
 * section given the protection its characteristics ask for. An import the
 * kernel does not implement fails the load, and every such import is
 * named.
 */
#ifndef WINPV_SIM_NT_IMAGE_H
#define WINPV_SIM_NT_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"

#define NT_IMAGE_THUNKS 512 /* imports an image may have */

struct nt_image {
    char name[64]; /* file name, as Windows names the module: "xenbus.sys" */
    char path[4096];
    uint8_t *base;
    size_t size;                     /* SizeOfImage, whole pages */
    uint32_t entry_rva;              /* DriverEntry */
    uint32_t timestamp;              /* TimeDateStamp */
    struct nt_code_range *functions; /* from .pdata, sorted */
    uint32_t pdata_rva, pdata_size;  /* .pdata itself, checked to lie in the image */
    size_t function_count;
    uint8_t pdb_guid[16]; /* the CodeView RSDS record */
    uint32_t pdb_age;
    char pdb_name[256];
    int rewritten;   /* instructions and constants nt_cpu_prepare_image changed */
    uint8_t *thunks; /* what each import slot points to (image.c) */
};

/*
 * Load the image at @path. @kuser_page is where KUSER_SHARED_DATA reads
 * go. On failure returns a negative errno and writes a reason a person can
 * act on into @error (every missing import named).
 * Context: a kernel thread at PASSIVE_LEVEL.
 */
int nt_image_load(const char *path, uint64_t kuser_page, struct nt_image *image, char *error,
                  size_t error_size);

/*
 * Where an image's imports go, when not to the kernel's exports: @find
 * gives the address of @dll's @name (setting *@data for a variable), or
 * NULL for an import that fails the load.
 */
struct nt_image_binder {
    const void *(*find)(void *context, const char *dll, const char *name, bool *data);
    void *context;
};

/*
 * As nt_image_load, the module named @name (NULL: the file's name) and its
 * imports bound by @binder (NULL: the kernel's exports): a second copy of
 * an image, as Windows loads a dump stack's miniport.
 */
int nt_image_load_bound(const char *path, const char *name, uint64_t kuser_page,
                        const struct nt_image_binder *binder, struct nt_image *image, char *error,
                        size_t error_size);

/* Unmap an image loaded by nt_image_load. */
void nt_image_unload(struct nt_image *image);

/* The image containing @address, or NULL. */
const struct nt_image *nt_image_find(uint64_t address);

#endif /* WINPV_SIM_NT_IMAGE_H */
