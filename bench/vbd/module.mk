# The disk path through the blkif frontend (core/vbd/front) in a guest of
# winpv-simd, against winpv-blkback and QEMU's xen-disk, beside fio on the
# same image file (fio_baseline.c) and the copies persistent grants make
# without Xen (two_copies.c). (= : the frontend's fixture is listed by
# tests/support, read after this module.)
BENCHES += vbd-bench
vbd-bench_SRCS = bench/vbd/vbd_bench.c bench/vbd/fio_baseline.c bench/vbd/two_copies.c \
                 bench/vbd/processes.c bench/vbd/stack_side.c \
                 $(VBD_FRONT_FIXTURE_SRCS) sim/toolstack/blkback.c
# The fixture's helpers use cmocka's assertions.
vbd-bench_LDLIBS = $(VBD_FRONT_FIXTURE_LDLIBS) -lcmocka -luring
# winpv-blkback and the simulated Windows kernel without sanitizers, beside the
# bench (blkback_start and the Windows stack find them there).
BENCH_PROGRAMS += winpv-blkback winpv-ntsim
# The replacement libraries by their phony target (as every bench here):
# SIMLIB_FILES is not yet defined when bench/ is read, before sim/.
$(BUILD)/bench/bin/vbd-bench: | simlibs ntsim-disk-packages $(BUILD)/bench/bin/winpv-simd \
                              $(BUILD)/bench/bin/winpv-blkback $(BUILD)/bench/bin/winpv-ntsim
