# Debian's Xen QEMU on winpv-simd: its xen-disk serving a test guest's blkif ring.
HOST_TESTS += sim_qemu_disk
sim_qemu_disk_SRCS := tests/qemu/sim_qemu_disk_test.c tests/blkfront/blkfront.c \
                      tests/blkfront/blkio.c tests/blkfront/guest_grants.c tests/blkfront/guest_store.c \
                      tests/sim/sim_fixture.c tests/sim/xs_ring_client.c \
                      $(SIM_GUEST_SRCS) $(SIM_TOOLSTACK_SRCS)
sim_qemu_disk_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_qemu_disk: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)
