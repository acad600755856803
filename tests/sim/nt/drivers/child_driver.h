/* tests/sim/nt/drivers/child_driver.h - what the test child driver and its tests share. */
#ifndef WINPV_TESTS_NT_CHILD_DRIVER_H
#define WINPV_TESTS_NT_CHILD_DRIVER_H

/* The text at the start of the page child.sys grants dom0. */
#define CHILD_GRANT_TEXT "granted by child.sys through XENBUS's GNTTAB v1"

#endif /* WINPV_TESTS_NT_CHILD_DRIVER_H */
