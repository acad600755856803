/*
 * sim/nt/inf.h - INF files as Windows reads them, and the driver Windows
 * would install for a device from a directory of them.
 *
 * Reading (inf_parse.c and its helpers): UTF-8 or ASCII, or UTF-16LE with
 * its byte-order mark; [sections] (case-insensitive, a repeated section
 * merged into the first); lines "key = value, value" and bare lines
 * "value, value"; ';' comments; a '\' ending a line continues it on the
 * next; "quoted strings" with "" for a quote; %strkey% from [Strings]
 * (or [Strings.0409], the simulated system's language), %NN% directory
 * ids as the simulated system's directories (C:\Windows...), %% a '%'. An
 * INF is untrusted input: everything is bounded (NT_INF_MAX_FILE_SIZE,
 * NT_INF_MAX_LINE) and every error names the file and line.
 *
 * Choosing (inf_models.c, inf_install.c, inf_select.c): the model line whose
 * IDs match the device best, ranked as Windows ranks drivers (0xSSGGTHHH:
 * a device hardware ID matching the model's hardware ID first, then the
 * model's compatible IDs, then the device's compatible IDs; earlier IDs
 * before later ones; a newer DriverVer breaks a tie), in the [Manufacturer]
 * Models section decorated for x64 with the highest OS version not above
 * the simulated one; then its DDInstall section (.NTamd64, .NT or none),
 * CopyFiles, .Services (the AddService marked SPSVCINST_ASSOCSERVICE) and
 * the AddReg entries of the service, DDInstall and DDInstall.HW sections.
 *
 * Not modelled: signatures (every INF ranks as signed), Include/Needs of
 * system INFs (refused), DelReg/BitReg, CoInstallers, DIRID 13 (Windows 10
 * 1709 and later).
 */
#ifndef WINPV_SIM_NT_INF_H
#define WINPV_SIM_NT_INF_H

#include <stddef.h>
#include <stdint.h>

#define NT_INF_MAX_FILE_SIZE (4u << 20) /* larger than any driver INF */
#define NT_INF_MAX_LINE      4096       /* a logical line or a field, as MAX_INF_STRING_LENGTH */
#define NT_INF_ERROR_SIZE    512        /* enough for any message these functions write */

/* -- a parsed INF ------------------------------------------------------------------------ */

struct nt_inf_line {
    unsigned int lineno; /* where the line starts in its file */
    const char *key;     /* the text before '=', or NULL for a bare line */
    size_t field_count;
    const char **fields; /* after '=' (or the whole bare line), split at commas */
};

struct nt_inf_section {
    const char *name; /* as first written */
    size_t line_count;
    struct nt_inf_line *lines;
    size_t line_capacity;
};

struct inf_arena;
struct nt_inf {
    const char *path; /* as given, for messages */
    size_t section_count;
    struct nt_inf_section *sections; /* in the order they first appear */
    size_t section_capacity;
    size_t *index; /* open-addressed hash of section names: position + 1, 0 empty */
    size_t index_size;
    struct inf_arena *arena; /* every string and field list */
};

/*
 * Parse @size bytes of INF text; @path names it in messages. Returns 0 and
 * *@inf (free with nt_inf_free), or a negative errno with a message
 * "path:line: what" in @error: -EILSEQ bad encoding, -EINVAL bad syntax or an
 * undefined %string%, -EFBIG too large, -ENOMEM.
 */
int nt_inf_parse(const void *text, size_t size, const char *path, struct nt_inf **inf, char *error,
                 size_t error_size);
/* nt_inf_parse of the file at @path; -ENOENT when it cannot be read. */
int nt_inf_load(const char *path, struct nt_inf **inf, char *error, size_t error_size);
void nt_inf_free(struct nt_inf *inf);

/* The section called @name (case-insensitive), or NULL. */
const struct nt_inf_section *nt_inf_section(const struct nt_inf *inf, const char *name);
/* The first line of @section whose key is @key (case-insensitive), or NULL. */
const struct nt_inf_line *nt_inf_line(const struct nt_inf_section *section, const char *key);
/* Field @i of @line, or NULL when the line has fewer. */
const char *nt_inf_field(const struct nt_inf_line *line, size_t i);
/* Field 0 of the first line keyed @key in section @section, or NULL. */
const char *nt_inf_value(const struct nt_inf *inf, const char *section, const char *key);

/* -- choosing a driver ------------------------------------------------------------------- */

/* A device's IDs as its bus driver reports them, most specific first. */
struct nt_device_ids {
    const char *const *hardware;
    size_t hardware_count;
    const char *const *compatible;
    size_t compatible_count;
};

/* The Windows version INF decorations are matched against. */
struct nt_os_version {
    uint32_t major, minor, build;
    uint32_t product_type; /* VER_NT_WORKSTATION 1, VER_NT_SERVER 3 */
    uint32_t suite_mask;   /* VER_SUITE_* */
};
/* The simulated system: Windows 10 1607 (10.0.14393), x64, a workstation. */
extern const struct nt_os_version nt_inf_simulated_os;

/* Where HKR (or HKLM) in an AddReg section points. */
enum nt_inf_reg_root {
    NT_INF_REG_SERVICE,  /* a service-install section: Services\<service> */
    NT_INF_REG_DRIVER,   /* DDInstall: the driver (software) key, Control\Class\{guid}\NNNN */
    NT_INF_REG_HARDWARE, /* DDInstall.HW: the device's hardware key, Enum\<id>\Device Parameters */
    NT_INF_REG_MACHINE,  /* HKLM (HKCR as Software\Classes under it): \Registry\Machine */
};

/* AddReg flags (FLG_ADDREG_*) that say how a value is written. */
#define NT_INF_ADDREG_NOCLOBBER     0x00000002 /* keep a value already there */
#define NT_INF_ADDREG_DELVAL        0x00000004 /* delete the value */
#define NT_INF_ADDREG_APPEND        0x00000008 /* add the strings missing from a REG_MULTI_SZ */
#define NT_INF_ADDREG_KEYONLY       0x00000010 /* create the key, no value */
#define NT_INF_ADDREG_OVERWRITEONLY 0x00000020 /* only replace a value already there */

/* One AddReg line, decoded. */
struct nt_inf_reg_value {
    enum nt_inf_reg_root root;
    const char *subkey; /* below the root, backslash-separated; "" the root itself */
    const char *name;   /* the value's name, "" the default value; NULL with KEYONLY */
    uint32_t flags;     /* NT_INF_ADDREG_* */
    uint32_t type; /* REG_SZ 1, REG_EXPAND_SZ 2, REG_BINARY 3, REG_DWORD 4, REG_MULTI_SZ 7... */
    const uint8_t *data; /* as the registry keeps it: strings UTF-16LE, NUL-terminated */
    size_t size;
    const char *origin; /* "file:line", for messages */
};

#define SERVICE_BOOT_START 0 /* StartType: loaded by the boot loader */

struct nt_inf_service {
    const char *name;
    uint32_t flags;           /* AddService flags, SPSVCINST_* */
    uint32_t type;            /* ServiceType: 1 kernel driver */
    uint32_t start;           /* StartType: 0 boot ... 4 disabled */
    uint32_t error_control;   /* ErrorControl: 0 ignore ... 3 critical */
    const char *group;        /* LoadOrderGroup, "" when none */
    const char *display_name; /* "" when none */
    const char *binary;       /* ServiceBinary, a simulated-system path: C:\Windows\... */
    const char *install_section;
};

/* What installing the chosen driver on the device means. */
struct nt_inf_driver {
    const char *inf_path;
    const char *image_path;      /* this host's path of the image ServiceBinary names */
    const char *description;     /* the model's device description */
    const char *matched_id;      /* the ID that matched */
    uint32_t rank;               /* 0xSSGGTHHH: lower is better */
    const char *models_section;  /* e.g. "Xen.NTamd64.10.0...14393" */
    const char *install_section; /* the DDInstall section, as decorated: "XenBus_Install.NTamd64" */
    const char *class_name, *class_guid, *provider;
    uint32_t driver_date;    /* DriverVer: yyyy << 16 | mm << 8 | dd */
    uint64_t driver_version; /* DriverVer: w << 48 | x << 32 | y << 16 | z */
    struct nt_inf_service service;
    size_t registry_count;
    const struct nt_inf_reg_value *registry; /* in the order Windows writes them */
    size_t file_count;
    const char *const *files; /* what CopyFiles copies, relative to the INF's directory */
    struct inf_arena *arena;
};

/*
 * The driver Windows would install from the INFs in @dir for a device with
 * @ids on @os (NULL: nt_inf_simulated_os). @dir holds one subdirectory per
 * driver package (dist/x64/<driver>/) with its .inf and the files it copies.
 * Returns 0 and fills @driver (release with nt_inf_driver_free), -ENOENT
 * when no INF matches, or another negative errno when an INF is broken or a
 * file it copies is missing; @error says which and where.
 */
int nt_inf_select(const char *dir, const struct nt_device_ids *ids, const struct nt_os_version *os,
                  struct nt_inf_driver *driver, char *error, size_t error_size);
void nt_inf_driver_free(struct nt_inf_driver *driver);

/* The best model line of one INF for @ids (see nt_inf_select). */
struct nt_inf_match {
    uint32_t rank;
    const struct nt_inf_line *model;
    const char *models_section;
    const char *matched_id;
};
/* 0 and *@match, -ENOENT when nothing in @inf matches, or an error in @inf. */
int nt_inf_match(const struct nt_inf *inf, const struct nt_device_ids *ids,
                 const struct nt_os_version *os, struct nt_inf_match *match, char *error,
                 size_t error_size);

/*
 * What installing @match from @inf means, except for the files: @driver's
 * image_path is the image's path relative to the INF's directory
 * (nt_inf_select checks it and every other copied file exist).
 */
int nt_inf_install(const struct nt_inf *inf, const struct nt_inf_match *match,
                   struct nt_inf_driver *driver, char *error, size_t error_size);

#endif /* WINPV_SIM_NT_INF_H */
