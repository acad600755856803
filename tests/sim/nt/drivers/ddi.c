/*
 * tests/sim/nt/drivers/ddi.c - the simulated kernel's functions, each checked
 * from a driver image against what Microsoft documents it to do: events
 * and waits with and without timeouts, delays, timers (one-shot and
 * periodic) with their DPCs, DPCs targeted at a processor, spinlocks and
 * fast mutexes with the IRQLs they hold, kernel mutexes (taken again by
 * their owner) and semaphores, system and I/O work items, pool alignment
 * and physical addresses, MDLs (over pool, locked, mapped, chained to an
 * IRP), pages for MDLs and contiguous memory with their frames, object
 * references, IRPs, processors, the KUSER_SHARED_DATA clocks, the run-time
 * library and DbgPrint, system threads (their handles, NtCurrentThread()), the registry
 * DDIs on the values ddi.inf seeded, and (in AddDevice, on the platform
 * device) synchronizing with an interrupt, the device's registry keys and
 * its IDs.
 * Each check logs
 * "ddi: <name>: ok" or "ddi: <name>: FAILED ..."; the last line counts
 * them. A driver would see a stub, a missing wake-up or a wrong IRQL here.
 */
#include "nt_headers.h"
#include <stdio.h> /* the kernel C library's _vsnprintf */

#define TAG   'iddT'
#define MS(n) (-(LONGLONG)(n)*10000)

static ULONG checks, failures;
/* Counted through a pointer held as an absolute address: the image is relocatable, as drivers are. */
static ULONG *volatile failures_at = &failures;

static void check(const char *name, BOOLEAN ok, LONGLONG detail)
{
    checks++;
    if (!ok)
        (*failures_at)++;
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL,
               ok ? "ddi: %s: ok\n" : "ddi: %s: FAILED (%I64d)\n", name, detail);
}

static LONGLONG elapsed_ms(ULONGLONG since)
{
    return (LONGLONG)(KeQueryInterruptTime() - since) / 10000;
}

static void events(void)
{
    KEVENT sync, notification;
    LARGE_INTEGER zero = {.QuadPart = 0}, twenty = {.QuadPart = MS(20)};
    ULONGLONG start;
    NTSTATUS status;

    KeInitializeEvent(&sync, SynchronizationEvent, FALSE);
    check("event starts as initialized", KeReadStateEvent(&sync) == 0, KeReadStateEvent(&sync));
    check("KeSetEvent returns the previous state", KeSetEvent(&sync, 0, FALSE) == 0, 0);
    check("a set event is signalled", KeReadStateEvent(&sync) == 1, KeReadStateEvent(&sync));
    status = KeWaitForSingleObject(&sync, Executive, KernelMode, FALSE, &zero);
    check("a wait on a signalled event succeeds", status == STATUS_SUCCESS, status);
    check("a synchronization event resets when a wait is satisfied", KeReadStateEvent(&sync) == 0,
          KeReadStateEvent(&sync));
    status = KeWaitForSingleObject(&sync, Executive, KernelMode, FALSE, &zero);
    check("a zero timeout on an unsignalled event times out", status == STATUS_TIMEOUT, status);
    start = KeQueryInterruptTime();
    status = KeWaitForSingleObject(&sync, Executive, KernelMode, FALSE, &twenty);
    check("a relative timeout times out", status == STATUS_TIMEOUT, status);
    check("a 20 ms timeout waits 20 ms or more", elapsed_ms(start) >= 20, elapsed_ms(start));

    KeInitializeEvent(&notification, NotificationEvent, TRUE);
    status = KeWaitForSingleObject(&notification, Executive, KernelMode, FALSE, &zero);
    check("a notification event stays signalled after a wait",
          status == STATUS_SUCCESS && KeReadStateEvent(&notification) == 1, status);
    check("KeResetEvent returns the previous state", KeResetEvent(&notification) == 1, 0);
    KeSetEvent(&notification, 0, FALSE);
    KeClearEvent(&notification);
    check("KeClearEvent clears", KeReadStateEvent(&notification) == 0, 0);
}

static void delays(void)
{
    LARGE_INTEGER ten = {.QuadPart = MS(10)};
    ULONGLONG start = KeQueryInterruptTime();
    LARGE_INTEGER system_time;
    ULONG64 ticks_before, ticks_after;

    KeQueryTickCount((PLARGE_INTEGER)&ticks_before);
    KeDelayExecutionThread(KernelMode, FALSE, &ten);
    check("KeDelayExecutionThread waits its interval", elapsed_ms(start) >= 10, elapsed_ms(start));
    KeQuerySystemTime(&system_time);
    /* 2020-01-01 in 100 ns units since 1601. */
    check("KeQuerySystemTime is today's time", system_time.QuadPart > 132223104000000000LL,
          system_time.QuadPart);
    KeDelayExecutionThread(KernelMode, FALSE, &(LARGE_INTEGER){.QuadPart = MS(40)});
    KeQueryTickCount((PLARGE_INTEGER)&ticks_after);
    check("the tick count advances", ticks_after > ticks_before,
          (LONGLONG)(ticks_after - ticks_before));
}

struct dpc_record {
    KEVENT ran;
    volatile LONG runs;
    ULONG processor;
    KIRQL irql;
};

static void record_dpc(KDPC *dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    struct dpc_record *r = context;

    r->processor = KeGetCurrentProcessorNumberEx(NULL);
    r->irql = KeGetCurrentIrql();
    InterlockedIncrement(&r->runs);
    KeSetEvent(&r->ran, 0, FALSE);
}

static void dpcs_and_timers(void)
{
    struct dpc_record r = {0};
    LARGE_INTEGER second = {.QuadPart = MS(1000)}, fifty = {.QuadPart = MS(50)};
    KDPC dpc;
    KTIMER timer;
    NTSTATUS status;
    LONG runs;

    KeInitializeEvent(&r.ran, NotificationEvent, FALSE);
    KeInitializeDpc(&dpc, record_dpc, &r);
    KeSetTargetProcessorDpc(&dpc, 1);
    check("KeRemoveQueueDpc of a DPC not queued", KeRemoveQueueDpc(&dpc) == FALSE, 0);
    check("KeInsertQueueDpc queues", KeInsertQueueDpc(&dpc, NULL, NULL) == TRUE, 0);
    status = KeWaitForSingleObject(&r.ran, Executive, KernelMode, FALSE, &second);
    check("a queued DPC runs", status == STATUS_SUCCESS, status);
    check("a DPC runs on its target processor", r.processor == 1, r.processor);
    check("a DPC runs at DISPATCH_LEVEL", r.irql == DISPATCH_LEVEL, r.irql);
    KeFlushQueuedDpcs();

    KeClearEvent(&r.ran);
    KeInitializeTimer(&timer);
    check("KeSetTimer of a timer not set", KeSetTimer(&timer, fifty, &dpc) == FALSE, 0);
    check("a set timer is not signalled before it is due", KeReadStateTimer(&timer) == FALSE, 0);
    status = KeWaitForSingleObject(&timer, Executive, KernelMode, FALSE, &second);
    check("a timer signals when due", status == STATUS_SUCCESS, status);
    status = KeWaitForSingleObject(&r.ran, Executive, KernelMode, FALSE, &second);
    check("a timer queues its DPC", status == STATUS_SUCCESS, status);
    check("KeCancelTimer of a timer that fired", KeCancelTimer(&timer) == FALSE, 0);

    r.runs = 0;
    KeSetTimerEx(&timer, (LARGE_INTEGER){.QuadPart = MS(5)}, 5, &dpc);
    KeDelayExecutionThread(KernelMode, FALSE, &(LARGE_INTEGER){.QuadPart = MS(60)});
    check("KeCancelTimer of a periodic timer", KeCancelTimer(&timer) == TRUE, 0);
    KeFlushQueuedDpcs();
    runs = r.runs;
    check("a periodic timer fires again and again", runs >= 3, runs);
    KeDelayExecutionThread(KernelMode, FALSE, &(LARGE_INTEGER){.QuadPart = MS(30)});
    check("a cancelled timer fires no more", r.runs == runs, r.runs - runs);
}

static void locks(void)
{
    KSPIN_LOCK lock;
    FAST_MUTEX mutex, other;
    KIRQL old;

    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &old);
    check("a spinlock raises to DISPATCH_LEVEL",
          KeGetCurrentIrql() == DISPATCH_LEVEL && old == PASSIVE_LEVEL, KeGetCurrentIrql());
    KeReleaseSpinLock(&lock, old);
    check("releasing it restores the IRQL", KeGetCurrentIrql() == PASSIVE_LEVEL,
          KeGetCurrentIrql());
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeAcquireSpinLockAtDpcLevel(&lock);
    check("a spinlock at DPC level leaves the IRQL", KeGetCurrentIrql() == DISPATCH_LEVEL,
          KeGetCurrentIrql());
    KeReleaseSpinLockFromDpcLevel(&lock);
    check("KeTryToAcquireSpinLockAtDpcLevel takes a free lock",
          KeTryToAcquireSpinLockAtDpcLevel(&lock) == TRUE, 0);
    check("KeTryToAcquireSpinLockAtDpcLevel leaves a held one",
          KeTryToAcquireSpinLockAtDpcLevel(&lock) == FALSE, 0);
    KeReleaseSpinLockFromDpcLevel(&lock);
    KeLowerIrql(old);

    ExInitializeFastMutex(&mutex);
    ExInitializeFastMutex(&other);
    ExAcquireFastMutex(&mutex);
    check("a fast mutex raises to APC_LEVEL", KeGetCurrentIrql() == APC_LEVEL, KeGetCurrentIrql());
    check("ExTryToAcquireFastMutex takes a free one", ExTryToAcquireFastMutex(&other) == TRUE, 0);
    ExReleaseFastMutex(&other);
    ExReleaseFastMutex(&mutex);
    check("releasing it restores the IRQL", KeGetCurrentIrql() == PASSIVE_LEVEL,
          KeGetCurrentIrql());
}

static void mutexes_and_semaphores(void)
{
    LARGE_INTEGER zero = {.QuadPart = 0};
    KMUTEX mutex;
    KSEMAPHORE semaphore;
    NTSTATUS status;

    KeInitializeMutex(&mutex, 0);
    check("a new mutex is free", KeReadStateMutex(&mutex) == 1, KeReadStateMutex(&mutex));
    status = KeWaitForSingleObject(&mutex, Executive, KernelMode, FALSE, NULL);
    check("a free mutex is taken", status == STATUS_SUCCESS && KeReadStateMutex(&mutex) == 0,
          status);
    status = KeWaitForSingleObject(&mutex, Executive, KernelMode, FALSE, &zero);
    check("its owner takes it again", status == STATUS_SUCCESS && KeReadStateMutex(&mutex) == -1,
          KeReadStateMutex(&mutex));
    check("KeReleaseMutex returns the previous state", KeReleaseMutex(&mutex, FALSE) == -1, 0);
    KeReleaseMutex(&mutex, FALSE);
    check("released as often as taken, it is free", KeReadStateMutex(&mutex) == 1,
          KeReadStateMutex(&mutex));

    KeInitializeSemaphore(&semaphore, 2, 3);
    status = KeWaitForSingleObject(&semaphore, Executive, KernelMode, FALSE, &zero);
    check("a semaphore counts down",
          status == STATUS_SUCCESS && KeReadStateSemaphore(&semaphore) == 1,
          KeReadStateSemaphore(&semaphore));
    KeWaitForSingleObject(&semaphore, Executive, KernelMode, FALSE, &zero);
    status = KeWaitForSingleObject(&semaphore, Executive, KernelMode, FALSE, &zero);
    check("a semaphore at zero is not signalled", status == STATUS_TIMEOUT, status);
    check("KeReleaseSemaphore returns the previous count",
          KeReleaseSemaphore(&semaphore, 0, 3, FALSE) == 0, 0);
    check("and adds its adjustment", KeReadStateSemaphore(&semaphore) == 3,
          KeReadStateSemaphore(&semaphore));
}

struct io_work_record {
    PIO_WORKITEM item;
    KEVENT done;
    DEVICE_OBJECT *device;
    PVOID context;
    PIO_WORKITEM item_seen;
};

static void io_work_routine(PVOID device, PVOID context, PIO_WORKITEM item)
{
    struct io_work_record *r = context;

    r->device = device;
    r->context = context;
    r->item_seen = item;
    KeSetEvent(&r->done, 0, FALSE);
}

static void io_work_items(DRIVER_OBJECT *driver)
{
    struct io_work_record r = {0};
    LARGE_INTEGER second = {.QuadPart = MS(1000)};
    DEVICE_OBJECT *device;
    NTSTATUS status;

    if (!NT_SUCCESS(IoCreateDevice(driver, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device)))
        return;
    KeInitializeEvent(&r.done, NotificationEvent, FALSE);
    r.item = IoAllocateWorkItem(device);
    check("IoAllocateWorkItem", r.item != NULL, 0);
    if (r.item) {
        IoQueueWorkItemEx(r.item, io_work_routine, DelayedWorkQueue, &r);
        status = KeWaitForSingleObject(&r.done, Executive, KernelMode, FALSE, &second);
        check("an I/O work item runs", status == STATUS_SUCCESS, status);
        check("with its device, context and item",
              r.device == device && r.context == &r && r.item_seen == r.item, 0);
        /* Its reference on the device is gone once the routine returned. */
        KeDelayExecutionThread(KernelMode, FALSE, &(LARGE_INTEGER){.QuadPart = MS(20)});
        IoFreeWorkItem(r.item);
    }
    IoDeleteDevice(device);
}

struct work_record {
    WORK_QUEUE_ITEM item;
    KEVENT done;
    PKTHREAD thread;
    KIRQL irql;
};

static void work_routine(PVOID context)
{
    struct work_record *w = context;

    w->thread = KeGetCurrentThread();
    w->irql = KeGetCurrentIrql();
    KeSetEvent(&w->done, 0, FALSE);
}

static void work_items(void)
{
    struct work_record w = {0};
    LARGE_INTEGER second = {.QuadPart = MS(1000)};
    NTSTATUS status;

    KeInitializeEvent(&w.done, NotificationEvent, FALSE);
    ExInitializeWorkItem(&w.item, work_routine, &w);
    ExQueueWorkItem(&w.item, DelayedWorkQueue);
    status = KeWaitForSingleObject(&w.done, Executive, KernelMode, FALSE, &second);
    check("a work item runs", status == STATUS_SUCCESS, status);
    check("on a system thread", w.thread != NULL && w.thread != KeGetCurrentThread(), 0);
    check("at PASSIVE_LEVEL", w.irql == PASSIVE_LEVEL, w.irql);
}

static void strings(void)
{
    static const char word[] = "winpv";
    char copy[8];
    const char *last;
    char *small = ExAllocatePoolWithTag(NonPagedPoolNx, 16, TAG);

    check("strlen", strlen("winpv") == 5, (LONGLONG)strlen("winpv"));
    check("strnlen stops at its bound", strnlen("winpv", 3) == 3, (LONGLONG)strnlen("winpv", 3));
    check("strcmp orders", strcmp("abc", "abd") < 0 && strcmp("abc", "abc") == 0, 0);
    check("strncmp compares a prefix", strncmp("abcX", "abcY", 3) == 0, 0);
    check("memchr finds a byte", memchr(word, 'p', 5) == &word[3], 0);
    last = strrchr("a/b/c", '/');
    check("strrchr finds the last, or none",
          last && strcmp(last, "/c") == 0 && strrchr(word, 'z') == NULL, 0);
    check("strcpy copies with the terminator", strcmp(strcpy(copy, "xen"), "xen") == 0, 0);
    /* ExFreePool frees without a tag: a block left would show as a leak at unload. */
    if (small)
        ExFreePool(small);
    DbgPrint("ddi: DbgPrint %d %s\n", 42, "printed");
}

static int format(char *buf, size_t count, const char *fmt, ...)
{
    va_list args;
    int n;

    va_start(args, fmt);
    n = _vsnprintf(buf, count, fmt, args);
    va_end(args);
    return n;
}

static void formatting(void)
{
    char buf[32];
    KIRQL old;
    int n;

    memset(buf, 'x', sizeof(buf));
    n = format(buf, sizeof(buf), "%s %lu %I64x", "id", 0x80000001ul, 0x123456789ull);
    check("_vsnprintf formats with Windows's widths",
          n == 23 && strcmp(buf, "id 2147483649 123456789") == 0, n);
    memset(buf, 'x', sizeof(buf));
    n = format(buf, 4, "%d", 12345);
    check("_vsnprintf cut: -1, no terminator", n == -1 && memcmp(buf, "1234x", 5) == 0, n);
    n = format(buf, 5, "%d", 12345);
    check("_vsnprintf exactly full: the count, no terminator",
          n == 5 && memcmp(buf, "12345x", 6) == 0, n);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    n = format(buf, sizeof(buf), "%u:%c", 7u, 'z');
    KeLowerIrql(old);
    check("_vsnprintf at DISPATCH_LEVEL", n == 3 && strcmp(buf, "7:z") == 0, n);
}

static void memory(DRIVER_OBJECT *driver)
{
    UCHAR *two_pages = ExAllocatePoolWithTag(NonPagedPoolNx, 2 * PAGE_SIZE, TAG);
    UCHAR text[16] = "abcdefghijklmno";
    DEVICE_OBJECT *device;
    IRP *irp;

    check("two pages of pool", two_pages != NULL, 0);
    if (two_pages == NULL)
        return;
    check("a page or more of pool starts on a page", ((ULONG_PTR)two_pages & (PAGE_SIZE - 1)) == 0,
          (ULONG_PTR)two_pages & (PAGE_SIZE - 1));
    check("pool has guest frames", MmGetPhysicalAddress(two_pages).QuadPart != 0, 0);
    check("each page its own frame",
          MmGetPhysicalAddress(two_pages + PAGE_SIZE).QuadPart -
                  MmGetPhysicalAddress(two_pages).QuadPart ==
              PAGE_SIZE,
          MmGetPhysicalAddress(two_pages + PAGE_SIZE).QuadPart -
              MmGetPhysicalAddress(two_pages).QuadPart);
    ExFreePoolWithTag(two_pages, TAG);

    check("RtlCompareMemory counts the equal prefix", RtlCompareMemory(text, "abcdXf", 6) == 4,
          (LONGLONG)RtlCompareMemory(text, "abcdXf", 6));
    memmove(text + 1, text, 4);
    check("memmove copies overlapping bytes", memcmp(text, "aabcdfghijklmno", 15) == 0, 0);
    strings();

    irp = IoAllocateIrp(3, FALSE);
    check("IoAllocateIrp gives the stack asked for",
          irp && irp->StackCount == 3 && irp->CurrentLocation == 4, irp ? irp->StackCount : -1);
    if (irp)
        IoFreeIrp(irp);

    if (NT_SUCCESS(IoCreateDevice(driver, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device))) {
        ObReferenceObject(device);
        IoDeleteDevice(device);
        /* Still referenced: the object stays readable until the last reference goes. */
        check("a deleted device lives while referenced", device->Type == IO_TYPE_DEVICE,
              device->Type);
        ObDereferenceObject(device);
    }
}

/* The frame of the page at @va, as a driver learns it. */
static ULONG64 frame_of(const void *va)
{
    return (ULONG64)MmGetPhysicalAddress((PVOID)va).QuadPart >> PAGE_SHIFT;
}

/* Whether each page of @mdl's buffer is the frame its PFN array names. */
static BOOLEAN frames_match(MDL *mdl, const UCHAR *va)
{
    PPFN_NUMBER pfns = MmGetMdlPfnArray(mdl);
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, MmGetMdlByteCount(mdl));

    for (ULONG i = 0; i < pages; i++) {
        if (pfns[i] != frame_of((const UCHAR *)PAGE_ALIGN(va) + i * PAGE_SIZE))
            return FALSE;
    }
    return TRUE;
}

/* MDLs over a driver's own buffer: built for nonpaged pool, locked, mapped, chained to an IRP. */
static void mdls(void)
{
    UCHAR *pool = ExAllocatePoolWithTag(NonPagedPoolNx, 3 * PAGE_SIZE, TAG), *mapped;
    UCHAR *buffer = pool + 100;
    MDL *mdl, *second;
    IRP *irp;

    if (pool == NULL)
        return;
    mdl = IoAllocateMdl(buffer, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    check("IoAllocateMdl describes the buffer",
          mdl && MmGetMdlVirtualAddress(mdl) == buffer && mdl->ByteOffset == 100 &&
              mdl->Size == sizeof(MDL) + 3 * sizeof(PFN_NUMBER) && mdl->MdlFlags == 0,
          mdl ? mdl->Size : -1);
    if (mdl == NULL)
        goto out;
    MmBuildMdlForNonPagedPool(mdl);
    check("MmBuildMdlForNonPagedPool gives each page's frame", frames_match(mdl, buffer), 0);
    check("and its system address is the buffer's",
          MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) == buffer, 0);
    IoFreeMdl(mdl);

    /* An MDL the driver makes in its own memory: its Size says how many frames it has room for. */
    mdl = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(MDL) + 3 * sizeof(PFN_NUMBER), TAG);
    if (mdl) {
        MmInitializeMdl(mdl, buffer, 2 * PAGE_SIZE);
        MmBuildMdlForNonPagedPool(mdl);
        check("an MDL of the driver's own gets its frames", frames_match(mdl, buffer), mdl->Size);
        ExFreePoolWithTag(mdl, TAG);
    }

    mdl = IoAllocateMdl(buffer, PAGE_SIZE, FALSE, FALSE, NULL);
    if (mdl) {
        MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
        check("MmProbeAndLockPages locks the pages and gives their frames",
              (mdl->MdlFlags & MDL_PAGES_LOCKED) && frames_match(mdl, buffer), mdl->MdlFlags);
        mapped = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
        check("a locked MDL is mapped at an address of its own", mapped && mapped != buffer, 0);
        if (mapped) {
            mapped[7] = 0x5c;
            check("which shows the buffer's frames",
                  buffer[7] == 0x5c && frame_of(mapped) == frame_of(buffer), buffer[7]);
        }
        MmUnlockPages(mdl);
        check("MmUnlockPages unlocks and unmaps",
              (mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA)) == 0, mdl->MdlFlags);
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
        mapped = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoWrite |
                                                       MdlMappingNoExecute);
        check("a mapping asked read-only and not executable reads the buffer",
              mapped && mapped[7] == 0x5c, mapped ? mapped[7] : -1);
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }

    irp = IoAllocateIrp(1, FALSE);
    if (irp) {
        mdl = IoAllocateMdl(buffer, 16, FALSE, FALSE, irp);
        second = IoAllocateMdl(buffer + 16, 16, TRUE, FALSE, irp);
        check("an IRP's MDL and a secondary one chained after it",
              mdl && second && irp->MdlAddress == mdl && mdl->Next == second, 0);
        if (second)
            IoFreeMdl(second);
        if (mdl)
            IoFreeMdl(mdl);
        IoFreeIrp(irp);
    }
out:
    ExFreePoolWithTag(pool, TAG);
}

static BOOLEAN all_bytes(const UCHAR *p, SIZE_T n, UCHAR value)
{
    for (SIZE_T i = 0; i < n; i++) {
        if (p[i] != value)
            return FALSE;
    }
    return TRUE;
}

/* Pages for an MDL, as a balloon driver takes them: distinct, zeroed, mappable, reused once freed. */
static ULONG64 mdl_pages(void)
{
    PHYSICAL_ADDRESS low = {.QuadPart = 0}, high = {.QuadPart = -1}, skip = {.QuadPart = 0};
    MDL *mdl = MmAllocatePagesForMdlEx(low, high, skip, 8 * PAGE_SIZE, MmCached, 0), *other;
    PPFN_NUMBER pfns;
    ULONG64 lowest = ~0ull;
    BOOLEAN distinct = TRUE, zeroed, written = TRUE;
    UCHAR *va;

    check("MmAllocatePagesForMdlEx gives the pages asked for",
          mdl && MmGetMdlByteCount(mdl) == 8 * PAGE_SIZE && (mdl->MdlFlags & MDL_PAGES_LOCKED),
          mdl ? MmGetMdlByteCount(mdl) : 0);
    if (mdl == NULL)
        return 0;
    pfns = MmGetMdlPfnArray(mdl);
    for (ULONG i = 0; i < 8; i++) {
        for (ULONG j = 0; j < i; j++)
            distinct &= pfns[i] != pfns[j];
        lowest = pfns[i] < lowest ? pfns[i] : lowest;
    }
    check("each page a frame of its own", distinct, 0);
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    check("mapped at one system address", va != NULL, 0);
    if (va) {
        zeroed = all_bytes(va, 8 * PAGE_SIZE, 0);
        check("zeroed", zeroed, 0);
        for (ULONG i = 0; i < 8; i++) {
            written &= frame_of(va + i * PAGE_SIZE) == pfns[i];
            RtlFillMemory(va + i * PAGE_SIZE, PAGE_SIZE, (UCHAR)(i + 1));
        }
        check("each page of the mapping its frame", written, 0);
        other = IoAllocateMdl(va + PAGE_SIZE, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
        if (other) {
            MmBuildMdlForNonPagedPool(other);
            check("an MDL over the mapping has its frames",
                  MmGetMdlPfnArray(other)[0] == pfns[1] && MmGetMdlPfnArray(other)[1] == pfns[2],
                  MmGetMdlPfnArray(other)[0]);
            IoFreeMdl(other);
        }
        MmUnmapLockedPages(va, mdl);
        va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
        written = va != NULL;
        for (ULONG i = 0; va && i < 8; i++)
            written &= all_bytes(va + i * PAGE_SIZE, PAGE_SIZE, (UCHAR)(i + 1));
        check("mapped again, what was written is there", written, 0);
        if (va)
            MmUnmapLockedPages(va, mdl);
    }
    MmFreePagesFromMdl(mdl);
    ExFreePool(mdl);
    return lowest;
}

/* One page asked in the range of frame @frame alone (then @skip further each time), with @flags. */
static MDL *page_in(ULONG64 frame, LONGLONG skip, ULONG pages, ULONG flags)
{
    PHYSICAL_ADDRESS low = {.QuadPart = (LONGLONG)(frame << PAGE_SHIFT)};
    PHYSICAL_ADDRESS high = {.QuadPart = low.QuadPart + PAGE_SIZE - 1}, step = {.QuadPart = skip};

    return MmAllocatePagesForMdlEx(low, high, step, pages * PAGE_SIZE, MmCached, flags);
}

static void free_mdl_pages(MDL *mdl)
{
    if (mdl) {
        MmFreePagesFromMdl(mdl);
        ExFreePool(mdl);
    }
}

/* The address ranges and flags of MmAllocatePagesForMdlEx, on a frame mdl_pages freed. */
static void mdl_page_ranges(ULONG64 freed)
{
    MDL *mdl = page_in(freed, 0, 4, 0), *other;
    UCHAR *va;
    KIRQL irql;

    check("a freed frame is given again, fewer pages than asked when the range holds fewer",
          mdl && MmGetMdlByteCount(mdl) == PAGE_SIZE && MmGetMdlPfnArray(mdl)[0] == freed,
          mdl ? MmGetMdlByteCount(mdl) : 0);
    other = page_in(freed, 0, 1, 0);
    check("none from a range without a free frame", other == NULL, 0);
    free_mdl_pages(other);
    other = page_in(freed, PAGE_SIZE, 1, 0);
    check("SkipBytes moves on to the next range", other && MmGetMdlPfnArray(other)[0] > freed,
          other ? MmGetMdlPfnArray(other)[0] : 0);
    free_mdl_pages(other);
    free_mdl_pages(mdl);
    mdl = page_in(freed, 0, 2, MM_ALLOCATE_FULLY_REQUIRED);
    check("MM_ALLOCATE_FULLY_REQUIRED: all or none", mdl == NULL, 0);
    free_mdl_pages(mdl);
    mdl = page_in(freed, 0, 1, MM_DONT_ZERO_ALLOCATION);
    va = mdl ? MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) : NULL;
    /* The kernel fills what it does not zero, so a driver relying on zeros shows. */
    check("MM_DONT_ZERO_ALLOCATION leaves the page unzeroed", va && va[0] != 0, va ? va[0] : -1);
    if (va)
        MmUnmapLockedPages(va, mdl);
    free_mdl_pages(mdl);
    /* Windows Server 2008 and later allow both calls at DISPATCH_LEVEL. */
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    mdl = page_in(freed, 0, 1, MM_ALLOCATE_NO_WAIT);
    free_mdl_pages(mdl);
    KeLowerIrql(irql);
    check("pages for an MDL taken and freed at DISPATCH_LEVEL", mdl != NULL, 0);
}

/* Physically contiguous memory, within a boundary; an MDL over it has frames in a row. */
static void contiguous(void)
{
    PHYSICAL_ADDRESS low = {.QuadPart = 0}, high = {.QuadPart = -1};
    PHYSICAL_ADDRESS boundary = {.QuadPart = 2 * PAGE_SIZE}, none = {.QuadPart = 0};
    UCHAR *three = MmAllocateContiguousMemorySpecifyCache(3 * PAGE_SIZE, low, high, none, MmCached);
    UCHAR *two =
        MmAllocateContiguousMemorySpecifyCache(2 * PAGE_SIZE, low, high, boundary, MmCached);
    MDL *mdl;

    check("MmAllocateContiguousMemorySpecifyCache gives frames in a row",
          three && frame_of(three + PAGE_SIZE) == frame_of(three) + 1 &&
              frame_of(three + 2 * PAGE_SIZE) == frame_of(three) + 2,
          0);
    check("crossing no boundary asked", two && frame_of(two) % 2 == 0, two ? frame_of(two) : 0);
    mdl = three ? IoAllocateMdl(three, 3 * PAGE_SIZE, FALSE, FALSE, NULL) : NULL;
    if (mdl) {
        MmBuildMdlForNonPagedPool(mdl);
        check("an MDL over it has its frames", frames_match(mdl, three), 0);
        IoFreeMdl(mdl);
    }
    if (three)
        MmFreeContiguousMemory(three);
    if (two)
        MmFreeContiguousMemorySpecifyCache(two, 2 * PAGE_SIZE, MmCached);
}

static void processors(void)
{
    PROCESSOR_NUMBER number;
    ULONG count = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
    ULONG index = KeGetCurrentProcessorNumberEx(&number);

    check("the guest's processors are counted", count == 2, count);
    check("the current processor is one of them", index < count && number.Number == index, index);
}

/*
 * The thread object type. The WDK declares PsThreadType as the import slot
 * (*PsThreadType is the type); mingw-w64 declares it dllimport, which reads
 * through the slot already: its PsThreadType is the type.
 */
#define THREAD_TYPE ((POBJECT_TYPE)PsThreadType)

struct thread_record {
    KEVENT go;
    PKTHREAD self;
    HANDLE id;
    KIRQL irql;
    NTSTATUS self_status; /* ObReferenceObjectByHandle(NtCurrentThread()) */
    PVOID self_object;
    ACCESS_MASK self_access;
    volatile LONG ran;
};

/* What the thread sees of itself: its object, IRQL and ID, and itself through NtCurrentThread(). */
static void note_self(struct thread_record *r)
{
    OBJECT_HANDLE_INFORMATION information = {0};

    r->self = KeGetCurrentThread();
    r->id = PsGetCurrentThreadId();
    r->irql = KeGetCurrentIrql();
    r->self_status = ObReferenceObjectByHandle(NtCurrentThread(), SYNCHRONIZE, THREAD_TYPE,
                                               KernelMode, &r->self_object, &information);
    r->self_access = information.GrantedAccess;
    if (NT_SUCCESS(r->self_status))
        ObDereferenceObject(r->self_object);
}

/* Waits for its go, then ends itself. */
static void waiting_thread(PVOID context)
{
    struct thread_record *r = context;

    note_self(r);
    KeWaitForSingleObject(&r->go, Executive, KernelMode, FALSE, NULL);
    r->ran = 1;
    PsTerminateSystemThread(STATUS_SUCCESS);
}

/* Waits for its go, then returns without PsTerminateSystemThread, which ends a thread as well. */
static void returning_thread(PVOID context)
{
    struct thread_record *r = context;

    KeWaitForSingleObject(&r->go, Executive, KernelMode, FALSE, NULL);
    r->ran = 1;
}

/* A thread ends when its routine returns: its object is signalled then, not before. */
static void thread_returns(void)
{
    LARGE_INTEGER zero = {.QuadPart = 0}, wait = {.QuadPart = MS(1000)};
    struct thread_record r = {0};
    PVOID thread = NULL;
    HANDLE handle;
    NTSTATUS status;

    KeInitializeEvent(&r.go, NotificationEvent, FALSE);
    status =
        PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, returning_thread, &r);
    check("PsCreateSystemThread with no ObjectAttributes", NT_SUCCESS(status), status);
    if (!NT_SUCCESS(status))
        return;
    status = ObReferenceObjectByHandle(handle, SYNCHRONIZE, THREAD_TYPE, KernelMode, &thread, NULL);
    ZwClose(handle);
    check("ObReferenceObjectByHandle of its handle", NT_SUCCESS(status), status);
    if (!NT_SUCCESS(status))
        return; /* nothing to wait on: the thread waits for its go, never given */
    status = KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &zero);
    check("a thread whose routine has not returned is not signalled", status == STATUS_TIMEOUT,
          status);
    KeSetEvent(&r.go, 0, FALSE);
    status = KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &wait);
    check("a thread whose routine returns is signalled", status == STATUS_SUCCESS && r.ran, status);
    ObDereferenceObject(thread);
}

static void system_threads(void)
{
    struct thread_record r = {0};
    LARGE_INTEGER zero = {.QuadPart = 0}, wait = {.QuadPart = MS(1000)};
    OBJECT_ATTRIBUTES attributes;
    CLIENT_ID client;
    HANDLE handle;
    PVOID thread = NULL, closed;
    NTSTATUS status;

    KeInitializeEvent(&r.go, NotificationEvent, FALSE);
    InitializeObjectAttributes(&attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    status = PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, &attributes, NULL, &client,
                                  waiting_thread, &r);
    check("PsCreateSystemThread", NT_SUCCESS(status), status);
    if (!NT_SUCCESS(status))
        return;
    check("gives a kernel handle", (LONG_PTR)handle < 0, (LONG_PTR)handle);
    status = ObReferenceObjectByHandle(handle, SYNCHRONIZE, THREAD_TYPE, KernelMode, &thread, NULL);
    check("ObReferenceObjectByHandle of a thread handle", NT_SUCCESS(status), status);
    ZwClose(handle);
    status = ObReferenceObjectByHandle(handle, SYNCHRONIZE, NULL, KernelMode, &closed, NULL);
    check("a closed handle is invalid", status == STATUS_INVALID_HANDLE, status);
    if (thread == NULL) {
        KeSetEvent(&r.go, 0, FALSE); /* it ends; nothing to wait on */
        return;
    }
    status = KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &zero);
    check("a running thread is not signalled", status == STATUS_TIMEOUT, status);
    KeSetEvent(&r.go, 0, FALSE);
    status = KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &wait);
    check("a thread is signalled when it terminates", status == STATUS_SUCCESS && r.ran, status);
    check("it ran at PASSIVE_LEVEL as the object referenced",
          r.irql == PASSIVE_LEVEL && r.self == thread, r.irql);
    check("with the ID PsCreateSystemThread gave",
          r.id == client.UniqueThread && r.id != PsGetCurrentThreadId(), (LONG_PTR)r.id);
    check("ObReferenceObjectByHandle(NtCurrentThread()) gives the thread, all access granted",
          NT_SUCCESS(r.self_status) && r.self_object == thread &&
              r.self_access == THREAD_ALL_ACCESS,
          r.self_status);
    status = KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &zero);
    check("and stays signalled", status == STATUS_SUCCESS, status);
    ObDereferenceObject(thread);
    thread_returns();
}

/* The value @name of @key, as partial information in @buffer; its status. */
static NTSTATUS query(HANDLE key, const WCHAR *name, ULONG class, void *buffer, ULONG length,
                      ULONG *result)
{
    UNICODE_STRING string;

    RtlInitUnicodeString(&string, name);
    return ZwQueryValueKey(key, &string, class, buffer, length, result);
}

/* Whether the value @name of @key is the REG_DWORD @expected. */
static BOOLEAN dword_is(HANDLE key, const WCHAR *name, ULONG expected)
{
    union {
        KEY_VALUE_PARTIAL_INFORMATION partial;
        UCHAR bytes[32];
    } buffer;
    ULONG length = 0;
    NTSTATUS status =
        query(key, name, KeyValuePartialInformation, &buffer, sizeof(buffer), &length);

    return NT_SUCCESS(status) && buffer.partial.Type == REG_DWORD &&
           buffer.partial.DataLength == 4 && *(ULONG *)buffer.partial.Data == expected &&
           length == FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data) + 4;
}

static NTSTATUS open_key(HANDLE *key, ACCESS_MASK access, UNICODE_STRING *path, HANDLE root)
{
    OBJECT_ATTRIBUTES attributes;

    InitializeObjectAttributes(&attributes, path, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, root,
                               NULL);
    return ZwOpenKey(key, access, &attributes);
}

/* Reading what ddi.inf seeded under the service key, as Windows answers each buffer size. */
static void registry_reads(HANDLE parameters)
{
    union {
        KEY_VALUE_PARTIAL_INFORMATION partial;
        KEY_VALUE_BASIC_INFORMATION basic;
        KEY_VALUE_FULL_INFORMATION full;
        UCHAR bytes[64];
    } buffer;
    ULONG length = 0;
    NTSTATUS status;

    check("ZwQueryValueKey reads a DWORD the INF seeded",
          dword_is(parameters, L"Seeded", 0x12345678), 0);
    status = query(parameters, L"Seeded", KeyValuePartialInformation, &buffer, 8, &length);
    check("a buffer short of the fixed part: STATUS_BUFFER_TOO_SMALL and the size needed",
          status == STATUS_BUFFER_TOO_SMALL && length == 16, status);
    buffer.partial.DataLength = 0;
    status = query(parameters, L"Seeded", KeyValuePartialInformation, &buffer, 14, &length);
    check("a buffer short of the data: STATUS_BUFFER_OVERFLOW with the fixed part",
          status == STATUS_BUFFER_OVERFLOW && length == 16 && buffer.partial.DataLength == 4,
          status);
    status =
        query(parameters, L"SEEDED", KeyValueBasicInformation, &buffer, sizeof(buffer), &length);
    check("basic information names the value as stored",
          NT_SUCCESS(status) && buffer.basic.NameLength == 12 && length == 12 + 12 &&
              memcmp(buffer.basic.Name, L"Seeded", 12) == 0,
          status);
    status = query(parameters, L"Name", KeyValueFullInformation, &buffer, sizeof(buffer), &length);
    /* 20 bytes fixed, "Name" 8: the data at 28, ULONG-aligned (Align64 would put it at 32). */
    check("full information: the name, then the data 4-byte aligned",
          NT_SUCCESS(status) && buffer.full.Type == REG_SZ && buffer.full.DataOffset == 28 &&
              buffer.full.DataLength == 12 && length == 40 &&
              memcmp(buffer.bytes + 28, L"winpv", 12) == 0,
          status);
    status =
        query(parameters, L"Missing", KeyValuePartialInformation, &buffer, sizeof(buffer), &length);
    check("a value not there", status == STATUS_OBJECT_NAME_NOT_FOUND, status);
}

/* ZwCreateKey relative to the volatile key @runtime: of itself, and of a child. */
static void registry_create_rules(HANDLE runtime)
{
    UNICODE_STRING empty = RTL_CONSTANT_STRING(L""), child = RTL_CONSTANT_STRING(L"Child"),
                   itself = RTL_CONSTANT_STRING(L"Itself");
    OBJECT_ATTRIBUTES attributes;
    ULONG disposition = 0, one = 1;
    HANDLE key;
    NTSTATUS status;

    InitializeObjectAttributes(&attributes, &empty, OBJ_KERNEL_HANDLE, runtime, NULL);
    status =
        ZwCreateKey(&key, KEY_ALL_ACCESS, &attributes, 0, NULL, REG_OPTION_VOLATILE, &disposition);
    check("ZwCreateKey of an empty name opens its RootDirectory",
          NT_SUCCESS(status) && disposition == REG_OPENED_EXISTING_KEY, status);
    if (NT_SUCCESS(status)) {
        status = ZwSetValueKey(key, &itself, 0, REG_DWORD, &one, sizeof(one));
        check("the same key", NT_SUCCESS(status) && dword_is(runtime, L"Itself", 1), status);
        ZwClose(key);
    }
    InitializeObjectAttributes(&attributes, &child, OBJ_KERNEL_HANDLE, runtime, NULL);
    status = ZwCreateKey(&key, KEY_READ, &attributes, 0, NULL, 0, &disposition);
    check("a key that is not volatile under a volatile one: STATUS_CHILD_MUST_BE_VOLATILE",
          status == STATUS_CHILD_MUST_BE_VOLATILE, status);
    if (NT_SUCCESS(status))
        ZwClose(key);
}

/* Writing, through a key ZwCreateKey made, and reading back. */
static void registry_writes(HANDLE service, HANDLE parameters)
{
    UNICODE_STRING runtime = RTL_CONSTANT_STRING(L"Runtime"),
                   written = RTL_CONSTANT_STRING(L"Written");
    OBJECT_ATTRIBUTES attributes;
    ULONG disposition = 0, seven = 7;
    HANDLE key;
    NTSTATUS status;

    status = ZwSetValueKey(parameters, &written, 0, REG_DWORD, &seven, sizeof(seven));
    check("ZwSetValueKey needs KEY_SET_VALUE", status == STATUS_ACCESS_DENIED, status);
    InitializeObjectAttributes(&attributes, &runtime, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE,
                               service, NULL);
    status =
        ZwCreateKey(&key, KEY_ALL_ACCESS, &attributes, 0, NULL, REG_OPTION_VOLATILE, &disposition);
    check("ZwCreateKey creates a key", NT_SUCCESS(status) && disposition == REG_CREATED_NEW_KEY,
          status);
    if (!NT_SUCCESS(status))
        return;
    status = ZwSetValueKey(key, &written, 0, REG_DWORD, &seven, sizeof(seven));
    check("ZwSetValueKey writes a value read back",
          NT_SUCCESS(status) && dword_is(key, L"Written", 7), status);
    status = ZwDeleteValueKey(key, &written);
    check("ZwDeleteValueKey deletes it",
          NT_SUCCESS(status) && ZwDeleteValueKey(key, &written) == STATUS_OBJECT_NAME_NOT_FOUND,
          status);
    registry_create_rules(key);
    ZwClose(key);
    status = ZwCreateKey(&key, KEY_READ, &attributes, 0, NULL, 0, &disposition);
    check("ZwCreateKey opens a key there",
          NT_SUCCESS(status) && disposition == REG_OPENED_EXISTING_KEY, status);
    if (NT_SUCCESS(status))
        ZwClose(key);
}

static void registry(UNICODE_STRING *registry_path)
{
    UNICODE_STRING parameters_name = RTL_CONSTANT_STRING(L"Parameters"),
                   missing = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\NoSuchKey");
    HANDLE service, parameters, key;
    PVOID object;
    NTSTATUS status;

    status = open_key(&service, KEY_READ, registry_path, NULL);
    check("ZwOpenKey opens the service key", NT_SUCCESS(status), status);
    if (!NT_SUCCESS(status))
        return;
    status = open_key(&parameters, KEY_READ, &parameters_name, service);
    check("ZwOpenKey relative to a key handle", NT_SUCCESS(status), status);
    if (NT_SUCCESS(status)) {
        registry_reads(parameters);
        registry_writes(service, parameters);
        ZwClose(parameters);
    }
    status = open_key(&key, KEY_READ, &missing, NULL);
    check("ZwOpenKey of a key not there", status == STATUS_OBJECT_NAME_NOT_FOUND, status);
    status = ObReferenceObjectByHandle(service, KEY_READ, THREAD_TYPE, KernelMode, &object, NULL);
    check("a key handle is no thread's", status == STATUS_OBJECT_TYPE_MISMATCH, status);
    ZwClose(service);
}

/* The keys installing ddi.inf wrote for the platform device. */
static void device_keys(DEVICE_OBJECT *pdo)
{
    union {
        KEY_VALUE_PARTIAL_INFORMATION partial;
        UCHAR bytes[64];
    } buffer;
    ULONG length = 0;
    HANDLE key;
    NTSTATUS status;

    status = IoOpenDeviceRegistryKey(pdo, PLUGPLAY_REGKEY_DEVICE, KEY_READ, &key);
    check("IoOpenDeviceRegistryKey: the hardware key", NT_SUCCESS(status), status);
    if (NT_SUCCESS(status)) {
        check("with the INF's hardware value", dword_is(key, L"DeviceSeeded", 7), 0);
        ZwClose(key);
    }
    status = IoOpenDeviceRegistryKey(pdo, PLUGPLAY_REGKEY_DRIVER, KEY_READ, &key);
    check("IoOpenDeviceRegistryKey: the driver key", NT_SUCCESS(status), status);
    if (NT_SUCCESS(status)) {
        status = query(key, L"DriverSeeded", KeyValuePartialInformation, &buffer, sizeof(buffer),
                       &length);
        check("with the INF's driver value",
              NT_SUCCESS(status) && buffer.partial.Type == REG_SZ &&
                  memcmp(buffer.partial.Data, L"driver", 14) == 0,
              status);
        ZwClose(key);
    }
}

static NTSTATUS pass_down(DEVICE_OBJECT *device, IRP *irp)
{
    DEVICE_OBJECT *lower = *(DEVICE_OBJECT **)device->DeviceExtension;
    UCHAR minor = IoGetCurrentIrpStackLocation(irp)->MinorFunction;
    NTSTATUS status;

    if (minor <= IRP_MN_CANCEL_STOP_DEVICE)
        irp->IoStatus.Status = STATUS_SUCCESS;
    IoSkipCurrentIrpStackLocation(irp);
    status = IoCallDriver(lower, irp);
    if (minor == IRP_MN_REMOVE_DEVICE) {
        IoDetachDevice(lower);
        IoDeleteDevice(device);
    }
    return status;
}

static BOOLEAN no_interrupt(PKINTERRUPT interrupt, PVOID context)
{
    return FALSE; /* not ours: ddi.sys asks Xen for no upcall */
}

static BOOLEAN at_interrupt_irql(PVOID context)
{
    *(KIRQL *)context = KeGetCurrentIrql();
    return TRUE;
}

/* The platform device's interrupt: synchronizing with it raises to its IRQL, and back. */
static void interrupts(DEVICE_OBJECT *pdo)
{
    IO_CONNECT_INTERRUPT_PARAMETERS connect = {.Version = CONNECT_LINE_BASED};
    IO_DISCONNECT_INTERRUPT_PARAMETERS disconnect = {.Version = CONNECT_LINE_BASED};
    PKINTERRUPT interrupt = NULL;
    KIRQL seen = 0, old;
    NTSTATUS status;
    BOOLEAN result;

    connect.LineBased.PhysicalDeviceObject = pdo;
    connect.LineBased.InterruptObject = &interrupt;
    connect.LineBased.ServiceRoutine = no_interrupt;
    status = IoConnectInterruptEx(&connect);
    check("IoConnectInterruptEx on the platform device's line", NT_SUCCESS(status), status);
    if (!NT_SUCCESS(status))
        return;
    result = KeSynchronizeExecution(interrupt, at_interrupt_irql, &seen);
    check("KeSynchronizeExecution runs its routine at the device's IRQL",
          result == TRUE && seen > DISPATCH_LEVEL, seen);
    check("and returns to the caller's", KeGetCurrentIrql() == PASSIVE_LEVEL, KeGetCurrentIrql());
    old = KeAcquireInterruptSpinLock(interrupt);
    check("KeAcquireInterruptSpinLock raises to the device's IRQL",
          KeGetCurrentIrql() == seen && old == PASSIVE_LEVEL, KeGetCurrentIrql());
    KeReleaseInterruptSpinLock(interrupt, old);
    check("KeReleaseInterruptSpinLock lowers it again", KeGetCurrentIrql() == PASSIVE_LEVEL,
          KeGetCurrentIrql());
    disconnect.ConnectionContext.InterruptObject = interrupt;
    IoDisconnectInterruptEx(&disconnect);
}

/* @ids (UTF-16 multi-string of @length bytes) is @expected, a multi-string of ASCII. */
static BOOLEAN ids_equal(const WCHAR *ids, ULONG length, const char *expected, ULONG expected_size)
{
    if (length != expected_size * sizeof(WCHAR))
        return FALSE;
    for (ULONG i = 0; i < expected_size; i++) {
        if (ids[i] != (WCHAR)expected[i])
            return FALSE;
    }
    return TRUE;
}

/* The platform device's IDs as the PCI bus reports them, through IoGetDeviceProperty. */
static void device_properties(DEVICE_OBJECT *pdo)
{
    static const char hardware[] =
        "PCI\\VEN_5853&DEV_0001&SUBSYS_00015853&REV_01\0PCI\\VEN_5853&DEV_0001&SUBSYS_00015853\0"
        "PCI\\VEN_5853&DEV_0001&CC_FF8000\0PCI\\VEN_5853&DEV_0001&CC_FF80\0";
    static const char compatible[] = "PCI\\VEN_5853&DEV_0001&REV_01\0PCI\\VEN_5853&DEV_0001\0"
                                     "PCI\\VEN_5853&CC_FF8000\0PCI\\VEN_5853&CC_FF80\0"
                                     "PCI\\VEN_5853\0PCI\\CC_FF8000\0PCI\\CC_FF80\0";
    WCHAR ids[256];
    ULONG length = 0;
    NTSTATUS status;

    status = IoGetDeviceProperty(pdo, DevicePropertyHardwareID, 8, ids, &length);
    check("IoGetDeviceProperty in a short buffer: STATUS_BUFFER_TOO_SMALL and the length",
          status == STATUS_BUFFER_TOO_SMALL && length == sizeof(hardware) * sizeof(WCHAR), length);
    status = IoGetDeviceProperty(pdo, DevicePropertyHardwareID, sizeof(ids), ids, &length);
    check("IoGetDeviceProperty: the hardware IDs",
          NT_SUCCESS(status) && ids_equal(ids, length, hardware, sizeof(hardware)), status);
    status = IoGetDeviceProperty(pdo, DevicePropertyCompatibleIDs, sizeof(ids), ids, &length);
    check("IoGetDeviceProperty: the compatible IDs",
          NT_SUCCESS(status) && ids_equal(ids, length, compatible, sizeof(compatible)), status);
}

/* {0b0e1d2c-3f4a-4b5c-8d6e-7f8091a2b3c4}: an interface class of the test's own. */
static const GUID test_interface = {
    0x0b0e1d2c, 0x3f4a, 0x4b5c, {0x8d, 0x6e, 0x7f, 0x80, 0x91, 0xa2, 0xb3, 0xc4}};

static void interfaces(DEVICE_OBJECT *pdo)
{
    UNICODE_STRING first = {0}, second = {0};
    NTSTATUS status;

    status = IoRegisterDeviceInterface(pdo, &test_interface, NULL, &first);
    check("IoRegisterDeviceInterface: a link name", NT_SUCCESS(status) && first.Length > 0, status);
    status = IoRegisterDeviceInterface(pdo, &test_interface, NULL, &second);
    check("IoRegisterDeviceInterface again: the same instance",
          NT_SUCCESS(status) && first.Length == second.Length &&
              RtlCompareMemory(first.Buffer, second.Buffer, first.Length) == first.Length,
          status);
    status = IoSetDeviceInterfaceState(&first, TRUE);
    check("IoSetDeviceInterfaceState: enabled", status == STATUS_SUCCESS, status);
    status = IoSetDeviceInterfaceState(&second, TRUE);
    check("IoSetDeviceInterfaceState: enabled again, STATUS_OBJECT_NAME_EXISTS",
          status == STATUS_OBJECT_NAME_EXISTS, status);
    status = IoSetDeviceInterfaceState(&first, FALSE);
    check("IoSetDeviceInterfaceState: disabled", status == STATUS_SUCCESS, status);
    status = IoSetDeviceInterfaceState(&first, FALSE);
    check("IoSetDeviceInterfaceState: disabled again, STATUS_OBJECT_NAME_NOT_FOUND",
          status == STATUS_OBJECT_NAME_NOT_FOUND, status);
    RtlFreeUnicodeString(&first);
    RtlFreeUnicodeString(&second);
    check("RtlFreeUnicodeString: the string left empty",
          first.Buffer == NULL && first.Length == 0 && first.MaximumLength == 0, 0);
}

static LONG cancel_calls;
static KIRQL cancel_irql;

static void count_cancel(DEVICE_OBJECT *device, IRP *irp)
{
    cancel_calls++;
    cancel_irql = irp->CancelIrql;
    IoReleaseCancelSpinLock(irp->CancelIrql);
}

static void cancels(void)
{
    IRP *irp = IoAllocateIrp(1, FALSE);
    KIRQL irql;

    if (irp == NULL) {
        check("IoAllocateIrp", FALSE, 0);
        return;
    }
    check("IoCancelIrp with no cancel routine: FALSE, the IRP marked cancelled",
          !IoCancelIrp(irp) && irp->Cancel, 0);
    irp->Cancel = FALSE;
    IoSetCancelRoutine(irp, count_cancel);
    check("IoCancelIrp with a routine: TRUE, it ran once at the caller's IRQL, and it is taken",
          IoCancelIrp(irp) && cancel_calls == 1 && cancel_irql == PASSIVE_LEVEL &&
              IoSetCancelRoutine(irp, NULL) == NULL && KeGetCurrentIrql() == PASSIVE_LEVEL,
          cancel_calls);
    IoFreeIrp(irp);
    IoAcquireCancelSpinLock(&irql);
    check("IoAcquireCancelSpinLock: at DISPATCH_LEVEL, the old IRQL given",
          KeGetCurrentIrql() == DISPATCH_LEVEL && irql == PASSIVE_LEVEL, irql);
    IoReleaseCancelSpinLock(irql);
    check("IoReleaseCancelSpinLock: back at the old IRQL", KeGetCurrentIrql() == PASSIVE_LEVEL, 0);
}

static NTSTATUS add_device(DRIVER_OBJECT *driver, DEVICE_OBJECT *pdo)
{
    DEVICE_OBJECT *device;
    NTSTATUS status;

    checks = failures = 0;
    interrupts(pdo);
    device_keys(pdo);
    device_properties(pdo);
    interfaces(pdo);
    cancels();
    status = IoCreateDevice(driver, sizeof(DEVICE_OBJECT *), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE,
                            &device);
    if (!NT_SUCCESS(status))
        return status;
    status = IoRegisterShutdownNotification(device);
    check("IoRegisterShutdownNotification", status == STATUS_SUCCESS, status);
    IoUnregisterShutdownNotification(device);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "ddi: AddDevice: %lu checks, %lu failed\n",
               checks, failures);
    *(DEVICE_OBJECT **)device->DeviceExtension = IoAttachDeviceToDeviceStack(device, pdo);
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

DRIVER_INITIALIZE DriverEntry;

__attribute__((section("INIT"))) NTSTATUS DriverEntry(DRIVER_OBJECT *driver,
                                                      UNICODE_STRING *registry_path)
{
    events();
    delays();
    dpcs_and_timers();
    locks();
    formatting();
    work_items();
    mutexes_and_semaphores();
    io_work_items(driver);
    memory(driver);
    mdls();
    mdl_page_ranges(mdl_pages());
    contiguous();
    processors();
    system_threads();
    registry(registry_path);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "ddi: %lu checks, %lu failed\n", checks,
               failures);
    driver->MajorFunction[IRP_MJ_PNP] = pass_down;
    driver->DriverExtension->AddDevice = add_device;
    return STATUS_SUCCESS;
}
