/* sim/blkback/misbehave.c - see misbehave.h. */
#include <string.h>

#include "misbehave.h"

static const char *const names[] = {
    [MISBEHAVE_UNKNOWN_ID] = "unknown-id", [MISBEHAVE_DUPLICATE] = "duplicate",
    [MISBEHAVE_STATUS] = "status",         [MISBEHAVE_OPERATION] = "operation",
    [MISBEHAVE_OVERRUN_INDEX] = "overrun",
};

bool misbehave_parse(const char *name, enum misbehaviour *kind)
{
    for (unsigned int k = MISBEHAVE_UNKNOWN_ID; k < sizeof(names) / sizeof(names[0]); k++) {
        if (strcmp(name, names[k]) == 0) {
            *kind = (enum misbehaviour)k;
            return true;
        }
    }
    return false;
}

enum misbehaviour misbehave_answer(struct misbehave *m, struct blkif_response *rsp)
{
    if (m->kind == MISBEHAVE_NONE || m->answered++ != m->after)
        return MISBEHAVE_NONE;
    switch (m->kind) {
    case MISBEHAVE_UNKNOWN_ID:
        rsp->id = ~rsp->id;
        break;
    case MISBEHAVE_STATUS:
        rsp->status = MISBEHAVE_BAD_STATUS;
        break;
    case MISBEHAVE_OPERATION:
        rsp->operation = rsp->operation == BLKIF_OP_READ ? BLKIF_OP_WRITE : BLKIF_OP_READ;
        break;
    default:
        break;
    }
    return m->kind;
}
