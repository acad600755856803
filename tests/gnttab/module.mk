# The grant table engine (core/gnttab).
#
#   gnttab_sim   in a guest of winpv-simd; dom0 backends map its grants
#                through libxengnttab (sim/lib's, found by the run path as
#                tests/sim/lib's are); save and restore for resume

HOST_TESTS += gnttab_sim
gnttab_sim_SRCS = tests/gnttab/gnttab_sim_test.c $(GRANT_BACKEND_SRCS) $(SIM_FIXTURE_SRCS)
gnttab_sim_LDLIBS = $(SIMLIB_TEST_LDLIBS) $(SIM_TOOLSTACK_LDLIBS) $(GRANT_BACKEND_LDLIBS)
$(BUILD)/host/bin/gnttab_sim: $(SIMLIB_FILES) | $(BUILD)/host/bin/winpv-simd

# On plain pages (tests/gnttab/memory_frames.c), where every entry can be looked at.
HOST_TESTS += gnttab_memory
gnttab_memory_SRCS := tests/gnttab/gnttab_memory_test.c tests/gnttab/memory_frames.c

# Workers and a backend thread on one table: under ASan+UBSan, and TSan.
HOST_TESTS += gnttab_threads
gnttab_threads_SRCS := tests/gnttab/gnttab_threads_test.c tests/gnttab/memory_frames.c

TSAN_TESTS += gnttab_threads_tsan
gnttab_threads_tsan_SRCS := $(gnttab_threads_SRCS)
