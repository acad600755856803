# pecheck's sources apart from main.c: the library its tests link too.
# Included by tools/pecheck/module.mk and tests/pecheck/module.mk, whichever
# make reads first.
PECHECK_LIB_SRCS := tools/pecheck/pecheck.c tools/pecheck/checks.c tools/pecheck/pe.c \
                    tools/pecheck/pe_checksum.c tools/pecheck/pe_imports.c \
                    tools/pecheck/pe_relocs.c tools/pecheck/pe_debug.c tools/pecheck/msf.c \
                    tools/pecheck/pdb.c tools/pecheck/file.c tools/pecheck/text.c \
                    tools/pecheck/failure.c
