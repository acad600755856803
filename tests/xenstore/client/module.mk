# The xenstore client (core/xenstore/client.h).
#
#   xsclient_ops, _tx, _watch, _load, _fault
#       against Debian's real C xenstored and oxenstored on winpv-simd, this
#       process their guest (tests/support/xenstore: store_glue.c delivers
#       its events), checked through dom0's real libxenstore (dom0.c)
#   xsclient_hostile
#       against a daemon the test plays (fake_store.c), which breaks every
#       rule; under ASan+UBSan and TSan
#   xsclient_suspend
#       around a suspend of the domain, against fake_store
#   xsclient_load_tsan
#       the load test under TSan: threads, the event path and a real daemon
XSCLIENT_SIM_TESTS := xsclient_ops xsclient_tx xsclient_watch xsclient_load xsclient_fault

define xsclient_sim_test
HOST_TESTS += $(1)
$(1)_SRCS := tests/xenstore/client/$(patsubst xsclient_%,%,$(1))_test.c $(XENSTORE_FIXTURE_SRCS)
$(1)_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/$(1): | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)
endef
$(foreach t,$(XSCLIENT_SIM_TESTS),$(eval $(call xsclient_sim_test,$(t))))

HOST_TESTS += xsclient_hostile
xsclient_hostile_SRCS := tests/xenstore/client/hostile_test.c tests/xenstore/client/fake_store.c
# Its daemon may write the moment the client reads: the test wraps the ring read.
xsclient_hostile_LDLIBS := -Wl,--wrap=xs_ring_get
TSAN_TESTS += xsclient_hostile_tsan
xsclient_hostile_tsan_SRCS := $(xsclient_hostile_SRCS)
xsclient_hostile_tsan_LDLIBS := $(xsclient_hostile_LDLIBS)

# Suspend and resume against the daemon the test plays.
HOST_TESTS += xsclient_suspend
xsclient_suspend_SRCS := tests/xenstore/client/suspend_test.c tests/xenstore/client/fake_store.c

# It starts the winpv-simd found beside it: the ASan one, linked there.
TSAN_TESTS += xsclient_load_tsan
xsclient_load_tsan_SRCS := $(xsclient_load_SRCS)
xsclient_load_tsan_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/tsan/bin/xsclient_load_tsan: | $(BUILD)/tsan/bin/winpv-simd $(SIMLIB_FILES)
$(BUILD)/tsan/bin/winpv-simd: $(BUILD)/host/bin/winpv-simd
	@mkdir -p $(@D)
	$(Q)ln -sf ../../host/bin/winpv-simd $@

# Any answer to any request: the client (and all it runs on) under libFuzzer.
FUZZERS += xsclient-fuzz
xsclient-fuzz_SRCS = tests/xenstore/client/fuzz_client.c tests/xenstore/client/fake_store.c \
                     $(filter core/xenstore/% core/log/%,$(CORE_SRCS)) $(POSIX_SRCS)
xsclient-fuzz_LDLIBS := -lpthread
