/*
 * tests/sim/nt/drivers/misbehave.c - a WDM driver that breaks one kernel rule
 * on purpose, to show the simulated kernel catches it. Which rule is chosen
 * by the driver's service name (the last part of the registry path
 * DriverEntry gets), so one image serves every case under several names:
 *
 *   behave          a correct function driver: AddDevice, PnP passed down
 *   ddi_irql        IoCreateDevice at DISPATCH_LEVEL
 *   wait_dispatch   KeWaitForSingleObject at DISPATCH_LEVEL without a timeout
 *   spinlock_held   DriverEntry returns holding a spinlock
 *   complete_twice  START_DEVICE completed twice
 *   never_complete  START_DEVICE pended and never completed
 *   pool_leak       64 bytes of pool, tag 'Leak', never freed
 *   pool_overrun    a write one byte past a pool block
 *   mdl_leak        an MDL of IoAllocateMdl never freed
 *   pages_leak      two pages of MmAllocatePagesForMdlEx never freed, nor their MDL
 *   mdl_free_twice  IoFreeMdl twice on one MDL
 *   pages_free_twice MmFreePagesFromMdl twice on one MDL
 *   unmap_unmapped  MmUnmapLockedPages of an MDL never mapped
 *   pages_irql      MmAllocatePagesForMdlEx above DISPATCH_LEVEL
 *   mdl_overrun     an MDL of IoAllocateMdl for one page reinitialized for three, then built
 *   mdl_secondary_first IoAllocateMdl of a secondary buffer for an IRP without an MDL
 *   mdl_freed_pool  an MDL built over pool already freed
 *   nowrite_write   a write through a mapping asked with MdlMappingNoWrite
 *   contiguous_cache MmFreeContiguousMemorySpecifyCache with another cache type
 *   bugcheck        KeBugCheckEx(0xDEAD, 1, 2, 3, 4)
 *   null_write      a write through a NULL pointer
 *   stack_overflow  recursion past the 24 KiB kernel stack
 *   close_bad       ZwClose of a handle never opened
 *   thread_running  a system thread still waiting when the driver unloads
 *   handle_leak     a registry key handle never closed
 *   terminate_other PsTerminateSystemThread on a thread no driver created
 *   registry_irql   ZwOpenKey at DISPATCH_LEVEL
 *   user_handle     ZwOpenKey without OBJ_KERNEL_HANDLE
 *   thread_type     ObReferenceObjectByHandle given mingw-w64's *PsThreadType
 *   property_of_fdo IoGetDeviceProperty of its own device, not the PDO
 *   thread_deref    ObDereferenceObject of a running thread once more than it referenced it
 *   mutex_held      a system thread returns owning a kernel mutex
 *   close_pseudo    ZwClose(NtCurrentThread())
 *   regkey_of_fdo   IoOpenDeviceRegistryKey of its own device, not the PDO
 */
#include "nt_headers.h"
#include "service_name.h"

enum misbehaviour {
    BEHAVE,
    DDI_IRQL,
    WAIT_DISPATCH,
    SPINLOCK_HELD,
    COMPLETE_TWICE,
    NEVER_COMPLETE,
    POOL_LEAK,
    POOL_OVERRUN,
    MDL_LEAK,
    PAGES_LEAK,
    MDL_FREE_TWICE,
    PAGES_FREE_TWICE,
    UNMAP_UNMAPPED,
    PAGES_IRQL,
    MDL_OVERRUN,
    MDL_SECONDARY_FIRST,
    MDL_FREED_POOL,
    NOWRITE_WRITE,
    CONTIGUOUS_CACHE,
    BUGCHECK,
    NULL_WRITE,
    STACK_OVERFLOW,
    CLOSE_BAD,
    THREAD_RUNNING,
    HANDLE_LEAK,
    TERMINATE_OTHER,
    REGISTRY_IRQL,
    USER_HANDLE,
    THREAD_TYPE,
    PROPERTY_OF_FDO,
    THREAD_DEREF,
    MUTEX_HELD,
    CLOSE_PSEUDO,
    REGKEY_OF_FDO,
};

static const struct {
    const WCHAR *name;
    enum misbehaviour what;
} names[] = {
    {L"behave", BEHAVE},
    {L"ddi_irql", DDI_IRQL},
    {L"wait_dispatch", WAIT_DISPATCH},
    {L"spinlock_held", SPINLOCK_HELD},
    {L"complete_twice", COMPLETE_TWICE},
    {L"never_complete", NEVER_COMPLETE},
    {L"pool_leak", POOL_LEAK},
    {L"pool_overrun", POOL_OVERRUN},
    {L"mdl_leak", MDL_LEAK},
    {L"pages_leak", PAGES_LEAK},
    {L"mdl_free_twice", MDL_FREE_TWICE},
    {L"pages_free_twice", PAGES_FREE_TWICE},
    {L"unmap_unmapped", UNMAP_UNMAPPED},
    {L"pages_irql", PAGES_IRQL},
    {L"mdl_overrun", MDL_OVERRUN},
    {L"mdl_secondary_first", MDL_SECONDARY_FIRST},
    {L"mdl_freed_pool", MDL_FREED_POOL},
    {L"nowrite_write", NOWRITE_WRITE},
    {L"contiguous_cache", CONTIGUOUS_CACHE},
    {L"bugcheck", BUGCHECK},
    {L"null_write", NULL_WRITE},
    {L"stack_overflow", STACK_OVERFLOW},
    {L"close_bad", CLOSE_BAD},
    {L"thread_running", THREAD_RUNNING},
    {L"handle_leak", HANDLE_LEAK},
    {L"terminate_other", TERMINATE_OTHER},
    {L"registry_irql", REGISTRY_IRQL},
    {L"user_handle", USER_HANDLE},
    {L"thread_type", THREAD_TYPE},
    {L"property_of_fdo", PROPERTY_OF_FDO},
    {L"thread_deref", THREAD_DEREF},
    {L"mutex_held", MUTEX_HELD},
    {L"close_pseudo", CLOSE_PSEUDO},
    {L"regkey_of_fdo", REGKEY_OF_FDO},
};

struct fdo {
    DEVICE_OBJECT *lower;
};

static enum misbehaviour chosen;
static KSPIN_LOCK lock;

static NTSTATUS dispatch_pnp(DEVICE_OBJECT *device, IRP *irp)
{
    struct fdo *fdo = device->DeviceExtension;
    IO_STACK_LOCATION *stack = IoGetCurrentIrpStackLocation(irp);
    DEVICE_OBJECT *lower = fdo->lower;

    if (stack->MinorFunction == IRP_MN_START_DEVICE && chosen == COMPLETE_TWICE) {
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS;
    }
    if (stack->MinorFunction == IRP_MN_START_DEVICE && chosen == NEVER_COMPLETE) {
        IoMarkIrpPending(irp);
        return STATUS_PENDING;
    }
    if (stack->MinorFunction == IRP_MN_REMOVE_DEVICE) {
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(irp);
        NTSTATUS status = IoCallDriver(lower, irp);
        IoDetachDevice(lower);
        IoDeleteDevice(device);
        return status;
    }
    if (stack->MinorFunction <= IRP_MN_CANCEL_STOP_DEVICE)
        irp->IoStatus.Status = STATUS_SUCCESS;
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(lower, irp);
}

static NTSTATUS add_device(DRIVER_OBJECT *driver, DEVICE_OBJECT *pdo)
{
    DEVICE_OBJECT *device;
    struct fdo *fdo;
    NTSTATUS status;

    status = IoCreateDevice(driver, sizeof(*fdo), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    fdo = device->DeviceExtension;
    fdo->lower = IoAttachDeviceToDeviceStack(device, pdo);
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    if (chosen == PROPERTY_OF_FDO) {
        WCHAR ids[128];
        ULONG length;

        IoGetDeviceProperty(device, DevicePropertyHardwareID, sizeof(ids), ids, &length);
    }
    if (chosen == REGKEY_OF_FDO) {
        HANDLE key;

        IoOpenDeviceRegistryKey(device, PLUGPLAY_REGKEY_DEVICE, KEY_READ, &key);
    }
    return STATUS_SUCCESS;
}

static void unload(DRIVER_OBJECT *driver)
{
}

/* A kilobyte of stack a call, @depth deep: each frame written by the call below it. */
__attribute__((noinline)) static UCHAR recurse(ULONG depth, volatile UCHAR *above)
{
    volatile UCHAR frame[1024];

    frame[0] = (UCHAR)depth;
    if (above)
        above[1] = frame[0];
    if (depth)
        recurse(depth - 1, frame);
    return frame[1];
}

static UCHAR described[64]; /* image data: guest memory, so only the MDL can leak */

/* Pages anywhere, for an MDL. */
static MDL *two_pages(void)
{
    PHYSICAL_ADDRESS low = {.QuadPart = 0}, high = {.QuadPart = -1}, skip = {.QuadPart = 0};

    return MmAllocatePagesForMdlEx(low, high, skip, 2 * PAGE_SIZE, MmCached, 0);
}

/* MDLs over memory: their PFN array's room, what they describe, how they are mapped. */
static void misbehave_with_mdl_buffers(void)
{
    PHYSICAL_ADDRESS low = {.QuadPart = 0}, high = {.QuadPart = -1}, none = {.QuadPart = 0};
    volatile UCHAR *p;
    UCHAR *pool;
    MDL *mdl;
    IRP *irp;

    switch (chosen) {
    case MDL_OVERRUN:
        pool = ExAllocatePoolWithTag(NonPagedPoolNx, 3 * PAGE_SIZE, 'revO');
        mdl = pool ? IoAllocateMdl(pool, PAGE_SIZE, FALSE, FALSE, NULL) : NULL;
        if (mdl) {
            MmInitializeMdl(mdl, pool, 3 * PAGE_SIZE);
            MmBuildMdlForNonPagedPool(mdl);
        }
        break;
    case MDL_SECONDARY_FIRST:
        irp = IoAllocateIrp(1, FALSE);
        if (irp)
            IoAllocateMdl(described, sizeof(described), TRUE, FALSE, irp);
        break;
    case MDL_FREED_POOL:
        pool = ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'eerF');
        if (pool) {
            ExFreePoolWithTag(pool, 'eerF');
            mdl = IoAllocateMdl(pool, 64, FALSE, FALSE, NULL);
            if (mdl)
                MmBuildMdlForNonPagedPool(mdl);
        }
        break;
    case NOWRITE_WRITE:
        mdl = IoAllocateMdl(described, sizeof(described), FALSE, FALSE, NULL);
        if (mdl) {
            MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
            p = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoWrite);
            if (p)
                p[0] = 1;
        }
        break;
    case CONTIGUOUS_CACHE:
        pool = MmAllocateContiguousMemorySpecifyCache(PAGE_SIZE, low, high, none, MmCached);
        if (pool)
            MmFreeContiguousMemorySpecifyCache(pool, PAGE_SIZE, MmNonCached);
        break;
    default:
        break;
    }
}

/* The rules of MDLs and the pages they describe. */
static void misbehave_with_mdls(void)
{
    MDL *mdl;
    KIRQL irql;

    misbehave_with_mdl_buffers();
    switch (chosen) {
    case MDL_LEAK:
        IoAllocateMdl(described, sizeof(described), FALSE, FALSE, NULL);
        break;
    case PAGES_LEAK:
        two_pages();
        break;
    case MDL_FREE_TWICE:
        mdl = IoAllocateMdl(described, sizeof(described), FALSE, FALSE, NULL);
        if (mdl) {
            IoFreeMdl(mdl);
            IoFreeMdl(mdl);
        }
        break;
    case PAGES_FREE_TWICE:
        mdl = two_pages();
        if (mdl) {
            MmFreePagesFromMdl(mdl);
            MmFreePagesFromMdl(mdl);
        }
        break;
    case UNMAP_UNMAPPED:
        mdl = two_pages();
        if (mdl)
            MmUnmapLockedPages(described, mdl);
        break;
    case PAGES_IRQL:
        KeRaiseIrql(DISPATCH_LEVEL + 1, &irql);
        two_pages();
        break;
    default:
        break;
    }
}

static KEVENT never;

/* Waits for an event nobody sets. */
static void waits_forever(PVOID context)
{
    KeWaitForSingleObject(&never, Executive, KernelMode, FALSE, NULL);
}

static KMUTEX mutex;

/* Takes the mutex and returns owning it. */
static void returns_owning_mutex(PVOID context)
{
    KeWaitForSingleObject(&mutex, Executive, KernelMode, FALSE, NULL);
}

/* A system thread running @routine, referenced in *@thread; its handle closed. */
static BOOLEAN start_thread(PKSTART_ROUTINE routine, PVOID *thread)
{
    HANDLE handle;

    if (!NT_SUCCESS(
            PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, routine, NULL)))
        return FALSE;
    ObReferenceObjectByHandle(handle, SYNCHRONIZE, (POBJECT_TYPE)PsThreadType, KernelMode, thread,
                              NULL);
    ZwClose(handle);
    return *thread != NULL;
}

/* ZwOpenKey of \Registry\Machine\System with @attributes_flags; the handle. */
static HANDLE open_system_key(ULONG attributes_flags)
{
    UNICODE_STRING path = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\System");
    OBJECT_ATTRIBUTES attributes;
    HANDLE key = NULL;

    InitializeObjectAttributes(&attributes, &path, attributes_flags, NULL, NULL);
    ZwOpenKey(&key, KEY_READ, &attributes);
    return key;
}

/* The cases about handles, threads and the registry. */
static void misbehave_with_objects(void)
{
    HANDLE handle;
    PVOID object = NULL;
    KIRQL irql;

    switch (chosen) {
    case CLOSE_BAD:
        ZwClose((HANDLE)(LONG_PTR)(LONG)0x80001234);
        break;
    case THREAD_RUNNING:
        KeInitializeEvent(&never, NotificationEvent, FALSE);
        if (NT_SUCCESS(PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, NULL,
                                            waits_forever, NULL)))
            ZwClose(handle);
        break;
    case HANDLE_LEAK:
        open_system_key(OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE);
        break;
    case TERMINATE_OTHER:
        PsTerminateSystemThread(STATUS_SUCCESS);
        break;
    case REGISTRY_IRQL:
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        open_system_key(OBJ_KERNEL_HANDLE);
        break;
    case USER_HANDLE:
        open_system_key(OBJ_CASE_INSENSITIVE);
        break;
    case THREAD_TYPE:
        KeInitializeEvent(&never, NotificationEvent, TRUE);
        if (NT_SUCCESS(PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, NULL,
                                            waits_forever, NULL)))
            ObReferenceObjectByHandle(handle, SYNCHRONIZE, *PsThreadType, KernelMode, &object,
                                      NULL);
        break;
    case THREAD_DEREF:
        /* Its own reference and this one: the second dereference takes the running thread's. */
        KeInitializeEvent(&never, NotificationEvent, FALSE);
        if (start_thread(waits_forever, &object)) {
            ObDereferenceObject(object);
            ObDereferenceObject(object);
        }
        break;
    case MUTEX_HELD:
        KeInitializeMutex(&mutex, 0);
        if (start_thread(returns_owning_mutex, &object))
            KeWaitForSingleObject(object, Executive, KernelMode, FALSE, NULL);
        break;
    case CLOSE_PSEUDO:
        ZwClose(NtCurrentThread());
        break;
    default:
        break;
    }
}

static void misbehave_in_entry(DRIVER_OBJECT *driver)
{
    DEVICE_OBJECT *device;
    KEVENT event;
    KIRQL irql;
    volatile UCHAR *p;

    switch (chosen) {
    case DDI_IRQL:
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        IoCreateDevice(driver, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
        break;
    case WAIT_DISPATCH:
        KeInitializeEvent(&event, NotificationEvent, FALSE);
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        break;
    case SPINLOCK_HELD:
        KeInitializeSpinLock(&lock);
        KeAcquireSpinLock(&lock, &irql);
        break;
    case POOL_LEAK:
        ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'kaeL');
        break;
    case POOL_OVERRUN:
        p = ExAllocatePoolWithTag(NonPagedPoolNx, 10, 'revO');
        if (p) {
            p[10] = 0;
            ExFreePoolWithTag((void *)p, 'revO');
        }
        break;
    case BUGCHECK:
        KeBugCheckEx(0xDEAD, 1, 2, 3, 4);
        break;
    case STACK_OVERFLOW:
        recurse(64, NULL);
        break;
    case NULL_WRITE:
        p = NULL;
        __asm__ volatile("" : "+r"(p)); /* the compiler must not see the NULL */
        *p = 1;
        break;
    default:
        break;
    }
}

DRIVER_INITIALIZE DriverEntry;

__attribute__((section("INIT"))) NTSTATUS DriverEntry(DRIVER_OBJECT *driver,
                                                      UNICODE_STRING *registry_path)
{
    for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (service_is(registry_path, names[i].name))
            chosen = names[i].what;
    }
    /* Windows's format rules: %ld and %lx are 32 bits, %I64x 64, %wZ a UNICODE_STRING. */
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "misbehave: case %d, %ld %lx %I64x %s %wZ\n",
               (int)chosen, (long)-1, (unsigned long)0xfffffffful,
               (unsigned long long)0x123456789abull, "text", registry_path);
    driver->MajorFunction[IRP_MJ_PNP] = dispatch_pnp;
    driver->DriverExtension->AddDevice = add_device;
    driver->DriverUnload = unload;
    misbehave_in_entry(driver);
    misbehave_with_mdls();
    misbehave_with_objects();
    return STATUS_SUCCESS;
}
