# pecheck: checks the Windows kernel driver images the build makes (see
# main.c for what it checks). tests/pecheck holds its tests.

include tools/pecheck/sources.mk

TOOLS += pecheck
pecheck_SRCS := tools/pecheck/main.c $(PECHECK_LIB_SRCS)
