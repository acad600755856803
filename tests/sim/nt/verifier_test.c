/*
 * tests/sim/nt/verifier_test.c - the simulated kernel catches a driver that
 * breaks a rule of Windows's kernel, stops the guest with the bugcheck
 * Windows (with Driver Verifier) would raise, and names the driver's code
 * that did it, from the image's PDB. One test per rule, each with a driver
 * that breaks that rule only (tests/sim/nt/drivers/misbehave.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ntsim_fixture.h"

#define BUGCHECK_EXIT 66

static struct ntsim_run run;

static void run_case(const char *service)
{
    const char *args[] = {"--service", service, "--irp-timeout-ms", "1000", NULL};

    ntsim_run(&run, "misbehave.sys", args);
}

/* A verifier stop: the rule, the message, and the driver's code named. */
static void assert_verifier_stop(const char *rule, const char *message)
{
    char stop[64];

    assert_int_equal(run.exit_status, BUGCHECK_EXIT);
    ntsim_assert_contains(run.log, message);
    snprintf(stop, sizeof(stop), "*** STOP: 0x000000C4 (%s,", rule);
    ntsim_assert_contains(run.log, stop);
}

static void assert_blames_driver(void)
{
    ntsim_assert_contains(run.log, "called from misbehave.sys+0x");
    ntsim_assert_contains(run.log, "misbehave.c:");
}

static void test_correct_driver_passes(void **state)
{
    run_case("behave");
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.out, "misbehave.sys removed\n");
    /* LLP64 format rules: %ld and %lx are 32 bits. */
    ntsim_assert_contains(run.log,
                          "misbehave: case 0, -1 ffffffff 123456789ab text "
                          "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\behave\n");
}

static void test_ddi_above_its_irql(void **state)
{
    run_case("ddi_irql");
    assert_verifier_stop("0x1000", "IoCreateDevice called at IRQL 2 (at most 0 allowed)");
    assert_blames_driver();
    /* The stack, walked through the kernel and the driver's unwind data. */
    ntsim_assert_contains(run.log, "*** stack:\n");
    ntsim_assert_contains(run.log, "[kernel] IoCreateDevice ");
    ntsim_assert_contains(run.log, " misbehave.sys+0x");
    ntsim_assert_contains(run.log, "[kernel] nt_driver_load ");
}

static void test_wait_at_dispatch(void **state)
{
    run_case("wait_dispatch");
    assert_verifier_stop("0x1001", "KeWaitForSingleObject at IRQL 2");
    assert_blames_driver();
}

static void test_spinlock_held_on_return(void **state)
{
    run_case("spinlock_held");
    assert_verifier_stop("0x1002", "DriverEntry returned holding 1 spinlock(s)");
    ntsim_assert_contains(run.log, "called from misbehave.sys+0x");
}

static void test_irp_completed_twice(void **state)
{
    run_case("complete_twice");
    assert_verifier_stop("0x1003", "completed twice (first by misbehave.sys+0x");
    assert_blames_driver();
    /* The driver's dispatch routine on the stack, between the kernel's frames that called it. */
    ntsim_assert_contains(run.log, "[kernel] IofCompleteRequest ");
    ntsim_assert_contains(run.log, " misbehave.sys+0x");
    ntsim_assert_contains(run.log, "dispatch_pnp");
    ntsim_assert_contains(run.log, "[kernel] nt_irp_call ");
}

static void test_irp_never_completed(void **state)
{
    run_case("never_complete");
    assert_verifier_stop("0x1004", "IRP (major 0x1b, minor 0) was never completed within 1000 ms");
    ntsim_assert_contains(run.log, "called from misbehave.sys+0x");
}

static void test_pool_leaked_at_unload(void **state)
{
    run_case("pool_leak");
    assert_int_equal(run.exit_status, 1);
    ntsim_assert_contains(run.log,
                          "pool: leaked 64 bytes, tag 'Leak', allocated by misbehave.sys+0x");
    ntsim_assert_contains(run.log,
                          "misbehave.sys left 1 allocation(s), mapping(s) and handle(s) at unload");
}

static void test_mdl_leaked_at_unload(void **state)
{
    run_case("mdl_leak");
    assert_int_equal(run.exit_status, 1);
    ntsim_assert_contains(run.log, "mm: leaked an MDL of 64 bytes at ");
    ntsim_assert_contains(run.log, ", allocated by misbehave.sys+0x");
    ntsim_assert_contains(run.log,
                          "misbehave.sys left 1 allocation(s), mapping(s) and handle(s) at unload");
}

/* The pages, and the MDL describing them (pool the driver frees after the pages). */
static void test_pages_leaked_at_unload(void **state)
{
    run_case("pages_leak");
    assert_int_equal(run.exit_status, 1);
    ntsim_assert_contains(run.log, "mm: leaked 2 page(s) of MmAllocatePagesForMdlEx (MDL ");
    ntsim_assert_contains(run.log,
                          "pool: leaked 64 bytes, tag 'Mdl ', allocated by misbehave.sys+0x");
    ntsim_assert_contains(run.log,
                          "misbehave.sys left 2 allocation(s), mapping(s) and handle(s) at unload");
}

static void test_mdl_freed_twice(void **state)
{
    run_case("mdl_free_twice");
    assert_verifier_stop("0x1007", "no MDL IoAllocateMdl gave (freed already?)");
    assert_blames_driver();
}

static void test_pages_freed_twice(void **state)
{
    run_case("pages_free_twice");
    assert_verifier_stop("0x1007", "no MDL of MmAllocatePagesForMdlEx with pages (freed already?)");
    assert_blames_driver();
}

static void test_unmapping_what_is_not_mapped(void **state)
{
    run_case("unmap_unmapped");
    assert_verifier_stop("0x1007", "MmUnmapLockedPages(");
    ntsim_assert_contains(run.log, "): no mapping of that MDL there");
    assert_blames_driver();
}

static void test_pages_for_mdl_above_their_irql(void **state)
{
    run_case("pages_irql");
    assert_verifier_stop("0x1000", "MmAllocatePagesForMdlEx called at IRQL 3 (at most 2 allowed)");
    assert_blames_driver();
}

static void test_mdl_reinitialized_past_its_room(void **state)
{
    run_case("mdl_overrun");
    assert_verifier_stop("0x1007", "MmBuildMdlForNonPagedPool(");
    ntsim_assert_contains(run.log, "needs 3 PFN entries, but the MDL has room for 1");
    assert_blames_driver();
}

static void test_secondary_mdl_without_a_first(void **state)
{
    run_case("mdl_secondary_first");
    assert_verifier_stop("0x1007", "a secondary buffer only after an IRP's first MDL");
    assert_blames_driver();
}

static void test_mdl_over_freed_pool(void **state)
{
    run_case("mdl_freed_pool");
    assert_verifier_stop("0x1007", "MmBuildMdlForNonPagedPool(");
    ntsim_assert_contains(run.log, "(64 bytes at ");
    ntsim_assert_contains(run.log, ") is not all in one live allocation");
    assert_blames_driver();
}

/* Windows 8 and later: a write through a mapping asked read-only is ATTEMPTED_WRITE_TO_READONLY_MEMORY. */
static void test_write_through_read_only_mapping(void **state)
{
    run_case("nowrite_write");
    assert_int_equal(run.exit_status, BUGCHECK_EXIT);
    ntsim_assert_contains(run.log, "*** write of read-only memory at misbehave.sys+0x");
    ntsim_assert_contains(run.log, "*** STOP: 0x000000BE (");
    ntsim_assert_contains(run.log, "misbehave_with_mdl_buffers");
}

static void test_contiguous_freed_with_another_cache_type(void **state)
{
    run_case("contiguous_cache");
    assert_verifier_stop("0x1007", "MmFreeContiguousMemorySpecifyCache(");
    ntsim_assert_contains(run.log, "4096 bytes, cache 0): it was allocated as 4096 bytes, cache 1 "
                                   "(size and cache type must match)");
    assert_blames_driver();
}

static void test_write_past_pool_block(void **state)
{
    run_case("pool_overrun");
    assert_verifier_stop("0x1006", "write past the end of a pool block of 10 bytes (tag 'Over'");
    assert_blames_driver();
}

static void test_bugcheck_reported(void **state)
{
    run_case("bugcheck");
    assert_int_equal(run.exit_status, BUGCHECK_EXIT);
    ntsim_assert_contains(run.log, "*** STOP: 0x0000DEAD (0x1, 0x2, 0x3, 0x4)\n");
    assert_blames_driver();
}

static void test_access_violation_is_a_bugcheck(void **state)
{
    run_case("null_write");
    assert_int_equal(run.exit_status, BUGCHECK_EXIT);
    ntsim_assert_contains(run.log, "*** STOP: 0x0000001E (");
    ntsim_assert_contains(run.log, " at misbehave.sys+0x");
    /* The stack from the faulting instruction: the driver, then the kernel that called it. */
    ntsim_assert_contains(run.log, "***   #0 misbehave.sys+0x");
    ntsim_assert_contains(run.log, "***   #1 [kernel] nt_call_driver6 ");
    ntsim_assert_contains(run.log, "[kernel] nt_driver_load ");
}

/* The Storport miniport of @service (badminiport.sys's cases), started and removed. */
static void run_miniport_case(const char *service)
{
    const char *args[] = {"--service", service, "--irp-timeout-ms", "1000", NULL};

    ntsim_run(&run, "badminiport.sys", args);
}

static void test_storport_refuses_an_unknown_registration(void **state)
{
    run_miniport_case("sp_bad_size");
    assert_int_equal(run.exit_status, 1);
    ntsim_assert_contains(run.log, "storport: StorPortInitialize refused: HwInitializationDataSize "
                                   "is not Windows 8's 208");
    ntsim_assert_contains(run.log, "pnp: badminiport.sys: DriverEntry -> 0xc0000059\n");
}

static void test_storport_requires_the_transfer_limits(void **state)
{
    run_miniport_case("sp_no_transfer_length");
    assert_verifier_stop("0x1007", "HwFindAdapter found the adapter without setting "
                                   "MaximumTransferLength and NumberOfPhysicalBreaks");
}

/* Documented: passive initialization may be enabled only in HwInitialize; elsewhere it is refused. */
static void test_storport_passive_initialization_only_from_hw_initialize(void **state)
{
    run_miniport_case("sp_passive_outside");
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, "badminiport: passive initialization asked in HwFindAdapter: "
                                   "refused\n");
    ntsim_assert_contains(run.log, "badminiport: passive initialization asked in HwInitialize: "
                                   "granted\n");
    ntsim_assert_contains(run.log, "badminiport: passive initialization ran\n");
    assert_int_equal(ntsim_count(run.log, "badminiport: passive initialization ran\n"), 1);
    ntsim_assert_contains(run.log, "storport: scan of 1 target(s): 0 disk(s)\n");
}

/* BusChangeDetected names a bus of the adapter's and comes at most at its DIRQL. */
static void test_storport_bus_change_on_a_bus_not_there(void **state)
{
    run_miniport_case("sp_bus_change_path");
    assert_verifier_stop("0x1007", "StorPortNotification(BusChangeDetected) for PathId 1: the "
                                   "adapter has 1 bus(es)");
}

static void test_storport_bus_change_above_dirql(void **state)
{
    run_miniport_case("sp_bus_change_irql");
    assert_verifier_stop("0x1000", "StorPortNotification(BusChangeDetected) at IRQL 15, above the "
                                   "adapter's DIRQL 5");
}

/*
 * StorPortInitializePerfOpts as documented: refused outside HwInitialize,
 * a query answers what is offered (concurrent channels, from version 2),
 * a flag not offered is refused, concurrent channels granted; the scan's
 * SRBs then reach HwStartIo without the StartIo lock.
 */
static void test_storport_perf_opts(void **state)
{
    run_miniport_case("sp_perf_opts");
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, "badminiport: HwFindAdapter: perf opts ask 0x2 -> 0xc1000001, "
                                   "flags 0x2\n");
    ntsim_assert_contains(run.log,
                          "badminiport: HwInitialize: perf opts query 0 -> 0, flags 0x2\n");
    ntsim_assert_contains(run.log, "badminiport: HwInitialize: perf opts ask 0x1 -> 0xc1000001, "
                                   "flags 0x1\n");
    ntsim_assert_contains(run.log,
                          "badminiport: HwInitialize: perf opts ask 0x2 -> 0, flags 0x2\n");
    ntsim_assert_contains(run.log, "storport: 2 concurrent channel(s) of HwStartIo\n");
    ntsim_assert_contains(run.log, "storport: scan of 1 target(s): 0 disk(s)\n");
}

/*
 * Windows 8 and later's Storport sends STORAGE_REQUEST_BLOCKs to a miniport
 * that asks for them in SrbTypeFlags (the address a BTL8 one, the CDB in a
 * CDB16 datum, the function in SrbFunction), SCSI_REQUEST_BLOCKs to one
 * that does not.
 */
static void test_storport_sends_the_srb_form_asked_for(void **state)
{
    run_miniport_case("sp_srbex");
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, "storport: SRBs sent as STORAGE_REQUEST_BLOCK to adapter ");
    ntsim_assert_contains(run.log, "badminiport: STORAGE_REQUEST_BLOCK 0x53524258 v1 of 184 bytes: "
                                   "function 0, BTL8 target 0, datum 0x40, CDB 0x12, sense 18 "
                                   "bytes\n");
    ntsim_assert_contains(run.log, "storport: scan of 1 target(s): 0 disk(s)\n");

    run_miniport_case("sp_scsi_srb");
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, "storport: SRBs sent as SCSI_REQUEST_BLOCK to adapter ");
    ntsim_assert_contains(run.log, "badminiport: SCSI_REQUEST_BLOCK: function 0, target 0, CDB "
                                   "0x12\n");
    assert_int_equal(ntsim_count(run.log, "badminiport: STORAGE_REQUEST_BLOCK"), 0);
}

/* A miniport that answers a STORAGE_REQUEST_BLOCK as a SCSI_REQUEST_BLOCK writes the port's fields. */
static void test_storport_srbex_answered_as_an_srb(void **state)
{
    run_miniport_case("sp_srbex_as_srb");
    assert_verifier_stop("0x1007", "(CDB 0x12): SrbLength changed: the port's field of a "
                                   "STORAGE_REQUEST_BLOCK");
}

static void test_close_of_a_bad_handle(void **state)
{
    run_case("close_bad");
    assert_int_equal(run.exit_status, BUGCHECK_EXIT);
    ntsim_assert_contains(run.log,
                          "*** ZwClose(0xffffffff80001234): no handle of that value is open\n");
    ntsim_assert_contains(run.log, "*** STOP: 0x00000093 (0xffffffff80001234, 0x1, 0x0, 0x0)\n");
    assert_blames_driver();
}

static void test_thread_running_at_unload(void **state)
{
    run_case("thread_running");
    assert_int_equal(run.exit_status, BUGCHECK_EXIT);
    ntsim_assert_contains(run.log, "*** misbehave.sys unloads with a system thread still running "
                                   "(started at misbehave.sys+0x");
    ntsim_assert_contains(run.log, "waits_forever");
    ntsim_assert_contains(run.log, "*** STOP: 0x000000CE (");
}

static void test_device_property_of_a_device_not_a_pdo(void **state)
{
    run_case("property_of_fdo");
    assert_verifier_stop("0x1007", "IoGetDeviceProperty(");
    ntsim_assert_contains(run.log, "): not a PDO the PnP manager enumerated");
    assert_blames_driver();
}

static void test_device_key_of_a_device_not_a_pdo(void **state)
{
    run_case("regkey_of_fdo");
    assert_verifier_stop("0x1007", "IoOpenDeviceRegistryKey(");
    ntsim_assert_contains(run.log, "): not a PDO the PnP manager enumerated");
    assert_blames_driver();
}

static void test_handle_leaked_at_unload(void **state)
{
    run_case("handle_leak");
    assert_int_equal(run.exit_status, 1);
    ntsim_assert_contains(run.log, ", Key \\Registry\\Machine\\System, opened by misbehave.sys+0x");
    ntsim_assert_contains(run.log, "misbehave.c:");
    ntsim_assert_contains(run.log,
                          "misbehave.sys left 1 allocation(s), mapping(s) and handle(s) at unload");
}

static void test_terminate_a_thread_no_driver_made(void **state)
{
    run_case("terminate_other");
    assert_verifier_stop("0x1007", "PsTerminateSystemThread(0) on thread pnp, which "
                                   "PsCreateSystemThread did not create");
    assert_blames_driver();
}

static void test_registry_ddi_above_its_irql(void **state)
{
    run_case("registry_irql");
    assert_verifier_stop("0x1000", "ZwOpenKey called at IRQL 2 (at most 0 allowed)");
    assert_blames_driver();
}

static void test_handle_without_obj_kernel_handle(void **state)
{
    run_case("user_handle");
    assert_verifier_stop("0x1007", "ZwOpenKey without OBJ_KERNEL_HANDLE");
    assert_blames_driver();
}

static void test_thread_type_read_too_deep(void **state)
{
    run_case("thread_type");
    assert_verifier_stop("0x1007", "passes (POBJECT_TYPE)PsThreadType, not *PsThreadType");
    assert_blames_driver();
}

/* The running thread's own reference taken by a driver's extra dereference: Windows's 0x18. */
static void test_over_dereference_of_a_thread(void **state)
{
    run_case("thread_deref");
    assert_int_equal(run.exit_status, BUGCHECK_EXIT);
    ntsim_assert_contains(run.log, "ObfDereferenceObject(0x");
    ntsim_assert_contains(run.log,
                          "): an over-dereference: the 1 reference(s) left are the kernel's own");
    ntsim_assert_contains(run.log, "*** STOP: 0x00000018 (");
    assert_blames_driver();
}

static void test_thread_ends_owning_a_mutex(void **state)
{
    run_case("mutex_held");
    assert_int_equal(run.exit_status, BUGCHECK_EXIT);
    ntsim_assert_contains(run.log, " ends owning the kernel mutex 0x");
    ntsim_assert_contains(run.log, "*** STOP: 0x4000008A (");
    ntsim_assert_contains(run.log, "returns_owning_mutex");
}

static void test_close_of_a_pseudo_handle(void **state)
{
    run_case("close_pseudo");
    assert_int_equal(run.exit_status, BUGCHECK_EXIT);
    ntsim_assert_contains(run.log,
                          "*** ZwClose(NtCurrentThread()): a pseudo-handle names the caller's "
                          "own thread");
    ntsim_assert_contains(run.log, "*** STOP: 0x00000093 (0xfffffffffffffffe, 0x1, 0x0, 0x0)\n");
    assert_blames_driver();
}

/* Every kernel function a driver meets behaves as documented, seen from a driver image. */
static void test_kernel_functions_behave_as_documented(void **state)
{
    ntsim_run_packages(&run, "ntsim-ddi-packages", NULL);
    assert_int_equal(run.exit_status, 0);
    assert_null(strstr(run.log, "FAILED"));
    ntsim_assert_contains(run.log, "ddi: 129 checks, 0 failed\n");
    ntsim_assert_contains(run.log, "ddi: AddDevice: 24 checks, 0 failed\n");
    ntsim_assert_contains(run.log, "ddi: DbgPrint 42 printed\n");
}

static void test_driver_stack_overflow_is_a_double_fault(void **state)
{
    run_case("stack_overflow");
    assert_int_equal(run.exit_status, BUGCHECK_EXIT);
    ntsim_assert_contains(run.log, "*** driver stack overflow at misbehave.sys+0x");
    ntsim_assert_contains(run.log, "the 24 KiB kernel stack is used up");
    ntsim_assert_contains(run.log, "*** STOP: 0x0000007F (0x8, ");
    ntsim_assert_contains(run.log, "recurse");
}

static void test_unimplemented_import_fails_the_load(void **state)
{
    ntsim_run(&run, "unknown_import.sys", NULL);
    assert_int_equal(run.exit_status, 1);
    ntsim_assert_contains(run.out,
                          "unknown_import.sys imports 1 function the simulated kernel does not "
                          "implement: ntoskrnl.exe!IoReportDetectedDevice");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_correct_driver_passes),
        cmocka_unit_test(test_ddi_above_its_irql),
        cmocka_unit_test(test_wait_at_dispatch),
        cmocka_unit_test(test_spinlock_held_on_return),
        cmocka_unit_test(test_irp_completed_twice),
        cmocka_unit_test(test_irp_never_completed),
        cmocka_unit_test(test_pool_leaked_at_unload),
        cmocka_unit_test(test_write_past_pool_block),
        cmocka_unit_test(test_mdl_leaked_at_unload),
        cmocka_unit_test(test_pages_leaked_at_unload),
        cmocka_unit_test(test_mdl_freed_twice),
        cmocka_unit_test(test_pages_freed_twice),
        cmocka_unit_test(test_unmapping_what_is_not_mapped),
        cmocka_unit_test(test_pages_for_mdl_above_their_irql),
        cmocka_unit_test(test_mdl_reinitialized_past_its_room),
        cmocka_unit_test(test_secondary_mdl_without_a_first),
        cmocka_unit_test(test_mdl_over_freed_pool),
        cmocka_unit_test(test_write_through_read_only_mapping),
        cmocka_unit_test(test_contiguous_freed_with_another_cache_type),
        cmocka_unit_test(test_bugcheck_reported),
        cmocka_unit_test(test_access_violation_is_a_bugcheck),
        cmocka_unit_test(test_storport_refuses_an_unknown_registration),
        cmocka_unit_test(test_storport_requires_the_transfer_limits),
        cmocka_unit_test(test_storport_passive_initialization_only_from_hw_initialize),
        cmocka_unit_test(test_storport_bus_change_on_a_bus_not_there),
        cmocka_unit_test(test_storport_bus_change_above_dirql),
        cmocka_unit_test(test_storport_perf_opts),
        cmocka_unit_test(test_storport_sends_the_srb_form_asked_for),
        cmocka_unit_test(test_storport_srbex_answered_as_an_srb),
        cmocka_unit_test(test_driver_stack_overflow_is_a_double_fault),
        cmocka_unit_test(test_unimplemented_import_fails_the_load),
        cmocka_unit_test(test_close_of_a_bad_handle),
        cmocka_unit_test(test_thread_running_at_unload),
        cmocka_unit_test(test_handle_leaked_at_unload),
        cmocka_unit_test(test_device_property_of_a_device_not_a_pdo),
        cmocka_unit_test(test_device_key_of_a_device_not_a_pdo),
        cmocka_unit_test(test_terminate_a_thread_no_driver_made),
        cmocka_unit_test(test_registry_ddi_above_its_irql),
        cmocka_unit_test(test_handle_without_obj_kernel_handle),
        cmocka_unit_test(test_thread_type_read_too_deep),
        cmocka_unit_test(test_over_dereference_of_a_thread),
        cmocka_unit_test(test_thread_ends_owning_a_mutex),
        cmocka_unit_test(test_close_of_a_pseudo_handle),
        cmocka_unit_test(test_kernel_functions_behave_as_documented),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
