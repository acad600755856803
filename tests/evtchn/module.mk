# The event-channel engine as a guest of winpv-simd, each group under 2-level and FIFO.
EVTCHN_TEST_SRCS = tests/evtchn/evtchn_fixture.c $(GUEST_EVENTS_SRCS) $(SIM_FIXTURE_SRCS)

HOST_TESTS += evtchn_bind
evtchn_bind_SRCS = tests/evtchn/evtchn_bind_test.c $(EVTCHN_TEST_SRCS)
evtchn_bind_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/evtchn_bind: | $(BUILD)/host/bin/winpv-simd

HOST_TESTS += evtchn_delivery
evtchn_delivery_SRCS = tests/evtchn/evtchn_delivery_test.c $(EVTCHN_TEST_SRCS)
evtchn_delivery_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/evtchn_delivery: | $(BUILD)/host/bin/winpv-simd

HOST_TESTS += evtchn_resume
evtchn_resume_SRCS = tests/evtchn/evtchn_resume_test.c $(EVTCHN_TEST_SRCS)
evtchn_resume_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/evtchn_resume: | $(BUILD)/host/bin/winpv-simd
