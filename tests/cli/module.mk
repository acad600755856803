# winpv-sim as people run it, tested from the outside.

# Stopping a run (SIGINT, SIGTERM; to up or its process group; while it
# starts, once ready, after commands): nothing of the run may be left.
CHECKS += sim-stop
sim-stop_DEPS = $(BUILD)/host/bin/winpv-sim $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)
sim-stop_CMD = tests/cli/check_stop.sh $(BUILD)/host/bin

# The programs built for people (make's build/release/bin).
CHECKS += sim-release
sim-release_DEPS = release
sim-release_CMD = tests/cli/check_release.sh $(BUILD)/release/bin

# The README's simulator session, with those programs.
CHECKS += sim-cli-release
sim-cli-release_DEPS = release
sim-cli-release_CMD = tests/sim/check_cli.sh $(BUILD)/release/bin
