# winpv-blkback (sim/blkback) serving the test blkfront (tests/blkfront)
# through winpv-simd, with Debian's C xenstored.
BLKBACK_TEST_SRCS := tests/blkback/blkback_fixture.c tests/blkfront/blkfront.c \
                     tests/blkfront/blkio.c tests/blkfront/guest_grants.c \
                     tests/blkfront/guest_store.c tests/sim/sim_fixture.c \
                     tests/sim/xs_ring_client.c sim/toolstack/blkback.c \
                     $(SIM_GUEST_SRCS) $(SIM_TOOLSTACK_SRCS)

HOST_TESTS += sim_blkback
sim_blkback_SRCS := tests/blkback/sim_blkback_test.c $(BLKBACK_TEST_SRCS)
sim_blkback_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_blkback: | $(BUILD)/host/bin/winpv-simd $(BUILD)/host/bin/winpv-blkback \
                                 $(SIMLIB_FILES)

HOST_TESTS += sim_blkback_features
sim_blkback_features_SRCS := tests/blkback/sim_blkback_features_test.c $(BLKBACK_TEST_SRCS)
sim_blkback_features_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_blkback_features: | $(BUILD)/host/bin/winpv-simd \
                                          $(BUILD)/host/bin/winpv-blkback $(SIMLIB_FILES)

# The request checks alone (sim/blkback/request.c): every field a frontend controls.
HOST_TESTS += blkback_request
blkback_request_SRCS := tests/blkback/blkback_request_test.c sim/blkback/request.c
