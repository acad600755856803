/* core/vbd/front_sg.c - a request's buffer as ring segments; see front_internal.h. */
#include "vbd/front_internal.h"

int front_sg_locate(const struct vbd_front_sg *sg, uint32_t nr, uint32_t offset, uint32_t length,
                    struct front_sg_cursor *cursor)
{
    uint64_t end = (uint64_t)offset + length, at = 0;
    bool found = false;

    for (uint32_t i = 0; i < nr; i++) {
        if (sg[i].length == 0 || sg[i].offset >= OS_PAGE_SIZE ||
            sg[i].length > OS_PAGE_SIZE - sg[i].offset)
            return -XEN_EINVAL;
        if (!found && offset < at + sg[i].length) {
            cursor->index = i;
            cursor->skip = (uint32_t)(offset - at);
            found = true;
        }
        at += sg[i].length;
    }
    return found && at >= end ? 0 : -XEN_EINVAL;
}

bool front_sg_aligned(const struct vbd_front_sg *sg, uint32_t nr, struct front_sg_cursor cursor,
                      uint32_t length, uint32_t unit)
{
    uint32_t left = length;

    for (uint32_t i = cursor.index, skip = cursor.skip; left > 0 && i < nr; i++, skip = 0) {
        uint32_t take = sg[i].length - skip;

        if (take > left)
            take = left;
        if ((sg[i].offset + skip) % unit || take % unit)
            return false;
        left -= take;
    }
    return left == 0;
}

uint32_t front_sg_next(const struct vbd_front_sg *sg, uint32_t nr, struct front_sg_cursor *cursor,
                       uint32_t max_bytes, struct front_seg *seg)
{
    const struct vbd_front_sg *e;
    uint32_t take;

    if (max_bytes == 0 || cursor->index >= nr)
        return 0;
    e = &sg[cursor->index];
    take = e->length - cursor->skip;
    if (take > max_bytes)
        take = max_bytes;
    *seg = (struct front_seg){.gfn = e->gfn, .offset = e->offset + cursor->skip, .length = take};
    cursor->skip += take;
    if (cursor->skip == e->length) {
        cursor->index++;
        cursor->skip = 0;
    }
    return take;
}

uint32_t front_sg_count(const struct vbd_front_sg *sg, uint32_t nr, struct front_sg_cursor cursor,
                        uint32_t max_bytes, uint32_t max_segs)
{
    struct front_seg seg;
    uint32_t n = 0, got;

    while (n < max_segs && (got = front_sg_next(sg, nr, &cursor, max_bytes, &seg)) > 0) {
        max_bytes -= got;
        n++;
    }
    return n;
}
