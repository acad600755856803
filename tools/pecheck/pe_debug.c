/* The debug directory and its CodeView entry: an RSDS record naming the PDB
 * by GUID, age and path. */
#include "pe.h"
#include "bytes.h"

#include <string.h>

#define DEBUG_ENTRY_SIZE       28
#define DEBUG_TYPE_OFFSET      12
#define DEBUG_DATA_SIZE_OFFSET 16
#define DEBUG_DATA_RVA_OFFSET  20
#define DEBUG_DATA_FILE_OFFSET 24
#define DEBUG_TYPE_CODEVIEW    2

#define RSDS_HEADER_SIZE 24 /* "RSDS", GUID, age; the path follows */

static bool parse_rsds(const uint8_t *rec, uint32_t size, struct pe_codeview *cv,
                       struct failure *why)
{
    const uint8_t *path = rec + RSDS_HEADER_SIZE;
    const uint8_t *nul;

    if (size < 4 || memcmp(rec, "RSDS", 4) != 0)
        return fail(why, "CodeView record is not an RSDS record");
    if (size < RSDS_HEADER_SIZE + 1)
        return fail(why, "RSDS record is %u bytes, too short", size);
    memcpy(cv->guid, rec + 4, sizeof(cv->guid));
    cv->age = le32(rec + 20);

    nul = memchr(path, '\0', size - RSDS_HEADER_SIZE);
    if (!nul)
        return fail(why, "RSDS record: PDB path is not terminated");
    if ((size_t)(nul - path) >= sizeof(cv->pdb_name))
        return fail(why, "RSDS record: PDB path is %zu bytes, longer than %zu",
                    (size_t)(nul - path), sizeof(cv->pdb_name) - 1);
    memcpy(cv->pdb_name, path, (size_t)(nul - path) + 1);
    return true;
}

bool pe_find_codeview(const struct pe_image *img, struct pe_codeview *cv, struct failure *why)
{
    struct pe_data_directory dir = pe_directory(img, PE_DIRECTORY_DEBUG);
    size_t offset;

    if (dir.size == 0)
        return fail(why, "no debug directory");
    if (dir.size % DEBUG_ENTRY_SIZE != 0)
        return fail(why, "debug directory size 0x%x is not a multiple of %u", dir.size,
                    DEBUG_ENTRY_SIZE);
    if (!pe_rva_to_offset(img, dir.rva, dir.size, &offset))
        return fail(why, "debug directory (RVA 0x%x, 0x%x bytes) is not inside a section", dir.rva,
                    dir.size);

    for (uint32_t i = 0; i < dir.size / DEBUG_ENTRY_SIZE; i++) {
        const uint8_t *entry = img->data + offset + (size_t)i * DEBUG_ENTRY_SIZE;
        uint32_t data_size = le32(entry + DEBUG_DATA_SIZE_OFFSET);
        uint32_t data_rva = le32(entry + DEBUG_DATA_RVA_OFFSET);
        uint32_t data_offset = le32(entry + DEBUG_DATA_FILE_OFFSET);
        size_t mapped;

        if (le32(entry + DEBUG_TYPE_OFFSET) != DEBUG_TYPE_CODEVIEW)
            continue;
        if (!span_within(img->size, data_offset, data_size))
            return fail(why, "CodeView record (0x%x + 0x%x) extends beyond the end of the file",
                        data_offset, data_size);
        /* The loader and the debugger find the record by RVA, tools by file
         * offset: both must lead to the same bytes. */
        if (data_rva != 0 &&
            (!pe_rva_to_offset(img, data_rva, data_size, &mapped) || mapped != data_offset))
            return fail(why, "CodeView record: RVA 0x%x does not map to file offset 0x%x", data_rva,
                        data_offset);
        return parse_rsds(img->data + data_offset, data_size, cv, why);
    }
    return fail(why, "no CodeView entry in the debug directory");
}
