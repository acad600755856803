# xenbus: values and names checked before use (no daemon needed).
HOST_TESTS += xenbus_node
xenbus_node_SRCS := tests/xenbus/node_test.c

# xenbus as frontends use it, against both real xenstoreds (tests/support/xenstore).
HOST_TESTS += xenbus_device
xenbus_device_SRCS = tests/xenbus/device_test.c $(XENSTORE_FIXTURE_SRCS)
xenbus_device_LDLIBS = $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/xenbus_device: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)

# The services XENBUS starts, used through their tables against real peers
# (tests/support/sim/services_fixture: the guest running them on winpv-simd
# and xenstored).
HOST_TESTS += xenbus_services
xenbus_services_SRCS = tests/xenbus/services_test.c $(SERVICES_FIXTURE_SRCS) $(GRANT_BACKEND_SRCS)
xenbus_services_LDLIBS = $(SIMLIB_TEST_LDLIBS) $(SIM_TOOLSTACK_LDLIBS) $(GRANT_BACKEND_LDLIBS)
$(BUILD)/host/bin/xenbus_services: $(SIMLIB_FILES) | $(BUILD)/host/bin/winpv-simd

# The services suspended and resumed as a whole: saved and restored as a
# new domain, or the suspend cancelled, on both real xenstoreds.
HOST_TESTS += xenbus_services_suspend
xenbus_services_suspend_SRCS = tests/xenbus/services_suspend_test.c $(SERVICES_FIXTURE_SRCS) \
                               $(GRANT_BACKEND_SRCS)
xenbus_services_suspend_LDLIBS = $(SIMLIB_TEST_LDLIBS) $(SIM_TOOLSTACK_LDLIBS) \
                                 $(GRANT_BACKEND_LDLIBS)
$(BUILD)/host/bin/xenbus_services_suspend: $(SIMLIB_FILES) | $(BUILD)/host/bin/winpv-simd

# control/shutdown as xl and XAPI write it, against both real xenstoreds.
HOST_TESTS += xenbus_shutdown
xenbus_shutdown_SRCS = tests/xenbus/shutdown_test.c $(XENSTORE_FIXTURE_SRCS)
xenbus_shutdown_LDLIBS = $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/xenbus_shutdown: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)

# The emulated-device unplug protocol on winpv-simd's platform device, and on a scripted one.
HOST_TESTS += xenbus_unplug
xenbus_unplug_SRCS = tests/xenbus/unplug_test.c $(SIM_FIXTURE_SRCS)
xenbus_unplug_LDLIBS = $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/xenbus_unplug: | $(BUILD)/host/bin/winpv-simd
