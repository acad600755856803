/*
 * tests/sim/nt/ntabi_gen.c - writes the simulated kernel's view of the Windows
 * x64 structures (sim/nt/ntabi.h, LP64) as a header of numbers, for
 * ntabi_win64.c to compare with mingw-w64's definitions.
 */
#include <stdio.h>

#include "nt/ntabi.h"
#include "nt/storport_abi.h"

int main(void)
{
#define NTABI_SIZE(type) printf("#define NTABI_SIZE_%s %zu\n", #type, sizeof(type));
#define NTABI_FIELD(key, type, member) \
    printf("#define NTABI_OFF_%s %zu\n", #key, offsetof(type, member));
#define NTABI_CONST(name) printf("#define NTABI_CONST_%s %lld\n", #name, (long long)(name));
#include "nt/ntabi_list.h"
    return 0;
}
