/*
 * sim/nt/mm.h - what the memory manager's files (mm_*.c) share: MDL
 * layout, and what one file asks of another about an MDL.
 */
#ifndef WINPV_SIM_NT_MM_H
#define WINPV_SIM_NT_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntabi.h"

#define NT_MM_FILL    0xa5 /* memory Windows does not zero, filled so reliance on zeros shows */
#define NT_MDL_NO_PFN 0x5a5a5a5a5a5aull /* a PFN entry not filled, or freed: no frame has it */

/* The frame numbers that follow an MDL's header. */
static inline PFN_NUMBER *nt_mdl_pfns(MDL *mdl)
{
    return (PFN_NUMBER *)(mdl + 1);
}

/* The address of @mdl's buffer (StartVa + ByteOffset; StartVa may be NULL). */
static inline uint8_t *nt_mdl_va(const MDL *mdl)
{
    return (uint8_t *)((uintptr_t)mdl->StartVa + mdl->ByteOffset);
}

/* Pages that @length bytes from @address touch. */
size_t nt_mdl_pages_spanned(uint64_t address, uint64_t length);
/* Pages @mdl's buffer touches: the entries of its PFN array. */
size_t nt_mdl_pages(const MDL *mdl);
/* An MDL header for @length bytes at @va, as MmInitializeMdl makes one (no flags). */
void nt_mdl_init(MDL *mdl, void *va, uint64_t length);

/*
 * Frames whose whole page lies in [@low, @high] (guest-physical
 * addresses): @first..@last; false when no page does.
 */
bool nt_frame_range(uint64_t low, uint64_t high, uint64_t *first, uint64_t *last);

/*
 * Pages @mdl's buffer touches, checked against the PFN entries the MDL has
 * room for (mm_mdl.c): as IoAllocateMdl allocated it, else as its Size
 * says. A verifier stop naming @function when the buffer needs more (an
 * MDL reinitialized for a larger buffer than it was made for).
 */
size_t nt_mdl_pages_checked(const MDL *mdl, uint64_t caller, const char *function);

/*
 * Whether @length bytes at @va lie within one live allocation of a kind:
 * contiguous memory as asked (mm_contiguous.c), the bytes an MDL mapping
 * shows (mm_map.c), an I/O space mapping (mm_iospace.c).
 */
bool nt_contiguous_holds(const void *va, uint64_t length);
bool nt_mdl_mapping_holds(const void *va, uint64_t length);
bool nt_iospace_holds(const void *va, uint64_t length);

/* Whether @mdl has pages from MmAllocatePagesForMdlEx still allocated (mm_pages.c). */
bool nt_mdl_allocated_pages(const MDL *mdl);
/*
 * End @mdl's system mapping at @va (mm_map.c); a verifier stop naming
 * @function when @va is no mapping of @mdl.
 */
void nt_mdl_unmap(void *va, MDL *mdl, uint64_t caller, const char *function);

#endif /* WINPV_SIM_NT_MM_H */
