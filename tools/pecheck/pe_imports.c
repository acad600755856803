/* The import directory: one descriptor per DLL, ended by a zeroed one; each
 * names its functions in a lookup table of 8-byte entries, ended by zero. */
#include "pe.h"
#include "bytes.h"

#define IMPORT_DESCRIPTOR_SIZE   20
#define IMPORT_LOOKUP_RVA_OFFSET 0 /* OriginalFirstThunk */
#define IMPORT_NAME_RVA_OFFSET   12
#define IMPORT_SLOTS_RVA_OFFSET  16 /* FirstThunk: the import address table */
#define IMPORT_NAME_MAX          256
#define IMPORT_BY_ORDINAL        (1ull << 63)
#define IMPORT_HINT_SIZE         2
/* Far beyond any real image; bound the walk of a table that lacks its end. */
#define IMPORT_DESCRIPTORS_MAX   65536
#define IMPORT_FUNCTIONS_MAX     65536

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0)
            return false;
    }
    return true;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

typedef bool (*descriptor_fn)(void *ctx, const char *dll_name, const uint8_t *desc, bool *stop,
                              struct failure *why);

/* Calls fn for each descriptor with its DLL's name until fn sets *stop. */
static bool for_each_descriptor(const struct pe_image *img, descriptor_fn fn, void *ctx,
                                struct failure *why)
{
    struct pe_data_directory dir = pe_directory(img, PE_DIRECTORY_IMPORT);

    if (dir.rva == 0)
        return true;

    for (uint32_t i = 0; i < IMPORT_DESCRIPTORS_MAX; i++) {
        uint64_t rva = (uint64_t)dir.rva + (uint64_t)i * IMPORT_DESCRIPTOR_SIZE;
        const uint8_t *desc;
        uint32_t name_rva;
        const char *name;
        size_t offset;
        bool stop = false;

        if (rva > UINT32_MAX ||
            !pe_rva_to_offset(img, (uint32_t)rva, IMPORT_DESCRIPTOR_SIZE, &offset))
            return fail(why, "import descriptor %u (RVA 0x%llx) lies outside the sections", i,
                        (unsigned long long)rva);
        desc = img->data + offset;
        if (all_zero(desc, IMPORT_DESCRIPTOR_SIZE))
            return true;

        name_rva = le32(desc + IMPORT_NAME_RVA_OFFSET);
        name = pe_string_at(img, name_rva, IMPORT_NAME_MAX);
        if (!name)
            return fail(why, "import descriptor %u: no terminated DLL name at RVA 0x%x", i,
                        name_rva);
        if (!fn(ctx, name, desc, &stop, why))
            return false;
        if (stop)
            return true;
    }
    return fail(why, "import directory has no terminating descriptor within %u entries",
                IMPORT_DESCRIPTORS_MAX);
}

struct dll_walk {
    pe_import_fn fn;
    void *ctx;
};

static bool give_dll(void *ctx, const char *dll_name, const uint8_t *desc, bool *stop,
                     struct failure *why)
{
    struct dll_walk *walk = ctx;

    *stop = !walk->fn(walk->ctx, dll_name);
    return true;
}

bool pe_for_each_import(const struct pe_image *img, pe_import_fn fn, void *ctx, struct failure *why)
{
    struct dll_walk walk = {fn, ctx};

    return for_each_descriptor(img, give_dll, &walk, why);
}

struct function_walk {
    const struct pe_image *img;
    pe_import_function_fn fn;
    void *ctx;
};

static bool give_functions(void *ctx, const char *dll_name, const uint8_t *desc, bool *stop,
                           struct failure *why)
{
    struct function_walk *walk = ctx;
    uint32_t lookup = le32(desc + IMPORT_LOOKUP_RVA_OFFSET);
    uint32_t slots = le32(desc + IMPORT_SLOTS_RVA_OFFSET);

    if (lookup == 0)
        lookup = slots; /* no separate lookup table: the slots name the functions */
    for (uint32_t j = 0; j < IMPORT_FUNCTIONS_MAX; j++) {
        struct pe_import_function function = {.dll_name = dll_name};
        uint64_t entry_rva = (uint64_t)lookup + 8ull * j;
        uint64_t slot_rva = (uint64_t)slots + 8ull * j;
        size_t offset, slot_offset;
        uint64_t entry;

        if (entry_rva > UINT32_MAX || slot_rva > UINT32_MAX ||
            !pe_rva_to_offset(walk->img, (uint32_t)entry_rva, 8, &offset) ||
            !pe_rva_to_offset(walk->img, (uint32_t)slot_rva, 8, &slot_offset))
            return fail(why, "%s: import entry %u lies outside the sections", dll_name, j);
        entry = le64(walk->img->data + offset);
        if (entry == 0)
            return true;
        function.slot_rva = (uint32_t)slot_rva;
        if (entry & IMPORT_BY_ORDINAL) {
            function.ordinal = (uint16_t)entry;
        } else {
            if (entry > UINT32_MAX - IMPORT_HINT_SIZE)
                return fail(why, "%s: import entry %u has RVA 0x%llx", dll_name, j,
                            (unsigned long long)entry);
            function.name =
                pe_string_at(walk->img, (uint32_t)entry + IMPORT_HINT_SIZE, IMPORT_NAME_MAX);
            if (!function.name)
                return fail(why, "%s: import entry %u has no terminated name", dll_name, j);
        }
        if (!walk->fn(walk->ctx, &function)) {
            *stop = true;
            return true;
        }
    }
    return fail(why, "%s: import lookup table has no end within %u entries", dll_name,
                IMPORT_FUNCTIONS_MAX);
}

bool pe_for_each_import_function(const struct pe_image *img, pe_import_function_fn fn, void *ctx,
                                 struct failure *why)
{
    struct function_walk walk = {img, fn, ctx};

    return for_each_descriptor(img, give_functions, &walk, why);
}
