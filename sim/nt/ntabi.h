/*
 * sim/nt/ntabi.h - the Windows x64 kernel's data structures as the
 * simulated kernel sees them from Linux (LP64).
 *
 * Driver images are built against mingw-w64's LLP64 headers (ULONG is 32
 * bits there, 64 here), so the structures are written again with
 * fixed-width types, under Windows's own names so that one list
 * (ntabi_list.h) names every member both sides must place alike. The list
 * is checked twice: here by the static assertions at the end of this file
 * (sizes Microsoft documents), and against mingw-w64's own definitions by
 * a Windows x64 compile (tests/sim/nt/ntabi_win64.c). Members nothing here
 * touches are opaque padding of the right size.
 */
#ifndef WINPV_SIM_NT_ABI_H
#define WINPV_SIM_NT_ABI_H

#include <stddef.h>
#include <stdint.h>

#define NTAPI __attribute__((ms_abi))

typedef int32_t NTSTATUS;
typedef uint8_t BOOLEAN;
#define TRUE  1
#define FALSE 0
typedef uint8_t KIRQL;
typedef uint16_t WCHAR;
typedef uint64_t KSPIN_LOCK;
typedef uint64_t KAFFINITY;

#define STATUS_SUCCESS                  ((NTSTATUS)0x00000000)
#define STATUS_PENDING                  ((NTSTATUS)0x00000103)
#define STATUS_TIMEOUT                  ((NTSTATUS)0x00000102)
#define STATUS_MORE_PROCESSING_REQUIRED ((NTSTATUS)0xC0000016)
#define STATUS_UNSUCCESSFUL             ((NTSTATUS)0xC0000001)
#define STATUS_NOT_IMPLEMENTED          ((NTSTATUS)0xC0000002)
#define STATUS_INVALID_DEVICE_REQUEST   ((NTSTATUS)0xC0000010)
#define STATUS_INVALID_PARAMETER        ((NTSTATUS)0xC000000D)
#define STATUS_NO_SUCH_DEVICE           ((NTSTATUS)0xC000000E)
#define STATUS_INSUFFICIENT_RESOURCES   ((NTSTATUS)0xC000009A)
#define STATUS_NOT_SUPPORTED            ((NTSTATUS)0xC00000BB)
#define STATUS_DELETE_PENDING           ((NTSTATUS)0xC0000056)
#define STATUS_OBJECT_NAME_COLLISION    ((NTSTATUS)0xC0000035)
#define STATUS_BUFFER_OVERFLOW          ((NTSTATUS)0x80000005)
#define STATUS_INVALID_HANDLE           ((NTSTATUS)0xC0000008)
#define STATUS_ACCESS_DENIED            ((NTSTATUS)0xC0000022)
#define STATUS_BUFFER_TOO_SMALL         ((NTSTATUS)0xC0000023)
#define STATUS_INVALID_PARAMETER_2      ((NTSTATUS)0xC00000F0)
#define STATUS_OBJECT_TYPE_MISMATCH     ((NTSTATUS)0xC0000024)
#define STATUS_OBJECT_NAME_INVALID      ((NTSTATUS)0xC0000033)
#define STATUS_OBJECT_NAME_NOT_FOUND    ((NTSTATUS)0xC0000034)
#define STATUS_OBJECT_PATH_SYNTAX_BAD   ((NTSTATUS)0xC000003B)
#define STATUS_OBJECT_NAME_EXISTS       ((NTSTATUS)0x40000000)
#define STATUS_REVISION_MISMATCH        ((NTSTATUS)0xC0000059)
#define STATUS_ADAPTER_HARDWARE_ERROR   ((NTSTATUS)0xC00000C2)
#define STATUS_CANCELLED                ((NTSTATUS)0xC0000120)
#define STATUS_DEVICE_BUSY              ((NTSTATUS)0x80000011)
#define STATUS_INFO_LENGTH_MISMATCH     ((NTSTATUS)0xC0000004)
#define NT_SUCCESS(s)                   ((NTSTATUS)(s) >= 0)

#define PASSIVE_LEVEL  0
#define APC_LEVEL      1
#define DISPATCH_LEVEL 2
#define HIGH_LEVEL     15

typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY;

typedef struct _UNICODE_STRING {
    uint16_t Length;        /* bytes, without a terminator */
    uint16_t MaximumLength; /* bytes */
    WCHAR *Buffer;
} UNICODE_STRING;

typedef struct _GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} GUID;

/* The head of every object a thread can wait on. */
typedef struct _DISPATCHER_HEADER {
    uint8_t Type; /* enum nt_dispatcher_type */
    uint8_t Signalling;
    uint8_t Size;
    uint8_t Reserved1;
    int32_t SignalState;
    LIST_ENTRY WaitListHead;
} DISPATCHER_HEADER;

enum nt_dispatcher_type {
    NT_EVENT_NOTIFICATION = 0,
    NT_EVENT_SYNCHRONIZATION = 1,
    NT_MUTANT = 2,
    NT_SEMAPHORE = 5,
    NT_THREAD = 6,
    NT_TIMER_NOTIFICATION = 8,
    NT_TIMER_SYNCHRONIZATION = 9,
};

typedef struct _KEVENT {
    DISPATCHER_HEADER Header;
} KEVENT;

typedef struct _KDPC {
    uint8_t Type;
    uint8_t Importance;
    uint16_t Number;
    LIST_ENTRY DpcListEntry;
    void *DeferredRoutine;
    void *DeferredContext;
    void *SystemArgument1;
    void *SystemArgument2;
    void *DpcData;
} KDPC;

typedef struct _KTIMER {
    DISPATCHER_HEADER Header;
    uint64_t DueTime;
    LIST_ENTRY TimerListEntry;
    KDPC *Dpc;
    uint32_t Processor;
    uint32_t Period;
} KTIMER;

typedef struct _IO_STATUS_BLOCK {
    union {
        NTSTATUS Status;
        void *Pointer;
    };
    uint64_t Information;
} IO_STATUS_BLOCK;

/*
 * A memory descriptor list: a buffer of ByteCount bytes from ByteOffset
 * into the page at StartVa, whose pages' frame numbers (PFN_NUMBER) follow
 * the header; Size counts the header and the frames.
 */
typedef struct _MDL {
    struct _MDL *Next;
    int16_t Size;
    int16_t MdlFlags;
    void *Process;
    void *MappedSystemVa;
    void *StartVa;
    uint32_t ByteCount;
    uint32_t ByteOffset;
} MDL;

typedef uint64_t PFN_NUMBER;

#define MDL_MAPPED_TO_SYSTEM_VA     0x0001
#define MDL_PAGES_LOCKED            0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MDL_ALLOCATED_FIXED_SIZE    0x0008
#define MDL_PARTIAL                 0x0010
#define MDL_PARTIAL_HAS_BEEN_MAPPED 0x0020
#define MDL_IO_PAGE_READ            0x0040
#define MDL_WRITE_OPERATION         0x0080
#define MDL_IO_SPACE                0x0800

/* MmAllocatePagesForMdlEx's flags. */
#define MM_DONT_ZERO_ALLOCATION               0x00000001
#define MM_ALLOCATE_FROM_LOCAL_NODE_ONLY      0x00000002
#define MM_ALLOCATE_FULLY_REQUIRED            0x00000004
#define MM_ALLOCATE_NO_WAIT                   0x00000008
#define MM_ALLOCATE_PREFER_CONTIGUOUS         0x00000010
#define MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS 0x00000020

/* MEMORY_CACHING_TYPE */
#define MmNonCached        0
#define MmCached           1
#define MmWriteCombined    2
#define MmMaximumCacheType 6

/* KPROCESSOR_MODE */
#define KernelMode 0
#define UserMode   1

/* LOCK_OPERATION */
#define IoReadAccess   0
#define IoWriteAccess  1
#define IoModifyAccess 2

/* MM_PAGE_PRIORITY, and what Windows 8 lets MmMapLockedPagesSpecifyCache's Priority add. */
#define LowPagePriority     0
#define NormalPagePriority  16
#define HighPagePriority    32
#define MdlMappingNoWrite   0x80000000u
#define MdlMappingNoExecute 0x40000000u

typedef struct _IO_REMOVE_LOCK_COMMON_BLOCK {
    BOOLEAN Removed;
    BOOLEAN Reserved[3];
    int32_t IoCount;
    KEVENT RemoveEvent;
} IO_REMOVE_LOCK_COMMON_BLOCK;

/* The free build's remove lock: the common block alone. */
typedef struct _IO_REMOVE_LOCK {
    IO_REMOVE_LOCK_COMMON_BLOCK Common;
} IO_REMOVE_LOCK;

struct _DRIVER_OBJECT;
struct _DEVICE_OBJECT;
struct _IRP;

typedef NTSTATUS NTAPI DRIVER_ADD_DEVICE(struct _DRIVER_OBJECT *driver, struct _DEVICE_OBJECT *pdo);
typedef NTSTATUS NTAPI DRIVER_DISPATCH(struct _DEVICE_OBJECT *device, struct _IRP *irp);
typedef void NTAPI DRIVER_UNLOAD(struct _DRIVER_OBJECT *driver);
typedef NTSTATUS NTAPI DRIVER_INITIALIZE(struct _DRIVER_OBJECT *driver, UNICODE_STRING *registry);
typedef NTSTATUS NTAPI IO_COMPLETION_ROUTINE(struct _DEVICE_OBJECT *device, struct _IRP *irp,
                                             void *context);

typedef struct _DEVICE_OBJECT {
    int16_t Type; /* 3 */
    uint16_t Size;
    int32_t ReferenceCount;
    struct _DRIVER_OBJECT *DriverObject;
    struct _DEVICE_OBJECT *NextDevice;
    struct _DEVICE_OBJECT *AttachedDevice;
    struct _IRP *CurrentIrp;
    void *Timer;
    uint32_t Flags;
    uint32_t Characteristics;
    void *Vpb;
    void *DeviceExtension;
    uint32_t DeviceType;
    int8_t StackSize;
    uint8_t Queue[72]; /* LIST_ENTRY or WAIT_CONTEXT_BLOCK */
    uint32_t AlignmentRequirement;
    uint8_t DeviceQueue[40]; /* KDEVICE_QUEUE */
    KDPC Dpc;
    uint32_t ActiveThreadCount;
    void *SecurityDescriptor;
    KEVENT DeviceLock;
    uint16_t SectorSize;
    uint16_t Spare1;
    void *DeviceObjectExtension;
    void *Reserved;
} __attribute__((aligned(16))) DEVICE_OBJECT; /* MEMORY_ALLOCATION_ALIGNMENT in the WDK */

#define NT_TYPE_DEVICE 3
#define NT_TYPE_DRIVER 4
#define NT_TYPE_IRP    6

#define DO_BUFFERED_IO           0x00000004
#define DO_DIRECT_IO             0x00000010
#define DO_DEVICE_INITIALIZING   0x00000080
#define DO_BUS_ENUMERATED_DEVICE 0x00001000
#define DO_POWER_PAGABLE         0x00002000
#define DO_POWER_INRUSH          0x00004000

typedef struct _DRIVER_EXTENSION {
    struct _DRIVER_OBJECT *DriverObject;
    DRIVER_ADD_DEVICE *AddDevice;
    uint32_t Count;
    UNICODE_STRING ServiceKeyName;
} DRIVER_EXTENSION;

#define IRP_MJ_CREATE                  0x00
#define IRP_MJ_CLOSE                   0x02
#define IRP_MJ_DEVICE_CONTROL          0x0e
#define IRP_MJ_INTERNAL_DEVICE_CONTROL 0x0f
#define IRP_MJ_SHUTDOWN                0x10
#define IRP_MJ_CLEANUP                 0x12
#define IRP_MJ_POWER                   0x16
#define IRP_MJ_SYSTEM_CONTROL          0x17
#define IRP_MJ_PNP                     0x1b
#define IRP_MJ_MAXIMUM_FUNCTION        0x1b

typedef struct _DRIVER_OBJECT {
    int16_t Type; /* 4 */
    int16_t Size;
    DEVICE_OBJECT *DeviceObject; /* the driver's devices, through NextDevice */
    uint32_t Flags;
    void *DriverStart;
    uint32_t DriverSize;
    void *DriverSection;
    DRIVER_EXTENSION *DriverExtension;
    UNICODE_STRING DriverName;
    UNICODE_STRING *HardwareDatabase;
    void *FastIoDispatch;
    DRIVER_INITIALIZE *DriverInit;
    void *DriverStartIo;
    DRIVER_UNLOAD *DriverUnload;
    DRIVER_DISPATCH *MajorFunction[IRP_MJ_MAXIMUM_FUNCTION + 1];
} DRIVER_OBJECT;

/* IO_STACK_LOCATION.Control */
#define SL_PENDING_RETURNED  0x01
#define SL_ERROR_RETURNED    0x02
#define SL_INVOKE_ON_CANCEL  0x20
#define SL_INVOKE_ON_SUCCESS 0x40
#define SL_INVOKE_ON_ERROR   0x80

#define IRP_MN_START_DEVICE                 0x00
#define IRP_MN_QUERY_REMOVE_DEVICE          0x01
#define IRP_MN_REMOVE_DEVICE                0x02
#define IRP_MN_CANCEL_REMOVE_DEVICE         0x03
#define IRP_MN_STOP_DEVICE                  0x04
#define IRP_MN_QUERY_STOP_DEVICE            0x05
#define IRP_MN_CANCEL_STOP_DEVICE           0x06
#define IRP_MN_QUERY_DEVICE_RELATIONS       0x07
#define IRP_MN_QUERY_INTERFACE              0x08
#define IRP_MN_QUERY_CAPABILITIES           0x09
#define IRP_MN_QUERY_RESOURCES              0x0a
#define IRP_MN_QUERY_RESOURCE_REQUIREMENTS  0x0b
#define IRP_MN_QUERY_DEVICE_TEXT            0x0c
#define IRP_MN_FILTER_RESOURCE_REQUIREMENTS 0x0d
#define IRP_MN_QUERY_ID                     0x13
#define IRP_MN_QUERY_PNP_DEVICE_STATE       0x14
#define IRP_MN_QUERY_BUS_INFORMATION        0x15
#define IRP_MN_DEVICE_USAGE_NOTIFICATION    0x16
#define IRP_MN_SURPRISE_REMOVAL             0x17

#define IRP_MN_WAIT_WAKE      0x00
#define IRP_MN_POWER_SEQUENCE 0x01
#define IRP_MN_SET_POWER      0x02
#define IRP_MN_QUERY_POWER    0x03

typedef struct _IO_STACK_LOCATION {
    uint8_t MajorFunction;
    uint8_t MinorFunction;
    uint8_t Flags;
    uint8_t Control;
    union {
        struct {
            uint32_t Type; /* DEVICE_RELATION_TYPE */
        } QueryDeviceRelations;
        struct {
            const GUID *InterfaceType;
            uint16_t Size;
            uint16_t Version;
            void *Interface;
            void *InterfaceSpecificData;
        } QueryInterface;
        struct {
            uint32_t IdType; /* BUS_QUERY_ID_TYPE */
        } QueryId;
        struct { /* each member pointer-aligned (POINTER_ALIGNMENT) */
            uint32_t SystemContext;
            uint32_t Type __attribute__((aligned(8)));  /* POWER_STATE_TYPE */
            uint32_t State __attribute__((aligned(8))); /* POWER_STATE */
            uint32_t ShutdownType __attribute__((aligned(8)));
        } Power;
        struct {
            void *AllocatedResources;
            void *AllocatedResourcesTranslated;
        } StartDevice;
        struct {                   /* IRP_MJ_CREATE */
            void *SecurityContext; /* IO_SECURITY_CONTEXT */
            uint32_t Options;
            uint16_t FileAttributes __attribute__((aligned(8)));
            uint16_t ShareAccess;
            uint32_t EaLength __attribute__((aligned(8)));
        } Create;
        struct { /* IRP_MJ_DEVICE_CONTROL, IRP_MJ_INTERNAL_DEVICE_CONTROL */
            uint32_t OutputBufferLength;
            uint32_t InputBufferLength __attribute__((aligned(8)));
            uint32_t IoControlCode __attribute__((aligned(8)));
            void *Type3InputBuffer;
        } DeviceIoControl;
        struct {
            void *Argument1;
            void *Argument2;
            void *Argument3;
            void *Argument4;
        } Others;
    } Parameters;
    DEVICE_OBJECT *DeviceObject;
    void *FileObject;
    IO_COMPLETION_ROUTINE *CompletionRoutine;
    void *Context;
} IO_STACK_LOCATION;

typedef struct _IRP {
    int16_t Type; /* 6 */
    uint16_t Size;
    MDL *MdlAddress;
    uint32_t Flags;
    union {
        struct _IRP *MasterIrp;
        int32_t IrpCount;
        void *SystemBuffer;
    } AssociatedIrp;
    LIST_ENTRY ThreadListEntry;
    IO_STATUS_BLOCK IoStatus;
    int8_t RequestorMode;
    BOOLEAN PendingReturned;
    int8_t StackCount;
    int8_t CurrentLocation;
    BOOLEAN Cancel;
    KIRQL CancelIrql;
    int8_t ApcEnvironment;
    uint8_t AllocationFlags;
    IO_STATUS_BLOCK *UserIosb;
    KEVENT *UserEvent;
    uint8_t Overlay[16];
    void *CancelRoutine;
    void *UserBuffer;
    union {
        struct {
            void *DriverContext[4];
            void *Thread;
            char *AuxiliaryBuffer;
            LIST_ENTRY ListEntry;
            IO_STACK_LOCATION *CurrentStackLocation;
            void *OriginalFileObject;
        } Overlay;
        uint8_t Apc[88]; /* KAPC */
    } Tail;
} IRP;

/*
 * A file object: what a handle opened on a device names. Only its head is
 * the I/O manager's to fill here; the rest (a file system's) stays zero.
 */
typedef struct _FILE_OBJECT {
    int16_t Type; /* 5 */
    int16_t Size;
    DEVICE_OBJECT *DeviceObject;
    void *Vpb;
    void *FsContext;
    void *FsContext2;
    uint8_t Rest[0xd8 - 0x28];
} FILE_OBJECT;

#define NT_TYPE_FILE 5

/* What an IRP_MJ_CREATE carries of the open's security. */
typedef struct _IO_SECURITY_CONTEXT {
    void *SecurityQos;
    void *AccessState;
    uint32_t DesiredAccess;
    uint32_t FullCreateOptions;
} IO_SECURITY_CONTEXT;

/* An I/O control code (CTL_CODE): its transfer method and the access the handle needs. */
#define METHOD_BUFFERED   0
#define METHOD_NEITHER    3
#define FILE_ANY_ACCESS   0
#define FILE_READ_ACCESS  1
#define FILE_WRITE_ACCESS 2
#define FILE_READ_DATA    0x0001
#define FILE_WRITE_DATA   0x0002

/* IRP stack locations follow the IRP in memory, the last one first used. */
static inline IO_STACK_LOCATION *nt_irp_stack(IRP *irp, int index)
{
    return (IO_STACK_LOCATION *)(irp + 1) + index;
}

/* A kernel mutex: SignalState 1 when free, 1 - n when its owner took it n times. */
typedef struct _KMUTANT {
    DISPATCHER_HEADER Header;
    LIST_ENTRY MutantListEntry;
    void *OwnerThread;
    BOOLEAN Abandoned;
    uint8_t ApcDisable;
} KMUTANT;

/* A semaphore: SignalState is its count, never above Limit. */
typedef struct _KSEMAPHORE {
    DISPATCHER_HEADER Header;
    int32_t Limit;
} KSEMAPHORE;

/* A fast mutex: Count is 1 when free (FM_LOCK_BIT). */
typedef struct _FAST_MUTEX {
    int32_t Count;
    void *Owner;
    uint32_t Contention;
    KEVENT Event;
    uint32_t OldIrql;
} FAST_MUTEX;

typedef void NTAPI WORKER_THREAD_ROUTINE(void *parameter);

typedef struct _WORK_QUEUE_ITEM {
    LIST_ENTRY List; /* Flink NULL while not queued */
    WORKER_THREAD_ROUTINE *WorkerRoutine;
    void *Parameter;
} WORK_QUEUE_ITEM;

typedef void NTAPI KDEFERRED_ROUTINE(KDPC *dpc, void *context, void *argument1, void *argument2);

/* Hardware resources, as the PnP manager hands them to START_DEVICE (4-byte packed). */
enum nt_resource_type {
    CM_RESOURCE_PORT = 1,
    CM_RESOURCE_INTERRUPT = 2,
    CM_RESOURCE_MEMORY = 3,
};

#define CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE 0x0
#define CM_RESOURCE_PORT_IO                   0x1
#define CM_RESOURCE_SHARE_SHARED              3

typedef struct __attribute__((packed, aligned(4))) _CM_PARTIAL_RESOURCE_DESCRIPTOR {
    uint8_t Type; /* enum nt_resource_type */
    uint8_t ShareDisposition;
    uint16_t Flags;
    union __attribute__((packed)) {
        struct __attribute__((packed)) {
            int64_t Start;
            uint32_t Length;
        } Port, Memory;
        struct __attribute__((packed)) {
            uint16_t Level; /* with processor groups; ULONG Level without them */
            uint16_t Group;
            uint32_t Vector;
            KAFFINITY Affinity;
        } Interrupt;
    } u;
} CM_PARTIAL_RESOURCE_DESCRIPTOR;

typedef struct __attribute__((packed, aligned(4))) _CM_PARTIAL_RESOURCE_LIST {
    uint16_t Version;
    uint16_t Revision;
    uint32_t Count;
    CM_PARTIAL_RESOURCE_DESCRIPTOR PartialDescriptors[1];
} CM_PARTIAL_RESOURCE_LIST;

typedef struct __attribute__((packed, aligned(4))) _CM_FULL_RESOURCE_DESCRIPTOR {
    uint32_t InterfaceType; /* PCIBus: 5 */
    uint32_t BusNumber;
    CM_PARTIAL_RESOURCE_LIST PartialResourceList;
} CM_FULL_RESOURCE_DESCRIPTOR;

typedef struct __attribute__((packed, aligned(4))) _CM_RESOURCE_LIST {
    uint32_t Count;
    CM_FULL_RESOURCE_DESCRIPTOR List[1];
} CM_RESOURCE_LIST;

/* An interrupt's service routine (ISR), called at the interrupt's IRQL. */
typedef BOOLEAN NTAPI KSERVICE_ROUTINE(void *interrupt, void *context);

#define CONNECT_FULLY_SPECIFIED 1
#define CONNECT_LINE_BASED      2

typedef struct _IO_CONNECT_INTERRUPT_PARAMETERS {
    uint32_t Version; /* CONNECT_* */
    union {
        struct {
            DEVICE_OBJECT *PhysicalDeviceObject;
            void **InterruptObject;
            KSERVICE_ROUTINE *ServiceRoutine;
            void *ServiceContext;
            KSPIN_LOCK *SpinLock;
            KIRQL SynchronizeIrql;
            BOOLEAN FloatingSave;
            BOOLEAN ShareVector;
            uint32_t Vector;
            KIRQL Irql;
            uint32_t InterruptMode;
            KAFFINITY ProcessorEnableMask;
            uint16_t Group;
        } FullySpecified;
        struct {
            DEVICE_OBJECT *PhysicalDeviceObject;
            void **InterruptObject;
            KSERVICE_ROUTINE *ServiceRoutine;
            void *ServiceContext;
            KSPIN_LOCK *SpinLock;
            KIRQL SynchronizeIrql;
            BOOLEAN FloatingSave;
        } LineBased;
    };
} IO_CONNECT_INTERRUPT_PARAMETERS;

typedef struct _IO_DISCONNECT_INTERRUPT_PARAMETERS {
    uint32_t Version;
    union {
        void *Generic;
        void *InterruptObject;
    } ConnectionContext;
} IO_DISCONNECT_INTERRUPT_PARAMETERS;

/* What a PROCESSOR_NUMBER names. */
typedef struct _PROCESSOR_NUMBER {
    uint16_t Group;
    uint8_t Number;
    uint8_t Reserved;
} PROCESSOR_NUMBER;

typedef union _LARGE_INTEGER {
    int64_t QuadPart;
    struct {
        uint32_t LowPart;
        int32_t HighPart;
    };
} LARGE_INTEGER;

/* A guest-physical address, passed by value in one register. */
typedef LARGE_INTEGER PHYSICAL_ADDRESS;

/* What a kernel function creating or opening a named object is told (InitializeObjectAttributes). */
typedef struct _OBJECT_ATTRIBUTES {
    uint32_t Length; /* sizeof(OBJECT_ATTRIBUTES) */
    void *RootDirectory;
    UNICODE_STRING *ObjectName;
    uint32_t Attributes; /* OBJ_* */
    void *SecurityDescriptor;
    void *SecurityQualityOfService;
} OBJECT_ATTRIBUTES;

#define OBJ_INHERIT          0x00000002
#define OBJ_PERMANENT        0x00000010
#define OBJ_EXCLUSIVE        0x00000020
#define OBJ_CASE_INSENSITIVE 0x00000040
#define OBJ_OPENIF           0x00000080
#define OBJ_OPENLINK         0x00000100
#define OBJ_KERNEL_HANDLE    0x00000200
#define OBJ_VALID_ATTRIBUTES 0x00001FF2

typedef struct _OBJECT_HANDLE_INFORMATION {
    uint32_t HandleAttributes;
    uint32_t GrantedAccess;
} OBJECT_HANDLE_INFORMATION;

typedef struct _CLIENT_ID {
    void *UniqueProcess;
    void *UniqueThread;
} CLIENT_ID;

typedef void NTAPI KSTART_ROUTINE(void *context);

/* ZwQueryValueKey's answers (KEY_VALUE_INFORMATION_CLASS 0, 1, 2). */
#define NT_KEY_VALUE_BASIC   0
#define NT_KEY_VALUE_FULL    1
#define NT_KEY_VALUE_PARTIAL 2

typedef struct _KEY_VALUE_BASIC_INFORMATION {
    uint32_t TitleIndex;
    uint32_t Type;
    uint32_t NameLength; /* bytes */
    WCHAR Name[1];
} KEY_VALUE_BASIC_INFORMATION;

typedef struct _KEY_VALUE_FULL_INFORMATION {
    uint32_t TitleIndex;
    uint32_t Type;
    uint32_t DataOffset; /* from the structure's start */
    uint32_t DataLength;
    uint32_t NameLength;
    WCHAR Name[1];
} KEY_VALUE_FULL_INFORMATION;

typedef struct _KEY_VALUE_PARTIAL_INFORMATION {
    uint32_t TitleIndex;
    uint32_t Type;
    uint32_t DataLength;
    uint8_t Data[1];
} KEY_VALUE_PARTIAL_INFORMATION;

/* Sizes and offsets Microsoft documents for x64, beside the checked list. */
/* mingw-w64 omits DEVICE_OBJECT's alignment (328 bytes there): drivers never allocate one. */
_Static_assert(sizeof(DEVICE_OBJECT) == 0x150, "DEVICE_OBJECT");
_Static_assert(offsetof(DEVICE_OBJECT, DeviceExtension) == 0x40, "DEVICE_OBJECT.DeviceExtension");
_Static_assert(sizeof(DRIVER_OBJECT) == 0x150, "DRIVER_OBJECT");
_Static_assert(sizeof(IRP) == 0xd0, "IRP");
_Static_assert(offsetof(IRP, Tail.Overlay.CurrentStackLocation) == 0xb8,
               "IRP.CurrentStackLocation");
_Static_assert(sizeof(IO_STACK_LOCATION) == 0x48, "IO_STACK_LOCATION");
_Static_assert(sizeof(KEVENT) == 0x18, "KEVENT");
_Static_assert(sizeof(KDPC) == 0x40, "KDPC");
_Static_assert(sizeof(KTIMER) == 0x40, "KTIMER");
_Static_assert(sizeof(MDL) == 0x30, "MDL");
_Static_assert(sizeof(IO_REMOVE_LOCK) == 0x20, "IO_REMOVE_LOCK (free build)");
_Static_assert(sizeof(FAST_MUTEX) == 0x38, "FAST_MUTEX");
_Static_assert(sizeof(KMUTANT) == 0x38, "KMUTEX");
_Static_assert(sizeof(KSEMAPHORE) == 0x20, "KSEMAPHORE");
_Static_assert(sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR) == 20, "CM_PARTIAL_RESOURCE_DESCRIPTOR");
_Static_assert(sizeof(CM_RESOURCE_LIST) == 40, "CM_RESOURCE_LIST");
_Static_assert(sizeof(IO_CONNECT_INTERRUPT_PARAMETERS) == 80, "IO_CONNECT_INTERRUPT_PARAMETERS");
_Static_assert(sizeof(WORK_QUEUE_ITEM) == 0x20, "WORK_QUEUE_ITEM");
_Static_assert(sizeof(OBJECT_ATTRIBUTES) == 0x30, "OBJECT_ATTRIBUTES");
_Static_assert(offsetof(KEY_VALUE_PARTIAL_INFORMATION, Data) == 12,
               "KEY_VALUE_PARTIAL_INFORMATION");

#endif /* WINPV_SIM_NT_ABI_H */
