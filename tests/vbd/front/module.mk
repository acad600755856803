# The blkif frontend (core/vbd/front).
#
#   vbdfront_sg        a request's buffer as ring segments (no daemon)
#   vbdfront_dump      the dump copy's polled writer on a ring of the test's
#   vbdfront_blkback   in a guest of winpv-simd running XENBUS's services,
#                      against winpv-blkback, data checked in the image
#   vbdfront_qemu      the same against Debian's QEMU xen-disk
#   vbdfront_hostile   against a backend of the test's that breaks the rules
#   vbdfront_reconnect winpv-blkback killed and restarted under a write stream
#   vbdfront_suspend   saved and restored as a new domain 100 times under I/O

HOST_TESTS += vbdfront_sg
vbdfront_sg_SRCS := tests/vbd/front/sg_test.c

HOST_TESTS += vbdfront_dump
vbdfront_dump_SRCS := tests/vbd/front/dump_test.c

HOST_TESTS += vbdfront_blkback
vbdfront_blkback_SRCS = tests/vbd/front/blkback_test.c sim/toolstack/blkback.c \
                        $(VBD_FRONT_FIXTURE_SRCS)
vbdfront_blkback_LDLIBS = $(VBD_FRONT_FIXTURE_LDLIBS)
$(BUILD)/host/bin/vbdfront_blkback: $(SIMLIB_FILES) | $(BUILD)/host/bin/winpv-simd \
                                    $(BUILD)/host/bin/winpv-blkback

HOST_TESTS += vbdfront_qemu
vbdfront_qemu_SRCS = tests/vbd/front/qemu_test.c $(VBD_FRONT_FIXTURE_SRCS)
vbdfront_qemu_LDLIBS = $(VBD_FRONT_FIXTURE_LDLIBS)
$(BUILD)/host/bin/vbdfront_qemu: $(SIMLIB_FILES) | $(BUILD)/host/bin/winpv-simd

HOST_TESTS += vbdfront_hostile
vbdfront_hostile_SRCS = tests/vbd/front/hostile_test.c tests/vbd/front/hostile_backend.c \
                        $(GRANT_BACKEND_SRCS) $(VBD_FRONT_FIXTURE_SRCS)
vbdfront_hostile_LDLIBS = $(VBD_FRONT_FIXTURE_LDLIBS) $(GRANT_BACKEND_LDLIBS)
$(BUILD)/host/bin/vbdfront_hostile: $(SIMLIB_FILES) | $(BUILD)/host/bin/winpv-simd

HOST_TESTS += vbdfront_reconnect
vbdfront_reconnect_SRCS = tests/vbd/front/reconnect_test.c sim/toolstack/blkback.c \
                          $(VBD_FRONT_FIXTURE_SRCS)
vbdfront_reconnect_LDLIBS = $(VBD_FRONT_FIXTURE_LDLIBS)
$(BUILD)/host/bin/vbdfront_reconnect: $(SIMLIB_FILES) | $(BUILD)/host/bin/winpv-simd \
                                      $(BUILD)/host/bin/winpv-blkback

# vbdfront_unplug    the disk unplugged by the toolstack (winpv-blkback, QEMU) under a write stream
HOST_TESTS += vbdfront_unplug
vbdfront_unplug_SRCS = tests/vbd/front/unplug_test.c sim/toolstack/blkback.c \
                       $(VBD_FRONT_FIXTURE_SRCS)
vbdfront_unplug_LDLIBS = $(VBD_FRONT_FIXTURE_LDLIBS)
$(BUILD)/host/bin/vbdfront_unplug: $(SIMLIB_FILES) | $(BUILD)/host/bin/winpv-simd \
                                   $(BUILD)/host/bin/winpv-blkback

# vbdfront_suspend   saved and restored as a new domain 100 times under a write stream
#                    (the disk's backend moved each time), and suspends cancelled
HOST_TESTS += vbdfront_suspend
vbdfront_suspend_SRCS = tests/vbd/front/suspend_test.c sim/toolstack/blkback.c \
                        $(VBD_FRONT_FIXTURE_SRCS)
vbdfront_suspend_LDLIBS = $(VBD_FRONT_FIXTURE_LDLIBS)
$(BUILD)/host/bin/vbdfront_suspend: $(SIMLIB_FILES) | $(BUILD)/host/bin/winpv-simd \
                                    $(BUILD)/host/bin/winpv-blkback

# The frontend's response handling against a backend played in this process
# on fake XENBUS tables (response_harness.h): vbd-response-fuzz under
# libFuzzer, and vbdfront_response replaying its seeds, each outcome checked.
VBDFRONT_RESPONSE_SRCS = tests/vbd/front/response_harness.c tests/vbd/front/response_backend.c \
                         tests/vbd/front/fake_services.c tests/vbd/front/fake_services_store.c \
                         tests/vbd/front/fake_services_xenbus.c \
                         tests/vbd/front/fake_services_gnttab.c \
                         tests/vbd/front/fake_services_evtchn.c

HOST_TESTS += vbdfront_response
vbdfront_response_SRCS = tests/vbd/front/response_test.c $(VBDFRONT_RESPONSE_SRCS)

FUZZERS += vbd-response-fuzz
vbd-response-fuzz_SRCS = tests/vbd/front/response_fuzz.c $(VBDFRONT_RESPONSE_SRCS) \
                         $(filter core/vbd/front_%,$(CORE_SRCS)) $(VBD_SCSI_CORE_SRCS) \
                         core/ring/ring.c core/xenbus/path.c core/xenstore/number.c \
                         $(LOG_SRCS) $(POSIX_SRCS)
vbd-response-fuzz_LDLIBS := -lpthread
VBD_RESPONSE_SEEDS := normal bad-id overrun duplicate held reconnect indirect-persistent
vbd-response-fuzz_SEEDS := $(VBD_RESPONSE_SEEDS:%=$(BUILD)/fuzz/vbd-response-fuzz/seeds/%)
vbd-response-fuzz_SEED_FILE := tests/vbd/front/response_seeds.txt

# vbdfront_watchdog  the watchdog for requests left unanswered, on the same fakes:
#                    a request issued while it waits for a queue's lock is not late
HOST_TESTS += vbdfront_watchdog
vbdfront_watchdog_SRCS := tests/vbd/front/watchdog_test.c \
                          $(filter-out tests/vbd/front/response_harness.c,$(VBDFRONT_RESPONSE_SRCS))

# vbdfront_liveness  bursts around a full ring after idle gaps around the backend's
#                    busy polling: against a healthy winpv-blkback, none left unfinished
#                    (built as vbdfront_blkback, from its own test file)
HOST_TESTS += vbdfront_liveness
vbdfront_liveness_SRCS = tests/vbd/front/liveness_test.c \
                         $(filter-out tests/vbd/front/%,$(vbdfront_blkback_SRCS))
vbdfront_liveness_LDLIBS = $(vbdfront_blkback_LDLIBS)
$(BUILD)/host/bin/vbdfront_liveness: $(SIMLIB_FILES) | $(BUILD)/host/bin/winpv-simd \
                                     $(BUILD)/host/bin/winpv-blkback
