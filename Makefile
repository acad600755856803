# winpv: one build, two toolchains (host and win64), outputs under build/.
#
#   make          install missing packages, build the release package in dist/
#                 and the simulator for people in build/release/bin
#   make check    install missing packages, build everything, run every test
#   make V=1      show full command lines
#   make check T=ring   run only the checks whose name contains "ring"
#   make bench    build without sanitizers, print one BENCH line per figure
#
# The real work happens in a second make invocation so that the package
# installer runs before any rule needs a tool it installs.

MAKEFLAGS += --no-builtin-rules

ifeq ($(WINPV_INNER),)

NPROC := $(shell nproc 2>/dev/null || echo 2)
INNER = $(MAKE) --no-print-directory -j$(NPROC) WINPV_INNER=1

.PHONY: all check bench clean format deps
all:
	@scripts/install-deps
	@$(INNER) dist release

check:
	@scripts/install-deps
	@$(INNER) run-checks

bench:
	@scripts/install-deps
	@$(INNER) run-benches

format:
	@scripts/install-deps
	@$(INNER) format-tree

clean:
	rm -rf build dist

deps:
	@scripts/install-deps

# Any other target (a single object, a test binary) goes straight through.
Makefile: ;
mk/%.mk: ;
%:: FORCE
	@$(INNER) $@
FORCE:

else

include mk/config.mk
include mk/vendor.mk
include mk/rules.mk

# Modules: each directory says what it builds.
include $(sort $(wildcard bench/*/module.mk core/*/module.mk os/*/module.mk sim/*/module.mk sim/*/*/module.mk \
                          tools/*/module.mk windows/*/module.mk \
                          tests/*/module.mk tests/*/*/module.mk))

include mk/checks.mk
include mk/targets.mk

endif
