# sim/nt: the simulated Windows x64 kernel (winpv-ntsim) that runs the
# shipped driver images as a guest of winpv-simd.
include tools/pecheck/sources.mk

NT_KERNEL_SRCS := sim/nt/main.c sim/nt/image.c sim/nt/exports.c sim/nt/thread.c \
                  sim/nt/report.c sim/nt/pool.c sim/nt/clock.c sim/nt/ke_event.c \
                  sim/nt/ke_processor.c sim/nt/ke_spinlock.c sim/nt/ex_pool.c sim/nt/rtl.c sim/nt/dbgprint.c \
                  sim/nt/io_device.c sim/nt/io_irp.c sim/nt/io_remlock.c sim/nt/pnp.c \
                  sim/nt/machine.c sim/nt/ke_dpc.c sim/nt/ke_timer.c sim/nt/ex_work.c \
                  sim/nt/ex_fastmutex.c sim/nt/mm_iospace.c sim/nt/io_interrupt.c \
                  sim/nt/pnp_children.c sim/nt/pnp_driver.c sim/nt/po.c \
                  sim/nt/unwind.c sim/nt/stack.c sim/nt/stack_switch.S \
                  sim/nt/ke_mutex.c sim/nt/io_workitem.c sim/nt/io_property.c sim/nt/held.c \
                  sim/nt/mm_mdl.c sim/nt/mm_map.c sim/nt/mm_pages.c sim/nt/mm_contiguous.c \
                  sim/nt/ob_object.c sim/nt/ob_handle.c sim/nt/ps_thread.c sim/nt/zw_registry.c sim/nt/io_regkey.c \
                  sim/nt/io_cancel.c sim/nt/io_interface.c sim/nt/io_shutdown.c sim/nt/io_file.c \
                  sim/nt/agent.c sim/nt/shutdown.c sim/nt/io_security.c sim/nt/boot.c sim/nt/storport.c sim/nt/storport_perf.c sim/nt/storport_srb.c sim/nt/storport_srbex.c sim/nt/storport_bus.c sim/nt/storport_dump.c sim/nt/disk_class.c sim/nt/disk_class_sense.c sim/nt/disk_io.c sim/nt/disk_requests.c sim/nt/disk_run.c sim/nt/disk_trim.c sim/nt/user_io.c

# INF files and the registry: the driver Windows would install for a device,
# chosen from the INFs in dist/x64, and the registry its installation seeds.
# NT_INF_CORE_SRCS touch no file (the INF fuzzer links them alone);
# inf_select.c reads the packages with tools/pecheck/file.c and failure.c,
# which winpv-ntsim links already.
NT_INF_CORE_SRCS := sim/nt/inf_arena.c sim/nt/inf_text.c sim/nt/inf_lines.c sim/nt/inf_lookup.c \
                    sim/nt/inf_parse.c sim/nt/inf_strings.c sim/nt/inf_version.c \
                    sim/nt/inf_models.c sim/nt/inf_install.c sim/nt/inf_copyfiles.c \
                    sim/nt/inf_addreg.c sim/nt/registry.c sim/nt/registry_inf.c
NT_INF_SRCS := $(NT_INF_CORE_SRCS) sim/nt/inf_select.c sim/nt/pci_ids.c
INCLUDES_sim/nt/inf_select := $(HOST_INCLUDES) -Itools

# The tests run the sanitizer build (build/host/bin); people the release one
# (build/release/bin), beside winpv-sim, which starts it for up --guest.
HOST_PROGRAMS += winpv-ntsim
RELEASE_PROGRAMS += winpv-ntsim
winpv-ntsim_SRCS := $(NT_KERNEL_SRCS) $(NT_INF_SRCS) $(SIM_NT_CPU_SRCS) $(SIM_GUEST_SRCS) \
                    $(SIM_CLIENT_SRCS) $(POSIX_SRCS) $(LOG_SRCS) \
                    tools/pecheck/pe.c tools/pecheck/pe_imports.c tools/pecheck/pe_relocs.c \
                    tools/pecheck/pe_debug.c tools/pecheck/file.c tools/pecheck/failure.c \
                    tools/pecheck/text.c
winpv-ntsim_LDLIBS := $(SIM_NT_CPU_LDLIBS) -lpthread -lcrypto
INCLUDES_sim/nt/image := $(HOST_INCLUDES) -Itools

