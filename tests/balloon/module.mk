# balloon: core/balloon in a guest of winpv-simd running XENBUS's services, Debian's C xenstored
# as the toolstack's store.
HOST_TESTS += balloon
balloon_SRCS = tests/balloon/balloon_test.c $(SERVICES_FIXTURE_SRCS)
balloon_LDLIBS = $(SIMLIB_TEST_LDLIBS) $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/balloon: $(SIMLIB_FILES) | $(BUILD)/host/bin/winpv-simd
