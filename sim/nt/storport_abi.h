/*
 * sim/nt/storport_abi.h - Storport's structures and constants as a miniport
 * sees them on Windows x64, written for the simulated kernel (LP64): the
 * same layouts as windows/xenvbd/storport_abi.h, which the Windows side
 * checks against the WDK's sizes; ntabi_list.h's Storport part checks the
 * two against each other.
 */
#ifndef WINPV_SIM_NT_STORPORT_ABI_H
#define WINPV_SIM_NT_STORPORT_ABI_H

#include "ntabi.h"

#define SP_RETURN_NOT_FOUND    0
#define SP_RETURN_FOUND        1
#define SP_RETURN_ERROR        2
#define SP_RETURN_BAD_CONFIG   3
#define SP_UNINITIALIZED_VALUE 0xffffffffu

#define STOR_ENABLE_PASSIVE_INITIALIZATION 0x1000
#define STOR_REQUEST_COMPLETE              0
#define STOR_BUS_CHANGE_DETECTED           7

#define STOR_EXT_ALLOCATE_POOL      0
#define STOR_EXT_FREE_POOL          1
#define STOR_EXT_GET_DEVICE_OBJECTS 8
#define STOR_EXT_INITIALIZE_PERF    14 /* StorPortInitializePerfOpts */

#define STOR_STATUS_SUCCESS           0x00000000u
#define STOR_STATUS_UNSUCCESSFUL      0xC1000001u
#define STOR_STATUS_INVALID_PARAMETER 0xC1000006u

#define STOR_FEATURE_VIRTUAL_MINIPORT      0x00000001
#define STOR_INTERFACE_INTERNAL            0 /* INTERFACE_TYPE Internal */
#define SCSI_DMA64_SYSTEM_SUPPORTED        0x80
#define SCSI_QUERY_SUPPORTED_CONTROL_TYPES 0
#define SCSI_STOP_ADAPTER                  1

#define SRB_FUNCTION_EXECUTE_SCSI         0x00
#define SRB_STATUS_PENDING                0x00
#define SRB_STATUS_SUCCESS                0x01
#define SRB_STATUS_NO_DEVICE              0x08
#define SRB_STATUS_SELECTION_TIMEOUT      0x0a
#define SRB_STATUS_INVALID_LUN            0x20
#define SRB_STATUS_INVALID_TARGET_ID      0x21
#define SRB_STATUS_INSUFFICIENT_RESOURCES 0x26
#define SRB_STATUS_AUTOSENSE_VALID        0x80
#define SRB_STATUS(status)                ((status)&0x3f)
#define SRB_FLAGS_DATA_IN                 0x00000040
#define SRB_FLAGS_DATA_OUT                0x00000080
#define SRB_FLAGS_NO_DATA_TRANSFER        0x00000000
#define SRB_STATUS_AUTOSENSE_VALID        0x80
#define SRB_STATUS_ERROR                  0x04
#define STOR_SYNCHRONIZE_FULL_DUPLEX      1

typedef struct _SCSI_REQUEST_BLOCK {
    uint16_t Length;
    uint8_t Function;
    uint8_t SrbStatus;
    uint8_t ScsiStatus;
    uint8_t PathId;
    uint8_t TargetId;
    uint8_t Lun;
    uint8_t QueueTag;
    uint8_t QueueAction;
    uint8_t CdbLength;
    uint8_t SenseInfoBufferLength;
    uint32_t SrbFlags;
    uint32_t DataTransferLength;
    uint32_t TimeOutValue;
    void *DataBuffer;
    void *SenseInfoBuffer;
    struct _SCSI_REQUEST_BLOCK *NextSrb;
    void *OriginalRequest;
    void *SrbExtension;
    uint32_t InternalStatus;
    uint32_t Reserved;
    uint8_t Cdb[16];
} SCSI_REQUEST_BLOCK;

/*
 * The extended SRB (Windows 8 and later), sent instead of SCSI_REQUEST_BLOCK
 * to a miniport that sets SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK in
 * SrbTypeFlags; srb.h aligns its structures to 8 bytes on x64.
 */
#define SRB_FUNCTION_STORAGE_REQUEST_BLOCK  0x28
#define SRB_TYPE_FLAG_SCSI_REQUEST_BLOCK    0x1
#define SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK 0x2
#define SRB_SIGNATURE                       0x53524258 /* "SRBX" */
#define STORAGE_REQUEST_BLOCK_VERSION_1     0x1
#define STOR_ADDRESS_TYPE_BTL8              0x1
#define STOR_ADDR_BTL8_ADDRESS_LENGTH       4
#define SRBEX_DATA_TYPE_SCSI_CDB16          0x40 /* SrbExDataTypeScsiCdb16 */
#define SRBEX_DATA_SCSI_CDB16_LENGTH        32   /* the bytes after Type and Length */

typedef struct __attribute__((aligned(8))) _STORAGE_REQUEST_BLOCK {
    uint16_t Length;
    uint8_t Function;
    uint8_t SrbStatus;
    uint32_t ReservedUlong1;
    uint32_t Signature;
    uint32_t Version;
    uint32_t SrbLength;
    uint32_t SrbFunction;
    uint32_t SrbFlags;
    uint32_t ReservedUlong2;
    uint32_t RequestTag;
    uint16_t RequestPriority;
    uint16_t RequestAttribute;
    uint32_t TimeOutValue;
    uint32_t SystemStatus;
    uint32_t ZeroGuard1;
    uint32_t AddressOffset;
    uint32_t NumSrbExData;
    uint32_t DataTransferLength;
    void *DataBuffer;
    void *ZeroGuard2;
    void *OriginalRequest;
    void *ClassContext;
    void *PortContext;
    void *MiniportContext;
    struct _STORAGE_REQUEST_BLOCK *NextSrb;
    uint32_t SrbExDataOffset[1];
} STORAGE_REQUEST_BLOCK;

typedef struct __attribute__((aligned(8))) _STOR_ADDR_BTL8 {
    uint16_t Type;
    uint16_t Port;
    uint32_t AddressLength;
    uint8_t Path;
    uint8_t Target;
    uint8_t Lun;
    uint8_t Reserved;
} STOR_ADDR_BTL8;

typedef struct __attribute__((aligned(8))) _SRBEX_DATA_SCSI_CDB16 {
    uint32_t Type;
    uint32_t Length;
    uint8_t ScsiStatus;
    uint8_t SenseInfoBufferLength;
    uint8_t CdbLength;
    uint8_t Reserved;
    uint32_t Reserved1;
    void *SenseInfoBuffer;
    uint8_t Cdb[16];
} SRBEX_DATA_SCSI_CDB16;

_Static_assert(sizeof(STORAGE_REQUEST_BLOCK) == 128, "STORAGE_REQUEST_BLOCK size");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, SrbExDataOffset) == 120, "SrbExDataOffset");
_Static_assert(sizeof(STOR_ADDR_BTL8) == 16, "STOR_ADDR_BTL8 size");
_Static_assert(sizeof(SRBEX_DATA_SCSI_CDB16) == 40, "SRBEX_DATA_SCSI_CDB16 size");

typedef struct _STOR_SCATTER_GATHER_ELEMENT {
    PHYSICAL_ADDRESS PhysicalAddress;
    uint32_t Length;
    uint64_t Reserved;
} STOR_SCATTER_GATHER_ELEMENT;

typedef struct _STOR_SCATTER_GATHER_LIST {
    uint32_t NumberOfElements;
    uint64_t Reserved;
    STOR_SCATTER_GATHER_ELEMENT List[];
} STOR_SCATTER_GATHER_LIST;

/* HW_INITIALIZATION_DATA.HwInitializationDataSize: the Windows 8 and later form. */
#define STOR_HW_INIT_DATA_SIZE 208

typedef struct _STOR_MEMORY_REGION {
    uint8_t *VirtualBase;
    PHYSICAL_ADDRESS PhysicalBase;
    uint32_t Length;
} STOR_MEMORY_REGION;

typedef struct _PORT_CONFIGURATION_INFORMATION {
    uint32_t Length;
    uint32_t SystemIoBusNumber;
    int32_t AdapterInterfaceType;
    uint32_t BusInterruptLevel;
    uint32_t BusInterruptVector;
    uint32_t InterruptMode;
    uint32_t MaximumTransferLength;
    uint32_t NumberOfPhysicalBreaks;
    uint32_t DmaChannel;
    uint32_t DmaPort;
    uint32_t DmaWidth;
    uint32_t DmaSpeed;
    uint32_t AlignmentMask;
    uint32_t NumberOfAccessRanges;
    void *AccessRanges;
    void *MiniportDumpData;
    uint8_t NumberOfBuses;
    int8_t InitiatorBusId[8];
    BOOLEAN ScatterGather;
    BOOLEAN Master;
    BOOLEAN CachesData;
    BOOLEAN AdapterScansDown;
    BOOLEAN AtdiskPrimaryClaimed;
    BOOLEAN AtdiskSecondaryClaimed;
    BOOLEAN Dma32BitAddresses;
    BOOLEAN DemandMode;
    uint8_t MapBuffers;
    BOOLEAN NeedPhysicalAddresses;
    BOOLEAN TaggedQueuing;
    BOOLEAN AutoRequestSense;
    BOOLEAN MultipleRequestPerLu;
    BOOLEAN ReceiveEvent;
    BOOLEAN RealModeInitialized;
    BOOLEAN BufferAccessScsiPortControlled;
    uint8_t MaximumNumberOfTargets;
    uint8_t SrbType;
    uint8_t AddressType;
    uint32_t SlotNumber;
    uint32_t BusInterruptLevel2;
    uint32_t BusInterruptVector2;
    uint32_t InterruptMode2;
    uint32_t DmaChannel2;
    uint32_t DmaPort2;
    uint32_t DmaWidth2;
    uint32_t DmaSpeed2;
    uint32_t DeviceExtensionSize;
    uint32_t SpecificLuExtensionSize;
    uint32_t SrbExtensionSize;
    uint8_t Dma64BitAddresses;
    BOOLEAN ResetTargetSupported;
    uint8_t MaximumNumberOfLogicalUnits;
    BOOLEAN WmiDataProvider;
    uint32_t SynchronizationModel;
    void *HwMSInterruptRoutine;
    uint32_t InterruptSynchronizationMode;
    STOR_MEMORY_REGION DumpRegion;
    uint32_t RequestedDumpBufferSize;
    BOOLEAN VirtualDevice;
    uint8_t DumpMode;
    uint8_t DmaAddressWidth;
    uint32_t ExtendedFlags1;
    uint32_t MaxNumberOfIO;
    uint32_t MaxIOsPerLun;
    uint32_t InitialLunQueueDepth;
    uint32_t BusResetHoldTime;
    uint32_t FeatureSupport;
} PORT_CONFIGURATION_INFORMATION;

typedef struct _HW_INITIALIZATION_DATA {
    uint32_t HwInitializationDataSize;
    int32_t AdapterInterfaceType;
    void *HwInitialize;
    void *HwStartIo;
    void *HwInterrupt;
    void *HwFindAdapter;
    void *HwResetBus;
    void *HwDmaStarted;
    void *HwAdapterState;
    uint32_t DeviceExtensionSize;
    uint32_t SpecificLuExtensionSize;
    uint32_t SrbExtensionSize;
    uint32_t NumberOfAccessRanges;
    void *Reserved;
    uint8_t MapBuffers;
    BOOLEAN NeedPhysicalAddresses;
    BOOLEAN TaggedQueuing;
    BOOLEAN AutoRequestSense;
    BOOLEAN MultipleRequestPerLu;
    BOOLEAN ReceiveEvent;
    uint16_t VendorIdLength;
    void *VendorId;
    uint16_t PortVersionFlags;
    uint16_t DeviceIdLength;
    void *DeviceId;
    void *HwAdapterControl;
    void *HwBuildIo;
    void *HwFreeAdapterResources;
    void *HwProcessServiceRequest;
    void *HwCompleteServiceIrp;
    void *HwInitializeTracing;
    void *HwCleanupTracing;
    void *HwTracingEnabled;
    uint32_t FeatureSupport;
    uint32_t SrbTypeFlags;
    uint32_t AddressTypeFlags;
    uint32_t Reserved1;
    void *HwUnitControl;
} HW_INITIALIZATION_DATA;

/* StorPortInitializePerfOpts's structure (PERF_CONFIGURATION_DATA) and flags. */
#define STOR_PERF_DPC_REDIRECTION     0x00000001
#define STOR_PERF_CONCURRENT_CHANNELS 0x00000002
#define STOR_PERF_VERSION_2           0x00000002 /* the first with concurrent channels */

typedef struct _PERF_CONFIGURATION_DATA {
    uint32_t Version;
    uint32_t Size;
    uint32_t Flags;
    uint32_t ConcurrentChannels;
    uint32_t FirstRedirectionMessageNumber;
    uint32_t LastRedirectionMessageNumber;
    uint32_t DeviceNode;
    uint32_t Reserved;
    void *MessageTargets; /* PGROUP_AFFINITY */
} PERF_CONFIGURATION_DATA;

/* Crash-dump and hibernation mode (Windows 8 and later). */
#define SRB_FUNCTION_SHUTDOWN      0x07
#define SRB_FUNCTION_DUMP_POINTERS 0x26
#define STOR_NEXT_REQUEST          1
#define DUMP_MODE_CRASH            0x01
#define DUMP_MODE_HIBER            0x02
#define DUMP_MINIPORT_VERSION_1    0x0100
#define DUMP_MINIPORT_NAME_LENGTH  15
#define STOR_FEATURE_DUMP_POINTERS 0x00000008

/* The answer to SRB_FUNCTION_DUMP_POINTERS: 112 bytes on x64. */
typedef struct _MINIPORT_DUMP_POINTERS {
    uint16_t Version;
    uint16_t Size;
    uint16_t DriverName[DUMP_MINIPORT_NAME_LENGTH];
    void *AdapterObject;
    void *MappedRegisterBase;
    uint32_t CommonBufferSize;
    void *MiniportPrivateDumpData;
    uint32_t SystemIoBusNumber;
    int32_t AdapterInterfaceType;
    uint32_t MaximumTransferLength;
    uint32_t NumberOfPhysicalBreaks;
    uint32_t AlignmentMask;
    uint32_t NumberOfAccessRanges;
    void *AccessRanges;
    uint8_t NumberOfBuses;
    BOOLEAN Master;
    BOOLEAN MapBuffers;
    uint8_t MaximumNumberOfTargets;
} MINIPORT_DUMP_POINTERS;

_Static_assert(sizeof(MINIPORT_DUMP_POINTERS) == 0x70, "MINIPORT_DUMP_POINTERS size");
_Static_assert(offsetof(MINIPORT_DUMP_POINTERS, AdapterObject) == 0x28, "AdapterObject");
_Static_assert(offsetof(MINIPORT_DUMP_POINTERS, MiniportPrivateDumpData) == 0x40, "DumpData");
_Static_assert(offsetof(MINIPORT_DUMP_POINTERS, MaximumTransferLength) == 0x50, "MaxTransfer");
_Static_assert(offsetof(MINIPORT_DUMP_POINTERS, MaximumNumberOfTargets) == 0x6b, "Targets");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, MiniportDumpData) == 0x40, "DumpData");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, DumpRegion) == 0xa8, "DumpRegion");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, RequestedDumpBufferSize) == 0xc0,
               "RequestedDumpBufferSize");
_Static_assert(offsetof(PORT_CONFIGURATION_INFORMATION, DumpMode) == 0xc5, "DumpMode");

#endif /* WINPV_SIM_NT_STORPORT_ABI_H */
