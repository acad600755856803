/* The base relocation directory: blocks of 16-bit entries, one block per
 * 4 KiB page. */
#include "pe.h"
#include "bytes.h"

#define RELOC_BLOCK_HEADER_SIZE 8
#define RELOC_TYPE_ABSOLUTE     0 /* padding that keeps blocks 32-bit aligned */

bool pe_for_each_relocation(const struct pe_image *img, pe_relocation_fn fn, void *ctx,
                            struct failure *why)
{
    struct pe_data_directory dir = pe_directory(img, PE_DIRECTORY_BASERELOC);
    const uint8_t *p;
    size_t offset, pos = 0;

    if (dir.size == 0)
        return fail(why, "base relocation directory is empty");
    if (!pe_rva_to_offset(img, dir.rva, dir.size, &offset))
        return fail(why, "base relocation directory (RVA 0x%x, 0x%x bytes) is not inside a section",
                    dir.rva, dir.size);
    p = img->data + offset;

    while (pos < dir.size) {
        uint32_t page, block_size;

        if (dir.size - pos < RELOC_BLOCK_HEADER_SIZE)
            return fail(why, "base relocation block at +0x%zx is cut short", pos);
        page = le32(p + pos);
        block_size = le32(p + pos + 4);
        if (block_size < RELOC_BLOCK_HEADER_SIZE || block_size % 2 != 0 ||
            block_size > dir.size - pos)
            return fail(why, "base relocation block for page 0x%x at +0x%zx has size 0x%x", page,
                        pos, block_size);
        for (uint32_t e = RELOC_BLOCK_HEADER_SIZE; e < block_size; e += 2) {
            uint16_t entry = le16(p + pos + e);

            if (entry >> 12 != RELOC_TYPE_ABSOLUTE &&
                !fn(ctx, entry >> 12, (uint64_t)page + (entry & 0xfff), why))
                return false;
        }
        pos += block_size;
    }
    return true;
}

static bool count_one(void *ctx, unsigned int type, uint64_t rva, struct failure *why)
{
    (*(size_t *)ctx)++;
    return true;
}

bool pe_count_relocations(const struct pe_image *img, size_t *count, struct failure *why)
{
    *count = 0;
    return pe_for_each_relocation(img, count_one, count, why);
}
