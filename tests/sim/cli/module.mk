# winpv-sim (sim/cli), the command for people.
CHECKS += sim-cli
sim-cli_DEPS = $(BUILD)/host/bin/winpv-sim $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)
sim-cli_CMD = tests/sim/cli/check_cli.sh $(BUILD)/host/bin

# Stopping a run (SIGINT, SIGTERM; to up or its process group; while it
# starts, once ready, after commands): nothing of the run may be left.
CHECKS += sim-stop
sim-stop_DEPS = $(BUILD)/host/bin/winpv-sim $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)
sim-stop_CMD = tests/sim/cli/check_stop.sh $(BUILD)/host/bin

# The programs built for people (make's build/release/bin).
CHECKS += sim-release
sim-release_DEPS = release
sim-release_CMD = tests/sim/cli/check_release.sh $(BUILD)/release/bin

# The README's simulator session, with those programs.
CHECKS += sim-cli-release
sim-cli-release_DEPS = release
sim-cli-release_CMD = tests/sim/cli/check_cli.sh $(BUILD)/release/bin
