# Checks over the whole tree (see mk/targets.mk for the CHECKS variables).
CHECKS += cppcheck
cppcheck_CMD := scripts/check-static

CHECKS += clang-format
clang-format_CMD := scripts/check-format
