# winpv-sim (sim/cli), the command for people.
CHECKS += sim-cli
sim-cli_DEPS = $(BUILD)/host/bin/winpv-sim $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)
sim-cli_CMD = tests/sim/cli/check_cli.sh $(BUILD)/host/bin
