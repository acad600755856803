/*
 * tests/sim/nt_cpu/image_code.h - constants image_code.S and the tests share
 * (preprocessor only: included by the assembler too).
 */
#ifndef WINPV_TESTS_NTCPU_IMAGE_CODE_H
#define WINPV_TESTS_NTCPU_IMAGE_CODE_H

/* Held in RAX before an IN that must keep part of it or clear it. */
#define IMAGE_GARBAGE 0x1122334455667788

/* KUSER_SHARED_DATA fields the image reads. */
#define IMAGE_KUSER_INTERRUPT_TIME 0xfffff78000000008
#define IMAGE_KUSER_SYSTEM_TIME    0xfffff78000000014
#define IMAGE_KUSER_TICK_COUNT     0xfffff78000000320
#define IMAGE_KUSER_END            0xfffff78000001000 /* the byte after the page */

#endif /* WINPV_TESTS_NTCPU_IMAGE_CODE_H */
