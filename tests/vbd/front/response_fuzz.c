/*
 * tests/vbd/front/response_fuzz.c - the blkif frontend's handling of what a
 * backend answers, under libFuzzer: each input is a run of
 * response_harness.h (requests submitted, responses of any id, operation,
 * status and producer index, events, grants kept, the backend leaving and
 * coming back), which aborts on any broken rule it lists.
 */
#include <stddef.h>
#include <stdint.h>

#include "response_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rh_outcome out;

    rh_run(data, size, &out);
    return 0;
}
