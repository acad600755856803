/*
 * sim/nt/image.c - loading a PE32+ kernel driver image (see image.h).
 *
 * The headers are read with tools/pecheck's bounds-checked reader; what the
 * image says is checked against its own size before anything is written.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "exports.h"
#include "image.h"
#include "kernel.h"
#include "os.h"
#include "pecheck/file.h"
#include "pecheck/pe.h"

#define RUNTIME_FUNCTION_SIZE 12

/* Loaded images, for nt_image_find (fault reports, symbolization). */
#define MAX_IMAGES 32
static pthread_mutex_t images_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nt_image *images[MAX_IMAGES];

static int reason(char *error, size_t size, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int reason(char *error, size_t size, int err, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    vsnprintf(error, size, fmt, args);
    va_end(args);
    return err;
}

static void copy_sections(const struct pe_image *pe, uint8_t *base)
{
    memcpy(base, pe->data, pe->size_of_headers);
    for (unsigned int i = 0; i < pe->section_count; i++) {
        struct pe_section sec;
        uint32_t bytes;

        pe_section(pe, i, &sec);
        bytes = sec.raw_size < sec.virtual_size ? sec.raw_size : sec.virtual_size;
        memcpy(base + sec.virtual_address, pe->data + sec.raw_offset, bytes);
    }
}

struct relocation_walk {
    uint8_t *base;
    size_t size;
    uint64_t delta;
};

static bool relocate_one(void *ctx, unsigned int type, uint64_t rva, struct failure *why)
{
    struct relocation_walk *walk = ctx;
    uint64_t value;

    if (type != PE_REL_BASED_DIR64)
        return fail(why, "base relocation of type %u at RVA 0x%llx (only DIR64 belongs in x64)",
                    type, (unsigned long long)rva);
    if (rva > walk->size - 8)
        return fail(why, "base relocation at RVA 0x%llx lies outside the image",
                    (unsigned long long)rva);
    memcpy(&value, walk->base + rva, 8);
    value += walk->delta;
    memcpy(walk->base + rva, &value, 8);
    return true;
}

/*
 * Each imported function goes through a thunk of its own: "movabs $export, %r11;
 * movabs $nt_export_thunk, %rax; jmp *%rax", so the kernel's function runs
 * on the host stack (stack_switch.S), not the driver's.
 */
#define THUNK_SIZE 32
void nt_export_thunk(void);

static void write_thunk(uint8_t *thunk, const void *address)
{
    uint64_t target = (uint64_t)(uintptr_t)address;
    uint64_t common = (uint64_t)(uintptr_t)nt_export_thunk;

    thunk[0] = 0x49; /* movabs imm64, %r11 */
    thunk[1] = 0xbb;
    memcpy(thunk + 2, &target, 8);
    thunk[10] = 0x48; /* movabs imm64, %rax */
    thunk[11] = 0xb8;
    memcpy(thunk + 12, &common, 8);
    thunk[20] = 0xff; /* jmp *%rax */
    thunk[21] = 0xe0;
    memset(thunk + 22, 0xcc, THUNK_SIZE - 22);
}

struct import_walk {
    uint8_t *base;
    size_t size;
    uint8_t *thunks; /* THUNK_SIZE bytes each */
    size_t thunk_count, thunk_capacity;
    const struct nt_image_binder *binder; /* NULL: the kernel's exports */
    char *missing;                        /* names of unimplemented imports, ", "-separated */
    size_t missing_size;
    unsigned int missing_count;
};

static void note_missing(struct import_walk *walk, const struct pe_import_function *function)
{
    size_t used = strlen(walk->missing);
    char ordinal[16];

    if (function->name == NULL)
        snprintf(ordinal, sizeof(ordinal), "#%u", function->ordinal);
    snprintf(walk->missing + used, walk->missing_size - used, "%s%s!%s",
             walk->missing_count ? ", " : "", function->dll_name,
             function->name ? function->name : ordinal);
    walk->missing_count++;
}

static bool bind_one(void *ctx, const struct pe_import_function *function)
{
    struct import_walk *walk = ctx;
    const void *address = NULL;
    bool data = false;
    uint64_t value;

    /* Windows exports nothing by ordinal to drivers that they may rely on. */
    if (function->name && walk->binder)
        address =
            walk->binder->find(walk->binder->context, function->dll_name, function->name, &data);
    else if (function->name)
        address = nt_export_find(function->dll_name, function->name, &data);
    if (address == NULL || function->slot_rva > walk->size - 8) {
        note_missing(walk, function);
        return true;
    }
    if (data) { /* a variable: the slot holds its address, and no code runs through it */
        value = (uint64_t)(uintptr_t)address;
        memcpy(walk->base + function->slot_rva, &value, 8);
        return true;
    }
    if (walk->thunk_count == walk->thunk_capacity) {
        note_missing(walk, function); /* more imports than any driver has: refused, named */
        return true;
    }
    write_thunk(walk->thunks + walk->thunk_count * THUNK_SIZE, address);
    value = (uint64_t)(uintptr_t)(walk->thunks + walk->thunk_count++ * THUNK_SIZE);
    memcpy(walk->base + function->slot_rva, &value, 8);
    return true;
}

static int compare_ranges(const void *a, const void *b)
{
    const struct nt_code_range *x = a, *y = b;

    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* The functions .pdata lists, sorted: where the decoder may walk. */
static int read_functions(const struct pe_image *pe, struct nt_image *image, char *error,
                          size_t error_size)
{
    struct pe_data_directory dir = pe_directory(pe, PE_DIRECTORY_EXCEPTION);
    size_t count = dir.size / RUNTIME_FUNCTION_SIZE;

    if (dir.rva == 0 || count == 0)
        return reason(error, error_size, -ENOEXEC, "%s has no .pdata (no function table)",
                      image->name);
    if ((uint64_t)dir.rva + dir.size > image->size)
        return reason(error, error_size, -ENOEXEC, "%s: .pdata lies outside the image",
                      image->name);
    image->functions = calloc(count, sizeof(*image->functions));
    if (image->functions == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < count; i++) {
        const uint8_t *entry = image->base + dir.rva + i * RUNTIME_FUNCTION_SIZE;
        uint32_t begin, end;

        memcpy(&begin, entry, 4);
        memcpy(&end, entry + 4, 4);
        if (begin >= end || end > image->size)
            return reason(error, error_size, -ENOEXEC,
                          "%s: .pdata entry %zu [0x%x, 0x%x) lies outside the image", image->name,
                          i, begin, end);
        image->functions[i] = (struct nt_code_range){begin, end};
    }
    qsort(image->functions, count, sizeof(*image->functions), compare_ranges);
    image->function_count = count;
    image->pdata_rva = dir.rva;
    image->pdata_size = (uint32_t)(count * RUNTIME_FUNCTION_SIZE);
    return 0;
}

/*
 * Rewrite the image's privileged instructions and KUSER_SHARED_DATA
 * addresses (sim/nt/cpu): the code of every executable section, that is its
 * .pdata functions and the leaf functions between them.
 */
static int prepare_code(const struct pe_image *pe, struct nt_image *image, uint64_t kuser_page,
                        char *error, size_t error_size)
{
    size_t max = 2 * image->function_count + 1, used = 0;
    struct nt_code_range *code = calloc(max * pe->section_count, sizeof(*code));
    int rc = 0;

    if (code == NULL)
        return -ENOMEM;
    for (unsigned int i = 0; i < pe->section_count && rc >= 0; i++) {
        struct pe_section sec;
        struct nt_code_range range;

        pe_section(pe, i, &sec);
        if (!(sec.characteristics & PE_SCN_MEM_EXECUTE))
            continue;
        range = (struct nt_code_range){sec.virtual_address, sec.virtual_address + sec.virtual_size};
        rc = nt_cpu_section_code(range, image->functions, image->function_count, code + used, max);
        if (rc >= 0)
            used += (size_t)rc;
    }
    if (rc >= 0)
        rc = nt_cpu_prepare_image(image->base, image->size, code, used, kuser_page);
    free(code);
    if (rc < 0)
        return reason(error, error_size, rc, "%s: its code could not be prepared (%s)", image->name,
                      strerror(-rc));
    image->rewritten = rc;
    return 0;
}

/* Each section as its characteristics ask; the headers read-only. */
static int protect_sections(const struct pe_image *pe, struct nt_image *image)
{
    if (mprotect(image->base, OS_PAGE_SIZE, PROT_READ) != 0)
        return -errno;
    for (unsigned int i = 0; i < pe->section_count; i++) {
        struct pe_section sec;
        size_t start, length;
        int prot = 0;

        pe_section(pe, i, &sec);
        start = sec.virtual_address & ~(size_t)(OS_PAGE_SIZE - 1);
        length = (sec.virtual_address + (size_t)sec.virtual_size - start + OS_PAGE_SIZE - 1) &
                 ~(size_t)(OS_PAGE_SIZE - 1);
        if (sec.characteristics & PE_SCN_MEM_READ)
            prot |= PROT_READ;
        if (sec.characteristics & PE_SCN_MEM_WRITE)
            prot |= PROT_WRITE;
        if (sec.characteristics & PE_SCN_MEM_EXECUTE)
            prot |= PROT_EXEC;
        if (length && mprotect(image->base + start, length, prot) != 0)
            return -errno;
    }
    return 0;
}

static void register_image(struct nt_image *image)
{
    pthread_mutex_lock(&images_lock);
    for (size_t i = 0; i < MAX_IMAGES; i++) {
        if (images[i] == NULL) {
            images[i] = image;
            break;
        }
    }
    pthread_mutex_unlock(&images_lock);
}

bool nt_image_of(const void *address)
{
    return nt_image_find((uint64_t)(uintptr_t)address) != NULL;
}

const struct nt_image *nt_image_find(uint64_t address)
{
    const struct nt_image *found = NULL;

    pthread_mutex_lock(&images_lock);
    for (size_t i = 0; i < MAX_IMAGES && !found; i++) {
        const struct nt_image *image = images[i];

        if (image && address >= (uint64_t)(uintptr_t)image->base &&
            address < (uint64_t)(uintptr_t)image->base + image->size)
            found = image;
    }
    pthread_mutex_unlock(&images_lock);
    return found;
}

static int map_image(const struct pe_image *pe, struct nt_image *image,
                     const struct nt_image_binder *binder, char *error, size_t error_size)
{
    struct failure why = {{0}};
    size_t pages = (pe->size_of_image + OS_PAGE_SIZE - 1) / OS_PAGE_SIZE;
    uint64_t *gfns = calloc(pages ? pages : 1, sizeof(*gfns));
    struct relocation_walk relocs;
    char missing[2048] = "";
    struct import_walk imports;

    if (gfns == NULL)
        return -ENOMEM;
    image->base = os_pages_alloc(pages, gfns);
    free(gfns);
    if (image->base == NULL)
        return reason(error, error_size, -ENOMEM, "%s: no guest memory for %zu pages", image->name,
                      pages);
    image->size = pages * OS_PAGE_SIZE;
    copy_sections(pe, image->base);

    relocs = (struct relocation_walk){image->base, image->size,
                                      (uint64_t)(uintptr_t)image->base - pe->image_base};
    if (!pe_for_each_relocation(pe, relocate_one, &relocs, &why))
        return reason(error, error_size, -ENOEXEC, "%s: %s", image->name, why.text);

    image->thunks = mmap(NULL, NT_IMAGE_THUNKS * THUNK_SIZE, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (image->thunks == MAP_FAILED) {
        image->thunks = NULL;
        return -ENOMEM;
    }
    imports = (struct import_walk){.base = image->base,
                                   .size = image->size,
                                   .thunks = image->thunks,
                                   .thunk_capacity = NT_IMAGE_THUNKS,
                                   .binder = binder,
                                   .missing = missing,
                                   .missing_size = sizeof(missing)};
    if (!pe_for_each_import_function(pe, bind_one, &imports, &why))
        return reason(error, error_size, -ENOEXEC, "%s: %s", image->name, why.text);
    if (mprotect(image->thunks, NT_IMAGE_THUNKS * THUNK_SIZE, PROT_READ | PROT_EXEC) != 0)
        return -errno;
    if (imports.missing_count)
        return reason(error, error_size, -ENOENT,
                      "%s imports %u function%s the simulated kernel does not implement: %s",
                      image->name, imports.missing_count, imports.missing_count == 1 ? "" : "s",
                      missing);
    return 0;
}

int nt_image_load(const char *path, uint64_t kuser_page, struct nt_image *image, char *error,
                  size_t error_size)
{
    return nt_image_load_bound(path, NULL, kuser_page, NULL, image, error, error_size);
}

int nt_image_load_bound(const char *path, const char *name, uint64_t kuser_page,
                        const struct nt_image_binder *binder, struct nt_image *image, char *error,
                        size_t error_size)
{
    struct file_contents file;
    struct failure why = {{0}};
    struct pe_image pe;
    struct pe_codeview cv;
    const char *slash = strrchr(path, '/');
    int err;

    memset(image, 0, sizeof(*image));
    snprintf(image->path, sizeof(image->path), "%s", path);
    snprintf(image->name, sizeof(image->name), "%s", name ? name : slash ? slash + 1 : path);
    if (!file_read(path, &file, &why))
        return reason(error, error_size, -ENOENT, "%s", why.text);
    if (!pe_parse(&pe, file.data, file.size, &why)) {
        err = reason(error, error_size, -ENOEXEC, "%s: %s", path, why.text);
        goto out;
    }
    if (pe.machine != PE_MACHINE_AMD64 || pe.subsystem != PE_SUBSYSTEM_NATIVE ||
        pe.entry_point == 0 || pe.entry_point >= pe.size_of_image) {
        err = reason(error, error_size, -ENOEXEC,
                     "%s is no x64 kernel driver (machine 0x%x, subsystem %u, entry 0x%x)", path,
                     pe.machine, pe.subsystem, pe.entry_point);
        goto out;
    }
    image->entry_rva = pe.entry_point;
    image->timestamp = pe.timestamp;
    if (pe_find_codeview(&pe, &cv, &why)) {
        memcpy(image->pdb_guid, cv.guid, sizeof(cv.guid));
        image->pdb_age = cv.age;
        snprintf(image->pdb_name, sizeof(image->pdb_name), "%s", cv.pdb_name);
    }

    err = map_image(&pe, image, binder, error, error_size);
    if (err == 0)
        err = read_functions(&pe, image, error, error_size);
    if (err == 0)
        err = prepare_code(&pe, image, kuser_page, error, error_size);
    if (err == 0)
        err = protect_sections(&pe, image);
    if (err == 0)
        register_image(image);
    else
        nt_image_unload(image);
out:
    file_release(&file);
    return err;
}

void nt_image_unload(struct nt_image *image)
{
    pthread_mutex_lock(&images_lock);
    for (size_t i = 0; i < MAX_IMAGES; i++) {
        if (images[i] == image)
            images[i] = NULL;
    }
    pthread_mutex_unlock(&images_lock);
    if (image->base) {
        nt_cpu_forget_image(image->base, image->size);
        mprotect(image->base, image->size, PROT_READ | PROT_WRITE);
        os_pages_free(image->base, image->size / OS_PAGE_SIZE);
    }
    if (image->thunks)
        munmap(image->thunks, NT_IMAGE_THUNKS * THUNK_SIZE);
    free(image->functions);
    image->base = NULL;
    image->functions = NULL;
    image->thunks = NULL;
}
