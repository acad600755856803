/*
 * windows/xenvbd/storport_abi.h - the Storport interface XENVBD uses, as
 * Windows 10's storport.h defines it for x64.
 *
 * mingw-w64's ddk/storport.h is the Windows Server 2003 one: it lacks every
 * Windows 8 field and does not compile after srb.h (it defines
 * SCSI_WMI_REQUEST_BLOCK again), and srb.h's PORT_CONFIGURATION_INFORMATION
 * and HW_INITIALIZATION_DATA are SCSI port's, not Storport's. So neither is
 * included: the structures, callbacks, constants and exports XENVBD needs
 * are declared here, each layout checked against the sizes and offsets of
 * the WDK's x64 header (static asserts below).
 */
#ifndef WINPV_XENVBD_STORPORT_ABI_H
#define WINPV_XENVBD_STORPORT_ABI_H

#include <stddef.h>

#include "nt_headers.h"

/* -- HW_FIND_ADAPTER's answers, SRB functions, statuses and flags ------------ */

#define SP_RETURN_NOT_FOUND  0
#define SP_RETURN_FOUND      1
#define SP_RETURN_ERROR      2
#define SP_RETURN_BAD_CONFIG 3

#define SRB_FUNCTION_EXECUTE_SCSI          0x00
#define SRB_FUNCTION_IO_CONTROL            0x02
#define SRB_FUNCTION_SHUTDOWN              0x07
#define SRB_FUNCTION_FLUSH                 0x08
#define SRB_FUNCTION_ABORT_COMMAND         0x10
#define SRB_FUNCTION_RESET_BUS             0x12
#define SRB_FUNCTION_RESET_DEVICE          0x13
#define SRB_FUNCTION_RESET_LOGICAL_UNIT    0x20
#define SRB_FUNCTION_POWER                 0x24
#define SRB_FUNCTION_PNP                   0x25
#define SRB_FUNCTION_DUMP_POINTERS         0x26
#define SRB_FUNCTION_FREE_DUMP_POINTERS    0x27
#define SRB_FUNCTION_STORAGE_REQUEST_BLOCK 0x28

#define SRB_STATUS_PENDING              0x00
#define SRB_STATUS_SUCCESS              0x01
#define SRB_STATUS_ABORTED              0x02
#define SRB_STATUS_ERROR                0x04
#define SRB_STATUS_BUSY                 0x05
#define SRB_STATUS_INVALID_REQUEST      0x06
#define SRB_STATUS_NO_DEVICE            0x08
#define SRB_STATUS_DATA_OVERRUN         0x12
#define SRB_STATUS_BAD_SRB_BLOCK_LENGTH 0x15
#define SRB_STATUS_INVALID_LUN          0x20
#define SRB_STATUS_INVALID_TARGET_ID    0x21
#define SRB_STATUS_BAD_FUNCTION         0x22
#define SRB_STATUS_AUTOSENSE_VALID      0x80

#define SRB_FLAGS_DATA_IN  0x00000040
#define SRB_FLAGS_DATA_OUT 0x00000080

/* StorPortNotification's first argument (SCSI_NOTIFICATION_TYPE). */
#define STOR_REQUEST_COMPLETE              0
#define STOR_NEXT_REQUEST                  1
#define STOR_RESET_DETECTED                3
#define STOR_REQUEST_TIMER_CALL            6
#define STOR_BUS_CHANGE_DETECTED           7
#define STOR_ENABLE_PASSIVE_INITIALIZATION 0x1000

/* StorPortExtendedFunction's first argument (STORPORT_FUNCTION_CODE). */
#define STOR_EXT_ALLOCATE_POOL      0
#define STOR_EXT_FREE_POOL          1
#define STOR_EXT_GET_DEVICE_OBJECTS 8
#define STOR_EXT_INITIALIZE_PERF    14 /* StorPortInitializePerfOpts */

#define STOR_STATUS_SUCCESS           0x00000000u
#define STOR_STATUS_UNSUCCESSFUL      0xC1000001u
#define STOR_STATUS_NOT_IMPLEMENTED   0xC1000002u
#define STOR_STATUS_INVALID_PARAMETER 0xC1000006u

/* HwAdapterControl's control types (SCSI_ADAPTER_CONTROL_TYPE) and answers. */
#define SCSI_QUERY_SUPPORTED_CONTROL_TYPES 0
#define SCSI_STOP_ADAPTER                  1
#define SCSI_ADAPTER_CONTROL_SUCCESS       0
#define SCSI_ADAPTER_CONTROL_UNSUCCESSFUL  1

/* HW_INITIALIZATION_DATA.FeatureSupport, MapBuffers. */
#define STOR_FEATURE_FULL_PNP_DEVICE_CAPABILITIES 0x00000004
#define STOR_MAP_NON_READ_WRITE_BUFFERS           2
#define STOR_MAP_ALL_BUFFERS_INCLUDING_READ_WRITE 3

/* PORT_CONFIGURATION_INFORMATION.SynchronizationModel, Dma64BitAddresses. */
#define STOR_SYNCHRONIZE_FULL_DUPLEX            1
#define SCSI_DMA64_MINIPORT_FULL64BIT_SUPPORTED 0x02

/* -- the SRB --------------------------------------------------------------- */

typedef struct _SCSI_REQUEST_BLOCK {
    USHORT Length;
    UCHAR Function;
    UCHAR SrbStatus;
    UCHAR ScsiStatus;
    UCHAR PathId;
    UCHAR TargetId;
    UCHAR Lun;
    UCHAR QueueTag;
    UCHAR QueueAction;
    UCHAR CdbLength;
    UCHAR SenseInfoBufferLength;
    ULONG SrbFlags;
    ULONG DataTransferLength;
    ULONG TimeOutValue; /* seconds */
    PVOID DataBuffer;
    PVOID SenseInfoBuffer;
    struct _SCSI_REQUEST_BLOCK *NextSrb;
    PVOID OriginalRequest; /* the IRP */
    PVOID SrbExtension;
    union {
        ULONG InternalStatus;
        ULONG QueueSortKey;
        ULONG LinkTimeoutValue;
    };
    ULONG Reserved; /* x64 only */
    UCHAR Cdb[16];
} SCSI_REQUEST_BLOCK, *PSCSI_REQUEST_BLOCK;

/*
 * The extended SRB (Windows 8 and later), which Storport sends instead of
 * SCSI_REQUEST_BLOCK to a miniport that sets SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK
 * in SrbTypeFlags: Function is SRB_FUNCTION_STORAGE_REQUEST_BLOCK and the
 * function proper is SrbFunction; the address (a STOR_ADDRESS, for a disk a
 * STOR_ADDR_BTL8) is at AddressOffset and each extended datum (SRBEX_DATA:
 * Type, Length, then its data) at SrbExDataOffset[i], all offsets from the
 * SRB's start and within SrbLength. The CDB, the SCSI status and the sense
 * buffer are in the SRBEX_DATA_SCSI_CDB16/CDB32/CDB_VAR datum. srb.h aligns
 * the structures to 8 bytes on x64 (SRB_ALIGN, STOR_ADDRESS_ALIGN,
 * POINTER_ALIGN): the __attribute__((aligned(8))) below.
 */
#define SRB_TYPE_FLAG_SCSI_REQUEST_BLOCK    0x1
#define SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK 0x2
#define SRB_SIGNATURE                       0x53524258 /* "SRBX" */
#define STORAGE_REQUEST_BLOCK_VERSION_1     0x1
#define STOR_ADDRESS_TYPE_BTL8              0x1
#define STOR_ADDR_BTL8_ADDRESS_LENGTH       4

/* SRBEXDATATYPE (an enum of ULONG size). */
#define SRBEX_DATA_TYPE_SCSI_CDB16  0x40 /* SrbExDataTypeScsiCdb16 */
#define SRBEX_DATA_TYPE_SCSI_CDB32  0x41 /* SrbExDataTypeScsiCdb32 */
#define SRBEX_DATA_TYPE_SCSI_CDBVAR 0x42 /* SrbExDataTypeScsiCdbVar */

/* Each datum's Length: the bytes after Type and Length. */
#define SRBEX_DATA_SCSI_CDB16_LENGTH       (20 + sizeof(ULONG) + sizeof(PVOID))
#define SRBEX_DATA_SCSI_CDB32_LENGTH       (36 + sizeof(ULONG) + sizeof(PVOID))
#define SRBEX_DATA_SCSI_CDB_VAR_LENGTH_MIN (4 + 3 * sizeof(ULONG) + sizeof(PVOID))

typedef struct __attribute__((aligned(8))) _STORAGE_REQUEST_BLOCK {
    USHORT Length; /* the offset of Signature, as SCSI_REQUEST_BLOCK's header */
    UCHAR Function;
    UCHAR SrbStatus;
    ULONG ReservedUlong1;
    ULONG Signature;
    ULONG Version;
    ULONG SrbLength;
    ULONG SrbFunction;
    ULONG SrbFlags;
    ULONG ReservedUlong2;
    ULONG RequestTag;
    USHORT RequestPriority;
    USHORT RequestAttribute;
    ULONG TimeOutValue;
    ULONG SystemStatus; /* RequestTagHigh4Bytes in a union with it in newer WDKs */
    ULONG ZeroGuard1;
    ULONG AddressOffset;
    ULONG NumSrbExData;
    ULONG DataTransferLength;
    PVOID DataBuffer;
    PVOID ZeroGuard2;
    PVOID OriginalRequest;
    PVOID ClassContext;
    PVOID PortContext;
    PVOID MiniportContext; /* the SRB extension */
    struct _STORAGE_REQUEST_BLOCK *NextSrb;
    ULONG SrbExDataOffset[1]; /* NumSrbExData of them */
} STORAGE_REQUEST_BLOCK, *PSTORAGE_REQUEST_BLOCK;

typedef struct __attribute__((aligned(8))) _STOR_ADDRESS {
    USHORT Type;
    USHORT Port;
    ULONG AddressLength; /* of the bytes after this header */
    UCHAR AddressData[1];
} STOR_ADDRESS;

typedef struct __attribute__((aligned(8))) _STOR_ADDR_BTL8 {
    USHORT Type; /* STOR_ADDRESS_TYPE_BTL8 */
    USHORT Port;
    ULONG AddressLength; /* STOR_ADDR_BTL8_ADDRESS_LENGTH */
    UCHAR Path;
    UCHAR Target;
    UCHAR Lun;
    UCHAR Reserved;
} STOR_ADDR_BTL8;

typedef struct __attribute__((aligned(8))) _SRBEX_DATA {
    ULONG Type; /* SRBEXDATATYPE */
    ULONG Length;
    UCHAR Data[1];
} SRBEX_DATA;

typedef struct __attribute__((aligned(8))) _SRBEX_DATA_SCSI_CDB16 {
    ULONG Type;
    ULONG Length;
    UCHAR ScsiStatus;
    UCHAR SenseInfoBufferLength;
    UCHAR CdbLength;
    UCHAR Reserved;
    ULONG Reserved1;
    PVOID SenseInfoBuffer;
    UCHAR Cdb[16];
} SRBEX_DATA_SCSI_CDB16;

typedef struct __attribute__((aligned(8))) _SRBEX_DATA_SCSI_CDB32 {
    ULONG Type;
    ULONG Length;
    UCHAR ScsiStatus;
    UCHAR SenseInfoBufferLength;
    UCHAR CdbLength;
    UCHAR Reserved;
    ULONG Reserved1;
    PVOID SenseInfoBuffer;
    UCHAR Cdb[32];
} SRBEX_DATA_SCSI_CDB32;

typedef struct __attribute__((aligned(8))) _SRBEX_DATA_SCSI_CDB_VAR {
    ULONG Type;
    ULONG Length;
    UCHAR ScsiStatus;
    UCHAR SenseInfoBufferLength;
    UCHAR Reserved[2];
    ULONG CdbLength; /* a ULONG here, unlike the fixed forms */
    ULONG Reserved1[2];
    PVOID SenseInfoBuffer;
    UCHAR Cdb[1]; /* CdbLength of them */
} SRBEX_DATA_SCSI_CDB_VAR;

typedef struct _STOR_SCATTER_GATHER_ELEMENT {
    PHYSICAL_ADDRESS PhysicalAddress;
    ULONG Length;
    ULONG_PTR Reserved;
} STOR_SCATTER_GATHER_ELEMENT;

typedef struct _STOR_SCATTER_GATHER_LIST {
    ULONG NumberOfElements;
    ULONG_PTR Reserved;
    STOR_SCATTER_GATHER_ELEMENT List[];
} STOR_SCATTER_GATHER_LIST;

/* -- the adapter's configuration ---------------------------------------------- */

typedef struct _STOR_ACCESS_RANGE {
    PHYSICAL_ADDRESS RangeStart;
    ULONG RangeLength;
    BOOLEAN RangeInMemory;
} STOR_ACCESS_RANGE;

typedef struct _STOR_MEMORY_REGION {
    PUCHAR VirtualBase;
    PHYSICAL_ADDRESS PhysicalBase;
    ULONG Length;
} STOR_MEMORY_REGION;

typedef struct _PORT_CONFIGURATION_INFORMATION {
    ULONG Length;
    ULONG SystemIoBusNumber;
    INTERFACE_TYPE AdapterInterfaceType;
    ULONG BusInterruptLevel;
    ULONG BusInterruptVector;
    KINTERRUPT_MODE InterruptMode;
    ULONG MaximumTransferLength;
    ULONG NumberOfPhysicalBreaks;
    ULONG DmaChannel;
    ULONG DmaPort;
    ULONG DmaWidth; /* DMA_WIDTH */
    ULONG DmaSpeed; /* DMA_SPEED */
    ULONG AlignmentMask;
    ULONG NumberOfAccessRanges;
    STOR_ACCESS_RANGE (*AccessRanges)[];
    PVOID MiniportDumpData;
    UCHAR NumberOfBuses;
    CCHAR InitiatorBusId[8];
    BOOLEAN ScatterGather;
    BOOLEAN Master;
    BOOLEAN CachesData;
    BOOLEAN AdapterScansDown;
    BOOLEAN AtdiskPrimaryClaimed;
    BOOLEAN AtdiskSecondaryClaimed;
    BOOLEAN Dma32BitAddresses;
    BOOLEAN DemandMode;
    UCHAR MapBuffers;
    BOOLEAN NeedPhysicalAddresses;
    BOOLEAN TaggedQueuing;
    BOOLEAN AutoRequestSense;
    BOOLEAN MultipleRequestPerLu;
    BOOLEAN ReceiveEvent;
    BOOLEAN RealModeInitialized;
    BOOLEAN BufferAccessScsiPortControlled;
    UCHAR MaximumNumberOfTargets;
    UCHAR SrbType;
    UCHAR AddressType;
    ULONG SlotNumber;
    ULONG BusInterruptLevel2;
    ULONG BusInterruptVector2;
    KINTERRUPT_MODE InterruptMode2;
    ULONG DmaChannel2;
    ULONG DmaPort2;
    ULONG DmaWidth2;
    ULONG DmaSpeed2;
    ULONG DeviceExtensionSize;
    ULONG SpecificLuExtensionSize;
    ULONG SrbExtensionSize;
    UCHAR Dma64BitAddresses;
    BOOLEAN ResetTargetSupported;
    UCHAR MaximumNumberOfLogicalUnits;
    BOOLEAN WmiDataProvider;
    ULONG SynchronizationModel; /* STOR_SYNCHRONIZATION_MODEL */
    PVOID HwMSInterruptRoutine;
    ULONG InterruptSynchronizationMode;
    STOR_MEMORY_REGION DumpRegion;
    ULONG RequestedDumpBufferSize;
    BOOLEAN VirtualDevice;
    UCHAR DumpMode;
    UCHAR DmaAddressWidth;
    ULONG ExtendedFlags1;
    ULONG MaxNumberOfIO;
    ULONG MaxIOsPerLun;
    ULONG InitialLunQueueDepth;
    ULONG BusResetHoldTime;
    ULONG FeatureSupport;
} PORT_CONFIGURATION_INFORMATION, *PPORT_CONFIGURATION_INFORMATION;

/* -- the miniport's callbacks and registration ---------------------------------- */

typedef ULONG HW_FIND_ADAPTER(PVOID DeviceExtension, PVOID HwContext, PVOID BusInformation,
                              PCHAR ArgumentString, PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                              PBOOLEAN Reserved3);
typedef BOOLEAN HW_INITIALIZE(PVOID DeviceExtension);
typedef BOOLEAN HW_PASSIVE_INITIALIZE_ROUTINE(PVOID DeviceExtension);
/* Srb: a STORAGE_REQUEST_BLOCK instead when SrbTypeFlags asked for it (srb_access.h). */
typedef BOOLEAN HW_STARTIO(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb);
typedef BOOLEAN HW_BUILDIO(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb);
typedef BOOLEAN HW_RESET_BUS(PVOID DeviceExtension, ULONG PathId);
typedef ULONG HW_ADAPTER_CONTROL(PVOID DeviceExtension, ULONG ControlType, PVOID Parameters);

typedef struct _HW_INITIALIZATION_DATA {
    ULONG HwInitializationDataSize;
    INTERFACE_TYPE AdapterInterfaceType;
    HW_INITIALIZE *HwInitialize;
    HW_STARTIO *HwStartIo;
    PVOID HwInterrupt;
    PVOID HwFindAdapter; /* HW_FIND_ADAPTER for a physical miniport */
    HW_RESET_BUS *HwResetBus;
    PVOID HwDmaStarted;   /* must be NULL */
    PVOID HwAdapterState; /* must be NULL */
    ULONG DeviceExtensionSize;
    ULONG SpecificLuExtensionSize;
    ULONG SrbExtensionSize;
    ULONG NumberOfAccessRanges;
    PVOID Reserved;
    UCHAR MapBuffers;
    BOOLEAN NeedPhysicalAddresses;
    BOOLEAN TaggedQueuing;
    BOOLEAN AutoRequestSense;
    BOOLEAN MultipleRequestPerLu;
    BOOLEAN ReceiveEvent;
    USHORT VendorIdLength;
    PVOID VendorId;
    USHORT PortVersionFlags;
    USHORT DeviceIdLength;
    PVOID DeviceId;
    HW_ADAPTER_CONTROL *HwAdapterControl;
    HW_BUILDIO *HwBuildIo;
    PVOID HwFreeAdapterResources;  /* virtual miniports only */
    PVOID HwProcessServiceRequest; /* virtual miniports only */
    PVOID HwCompleteServiceIrp;    /* virtual miniports only */
    PVOID HwInitializeTracing;
    PVOID HwCleanupTracing;
    PVOID HwTracingEnabled;
    ULONG FeatureSupport;
    ULONG SrbTypeFlags;
    ULONG AddressTypeFlags;
    ULONG Reserved1;
    PVOID HwUnitControl;
} HW_INITIALIZATION_DATA;

/* StorPortInitializePerfOpts's structure (PERF_CONFIGURATION_DATA) and flags. */
#define STOR_PERF_DPC_REDIRECTION     0x00000001
#define STOR_PERF_CONCURRENT_CHANNELS 0x00000002
#define STOR_PERF_VERSION_2           0x00000002 /* the first with concurrent channels */

typedef struct _PERF_CONFIGURATION_DATA {
    ULONG Version;
    ULONG Size;
    ULONG Flags;
    ULONG ConcurrentChannels;
    ULONG FirstRedirectionMessageNumber;
    ULONG LastRedirectionMessageNumber;
    ULONG DeviceNode;
    ULONG Reserved;
    PVOID MessageTargets; /* PGROUP_AFFINITY */
} PERF_CONFIGURATION_DATA;

/* storport.sys's exports XENVBD calls (the rest of storport.h's calls are inline wrappers of these). */
NTSTATUS NTAPI StorPortInitialize(PVOID Argument1, PVOID Argument2,
                                  HW_INITIALIZATION_DATA *HwInitializationData, PVOID HwContext);
BOOLEAN __cdecl StorPortNotification(ULONG NotificationType, PVOID HwDeviceExtension, ...);
ULONG __cdecl StorPortExtendedFunction(ULONG FunctionCode, PVOID HwDeviceExtension, ...);
STOR_SCATTER_GATHER_LIST *NTAPI StorPortGetScatterGatherList(PVOID HwDeviceExtension,
                                                             PSCSI_REQUEST_BLOCK Srb);

/* -- the WDK's x64 layout, checked ---------------------------------------------- */

/* -- crash-dump and hibernation mode (Windows 8 and later) ------------------------ */

#define DUMP_MODE_CRASH            0x01
#define DUMP_MODE_HIBER            0x02
#define DUMP_MODE_MARK_MEMORY      0x03
#define DUMP_MODE_RESUME           0x04
#define DUMP_MINIPORT_VERSION_1    0x0100
#define DUMP_MINIPORT_NAME_LENGTH  15
#define STOR_FEATURE_DUMP_POINTERS 0x00000008

/* The answer to SRB_FUNCTION_DUMP_POINTERS. */
typedef struct _MINIPORT_DUMP_POINTERS {
    USHORT Version;
    USHORT Size;
    WCHAR DriverName[DUMP_MINIPORT_NAME_LENGTH];
    PVOID AdapterObject;
    PVOID MappedRegisterBase;
    ULONG CommonBufferSize;
    PVOID MiniportPrivateDumpData;
    ULONG SystemIoBusNumber;
    INTERFACE_TYPE AdapterInterfaceType;
    ULONG MaximumTransferLength;
    ULONG NumberOfPhysicalBreaks;
    ULONG AlignmentMask;
    ULONG NumberOfAccessRanges;
    PVOID AccessRanges;
    UCHAR NumberOfBuses;
    BOOLEAN Master;
    BOOLEAN MapBuffers;
    UCHAR MaximumNumberOfTargets;
} MINIPORT_DUMP_POINTERS, *PMINIPORT_DUMP_POINTERS;

VOID NTAPI StorPortStallExecution(ULONG Delay);

_Static_assert(sizeof(MINIPORT_DUMP_POINTERS) == 0x70, "MINIPORT_DUMP_POINTERS");
_Static_assert(offsetof(MINIPORT_DUMP_POINTERS, AdapterObject) == 0x28, "MDP AdapterObject");
_Static_assert(offsetof(MINIPORT_DUMP_POINTERS, MiniportPrivateDumpData) == 0x40, "MDP data");
_Static_assert(offsetof(MINIPORT_DUMP_POINTERS, MaximumTransferLength) == 0x50, "MDP MTL");
_Static_assert(offsetof(MINIPORT_DUMP_POINTERS, MaximumNumberOfTargets) == 0x6b, "MDP targets");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, MiniportDumpData) == 0x40, "PCI dump data");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, DumpRegion) == 0xa8, "PCI DumpRegion");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, RequestedDumpBufferSize) == 0xc0,
               "PCI RequestedDumpBufferSize");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, DumpMode) == 0xc5, "PCI DumpMode");

_Static_assert(sizeof(SCSI_REQUEST_BLOCK) == 88, "SCSI_REQUEST_BLOCK is 88 bytes on x64");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, SrbStatus) ==
                   offsetof(SCSI_REQUEST_BLOCK, SrbStatus),
               "SrbStatus where both forms have it");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, Signature) == 8, "SRBEX Signature");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, SrbLength) == 16, "SRBEX SrbLength");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, SrbFunction) == 20, "SRBEX SrbFunction");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, SrbFlags) == 24, "SRBEX SrbFlags");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, TimeOutValue) == 40, "SRBEX TimeOutValue");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, ZeroGuard1) == 48, "SRBEX ZeroGuard1");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, AddressOffset) == 52, "SRBEX AddressOffset");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, NumSrbExData) == 56, "SRBEX NumSrbExData");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, DataTransferLength) == 60, "SRBEX length");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, DataBuffer) == 64, "SRBEX DataBuffer");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, ZeroGuard2) == 72, "SRBEX ZeroGuard2");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, MiniportContext) == 104, "SRBEX MiniportContext");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, NextSrb) == 112, "SRBEX NextSrb");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, SrbExDataOffset) == 120, "SRBEX SrbExDataOffset");
_Static_assert(sizeof(STORAGE_REQUEST_BLOCK) == 128, "STORAGE_REQUEST_BLOCK is 128 bytes on x64");
_Static_assert(sizeof(STOR_ADDR_BTL8) == 16, "STOR_ADDR_BTL8 (12 bytes aligned to 8)");
_Static_assert(offsetof(STOR_ADDR_BTL8, Path) == 8, "BTL8 Path");
_Static_assert(offsetof(STOR_ADDR_BTL8, Lun) == 10, "BTL8 Lun");
_Static_assert(offsetof(STOR_ADDRESS, AddressData) == 8, "STOR_ADDRESS AddressData");
_Static_assert(offsetof(SRBEX_DATA, Data) == 8, "SRBEX_DATA Data");
_Static_assert(sizeof(SRBEX_DATA_SCSI_CDB16) == 40, "SRBEX_DATA_SCSI_CDB16");
_Static_assert(offsetof(SRBEX_DATA_SCSI_CDB16, SenseInfoBuffer) == 16, "CDB16 SenseInfoBuffer");
_Static_assert(offsetof(SRBEX_DATA_SCSI_CDB16, Cdb) == 24, "CDB16 Cdb");
_Static_assert(SRBEX_DATA_SCSI_CDB16_LENGTH == 32, "CDB16 Length: all after Type and Length");
_Static_assert(sizeof(SRBEX_DATA_SCSI_CDB32) == 56, "SRBEX_DATA_SCSI_CDB32");
_Static_assert(offsetof(SRBEX_DATA_SCSI_CDB32, Cdb) == 24, "CDB32 Cdb");
_Static_assert(SRBEX_DATA_SCSI_CDB32_LENGTH == 48, "CDB32 Length: all after Type and Length");
_Static_assert(offsetof(SRBEX_DATA_SCSI_CDB_VAR, CdbLength) == 12, "CDB_VAR CdbLength");
_Static_assert(offsetof(SRBEX_DATA_SCSI_CDB_VAR, SenseInfoBuffer) == 24, "CDB_VAR sense");
_Static_assert(offsetof(SRBEX_DATA_SCSI_CDB_VAR, Cdb) == 32, "CDB_VAR Cdb");
_Static_assert(SRBEX_DATA_SCSI_CDB_VAR_LENGTH_MIN == 24, "CDB_VAR Length without its CDB");

_Static_assert(offsetof(SCSI_REQUEST_BLOCK, SrbFlags) == 12, "SRB SrbFlags");
_Static_assert(offsetof(SCSI_REQUEST_BLOCK, DataBuffer) == 24, "SRB DataBuffer");
_Static_assert(offsetof(SCSI_REQUEST_BLOCK, OriginalRequest) == 48, "SRB OriginalRequest");
_Static_assert(offsetof(SCSI_REQUEST_BLOCK, SrbExtension) == 56, "SRB SrbExtension");
_Static_assert(offsetof(SCSI_REQUEST_BLOCK, Cdb) == 72, "SRB Cdb");
_Static_assert(sizeof(STOR_SCATTER_GATHER_ELEMENT) == 24, "STOR_SCATTER_GATHER_ELEMENT");
_Static_assert(offsetof(STOR_SCATTER_GATHER_LIST, List) == 16, "STOR_SCATTER_GATHER_LIST");
_Static_assert(sizeof(STOR_ACCESS_RANGE) == 16, "ACCESS_RANGE");
_Static_assert(sizeof(STOR_MEMORY_REGION) == 24, "MEMORY_REGION");
_Static_assert(sizeof(PORT_CONFIGURATION_INFORMATION) == 224, "PORT_CONFIGURATION_INFORMATION");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, MaximumTransferLength) == 24, "PCI MTL");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, AccessRanges) == 56, "PCI AccessRanges");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, NumberOfBuses) == 72, "PCI NumberOfBuses");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, ScatterGather) == 81, "PCI ScatterGather");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, MaximumNumberOfTargets) == 97,
               "PCI targets");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, SrbType) == 98, "PCI SrbType");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, SlotNumber) == 100, "PCI SlotNumber");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, DeviceExtensionSize) == 132, "PCI DevExt");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, Dma64BitAddresses) == 144, "PCI Dma64");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, SynchronizationModel) == 148, "PCI Sync");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, HwMSInterruptRoutine) == 152, "PCI MSI");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, DumpRegion) == 168, "PCI DumpRegion");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, RequestedDumpBufferSize) == 192,
               "PCI Dump");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, VirtualDevice) == 196, "PCI Virtual");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, DumpMode) == 197, "PCI DumpMode");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, ExtendedFlags1) == 200, "PCI Flags1");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, MaxNumberOfIO) == 204, "PCI MaxIO");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, FeatureSupport) == 220, "PCI Features");
_Static_assert(sizeof(HW_INITIALIZATION_DATA) == 208, "HW_INITIALIZATION_DATA (Windows 8+)");
_Static_assert(offsetof(HW_INITIALIZATION_DATA, HwFindAdapter) == 32, "HID HwFindAdapter");
_Static_assert(offsetof(HW_INITIALIZATION_DATA, DeviceExtensionSize) == 64, "HID DevExt");
_Static_assert(offsetof(HW_INITIALIZATION_DATA, MapBuffers) == 88, "HID MapBuffers");
_Static_assert(offsetof(HW_INITIALIZATION_DATA, VendorIdLength) == 94, "HID VendorIdLength");
_Static_assert(offsetof(HW_INITIALIZATION_DATA, VendorId) == 96, "HID VendorId");
_Static_assert(offsetof(HW_INITIALIZATION_DATA, PortVersionFlags) == 104, "HID PortVersionFlags");
_Static_assert(offsetof(HW_INITIALIZATION_DATA, DeviceId) == 112, "HID DeviceId");
_Static_assert(offsetof(HW_INITIALIZATION_DATA, HwAdapterControl) == 120, "HID AdapterControl");
_Static_assert(offsetof(HW_INITIALIZATION_DATA, HwBuildIo) == 128, "HID BuildIo");
_Static_assert(offsetof(HW_INITIALIZATION_DATA, HwFreeAdapterResources) == 136, "HID Win8 start");
_Static_assert(offsetof(HW_INITIALIZATION_DATA, HwTracingEnabled) == 176, "HID Tracing");
_Static_assert(offsetof(HW_INITIALIZATION_DATA, FeatureSupport) == 184, "HID FeatureSupport");
_Static_assert(offsetof(HW_INITIALIZATION_DATA, SrbTypeFlags) == 188, "HID SrbTypeFlags");
_Static_assert(offsetof(HW_INITIALIZATION_DATA, HwUnitControl) == 200, "HID HwUnitControl");
_Static_assert(sizeof(PERF_CONFIGURATION_DATA) == 40, "PERF_CONFIGURATION_DATA");
_Static_assert(offsetof(PERF_CONFIGURATION_DATA, ConcurrentChannels) == 12, "PERF channels");
_Static_assert(offsetof(PERF_CONFIGURATION_DATA, MessageTargets) == 32, "PERF MessageTargets");

#endif /* WINPV_XENVBD_STORPORT_ABI_H */
