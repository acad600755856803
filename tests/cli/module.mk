# winpv-sim as people run it, tested from the outside.

# Stopping a run (SIGINT, SIGTERM; to up or its process group; while it
# starts, once ready, after commands): nothing of the run may be left.
CHECKS += sim-stop
sim-stop_DEPS = $(BUILD)/host/bin/winpv-sim $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)
sim-stop_CMD = tests/cli/check_stop.sh $(BUILD)/host/bin
