# xenbus: values and names checked before use (no daemon needed).
HOST_TESTS += xenbus_node
xenbus_node_SRCS := tests/xenbus/node_test.c

# xenbus as frontends use it, against both real xenstoreds (the xsclient world).
HOST_TESTS += xenbus_device
xenbus_device_SRCS = tests/xenbus/device_test.c $(XSCLIENT_SIM_SRCS)
xenbus_device_LDLIBS = $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/xenbus_device: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)

# The services XENBUS starts, used through their tables against real peers.
HOST_TESTS += xenbus_services
xenbus_services_SRCS = tests/xenbus/services_test.c tests/gnttab/backend.c tests/sim/sim_fixture.c \
                       $(SIM_GUEST_SRCS) $(SIM_TOOLSTACK_SRCS)
xenbus_services_LDLIBS = $(SIMLIB_TEST_LDLIBS) $(SIM_TOOLSTACK_LDLIBS) -l:libxengnttab.so.1
$(BUILD)/host/bin/xenbus_services: $(SIMLIB_FILES) | $(BUILD)/host/bin/winpv-simd
