# winpv-blkback (sim/blkback) serving the test blkfront (tests/support/blkfront)
# through winpv-simd, with Debian's C xenstored. (= : the fixtures are listed
# by tests/support, read after this module.)
BLKBACK_TEST_SRCS = tests/sim/blkback/blkback_fixture.c sim/toolstack/blkback.c \
                    $(TEST_BLKFRONT_SRCS) $(SIM_FIXTURE_SRCS)

HOST_TESTS += sim_blkback
sim_blkback_SRCS = tests/sim/blkback/sim_blkback_test.c $(BLKBACK_TEST_SRCS)
sim_blkback_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_blkback: | $(BUILD)/host/bin/winpv-simd $(BUILD)/host/bin/winpv-blkback \
                                 $(SIMLIB_FILES)

HOST_TESTS += sim_blkback_features
sim_blkback_features_SRCS = tests/sim/blkback/sim_blkback_features_test.c $(BLKBACK_TEST_SRCS)
sim_blkback_features_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_blkback_features: | $(BUILD)/host/bin/winpv-simd \
                                          $(BUILD)/host/bin/winpv-blkback $(SIMLIB_FILES)

# winpv-blkback breaking the rules on purpose (--misbehave, --node), seen from the ring.
HOST_TESTS += sim_blkback_misbehave
sim_blkback_misbehave_SRCS = tests/sim/blkback/sim_blkback_misbehave_test.c $(BLKBACK_TEST_SRCS)
sim_blkback_misbehave_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_blkback_misbehave: | $(BUILD)/host/bin/winpv-simd \
                                           $(BUILD)/host/bin/winpv-blkback $(SIMLIB_FILES)

# The request checks alone (sim/blkback/request.c): every field a frontend controls.
HOST_TESTS += blkback_request
blkback_request_SRCS := tests/sim/blkback/blkback_request_test.c sim/blkback/request.c
