# Checks over the whole tree (see mk/targets.mk for the CHECKS variables).
CHECKS += cppcheck
cppcheck_CMD := scripts/check-static
cppcheck_KIND := lint

CHECKS += clang-format
clang-format_CMD := scripts/check-format
clang-format_KIND := lint

# Deferred (=): DRIVERS is complete only once every module.mk was read.
CHECKS += reproducible
reproducible_CMD = scripts/check-reproducible $(foreach d,$(DRIVERS),$(BUILD)/win64/$(d).sys)
reproducible_DEPS = $(foreach d,$(DRIVERS),$(BUILD)/win64/$(d).sys)

# Every os_log format in core/ ends its line (os/nt's DbgPrint adds no newline).
CHECKS += log-newlines
log-newlines_CMD := scripts/check-log-newlines
log-newlines_KIND := lint
