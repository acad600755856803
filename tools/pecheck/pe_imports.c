/* The import directory: one descriptor per DLL, ended by a zeroed one. */
#include "pe.h"
#include "bytes.h"

#define IMPORT_DESCRIPTOR_SIZE 20
#define IMPORT_NAME_RVA_OFFSET 12
#define IMPORT_NAME_MAX        256
/* Far beyond any real image; bounds the walk of a directory that lacks
 * its terminating descriptor. */
#define IMPORT_DESCRIPTORS_MAX 65536

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0)
            return false;
    }
    return true;
}

bool pe_for_each_import(const struct pe_image *img, pe_import_fn fn, void *ctx, struct failure *why)
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
        if (!fn(ctx, name))
            return true;
    }
    return fail(why, "import directory has no terminating descriptor within %u entries",
                IMPORT_DESCRIPTORS_MAX);
}
