/*
 * tests/sim/lib/simlib_interpose_test.c - the libc calls libxenctrl takes
 * over (sim/lib/interpose.c), seen by a program linked against it as the
 * Xen daemons are: xenstored's compiled-in /proc/xen paths open the run
 * directory's files, every other path is left alone, and a raise of
 * RLIMIT_NOFILE beyond the hard limit is clamped instead of refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static char dir[] = "/tmp/winpv-simlib.XXXXXX";

static void write_file(const char *name, const char *text)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void read_back(int fd, const char *expected)
{
    char buf[32] = {0};

    assert_true(fd >= 0);
    assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
    assert_string_equal(buf, expected);
    close(fd);
}

static int setup(void **state)
{
    if (mkdtemp(dir) == NULL)
        return -1;
    setenv("WINPV_SIM_DIR", dir, 1);
    return 0;
}

static int teardown(void **state)
{
    char cmd[64];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_xenstored_paths_open_the_run_directory(void **state)
{
    write_file("xsd_port", "17\n");
    write_file("xsd_kva", "ring");
    read_back(open("/proc/xen/xsd_port", O_RDONLY), "17\n");
    read_back(open64("/proc/xen/xsd_kva", O_RDWR), "ring");

    /* Without a run directory the paths are what they say (no /proc/xen here). */
    unsetenv("WINPV_SIM_DIR");
    errno = 0;
    assert_int_equal(open("/proc/xen/xsd_port", O_RDONLY), -1);
    assert_int_equal(errno, ENOENT);
    setenv("WINPV_SIM_DIR", dir, 1);
}

static void test_other_paths_are_left_alone(void **state)
{
    char path[128];
    struct stat st;
    mode_t old = umask(022);
    int fd;

    snprintf(path, sizeof(path), "%s/created", dir);
    fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0640);
    umask(old);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(st.st_size, 1);
    errno = 0;
    assert_int_equal(open("/proc/xen/other", O_RDONLY), -1);
    assert_int_equal(errno, ENOENT);
}

/* Give up CAP_SYS_RESOURCE, so that raising a hard limit is refused. */
static int drop_sys_resource(void)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct data[2];

    if (syscall(SYS_capget, &hdr, data) != 0)
        return -1;
    data[CAP_SYS_RESOURCE / 32].effective &= ~(1u << (CAP_SYS_RESOURCE % 32));
    data[CAP_SYS_RESOURCE / 32].permitted &= ~(1u << (CAP_SYS_RESOURCE % 32));
    return (int)syscall(SYS_capset, &hdr, data);
}

/* In a child (it gives up a capability): 0 when every expectation held, else its line. */
static int clamp_in_child(void)
{
    struct rlimit now, ask, got;
    struct rlimit64 ask64;

    if (drop_sys_resource() != 0 || getrlimit(RLIMIT_NOFILE, &now) != 0)
        return 1;
    if (now.rlim_max > 64) {
        /* Lower the hard limit first, so there is room above it. */
        now.rlim_max = now.rlim_cur = 64;
        if (setrlimit(RLIMIT_NOFILE, &now) != 0)
            return __LINE__;
    }
    ask.rlim_cur = ask.rlim_max = now.rlim_max + 1024;
    if (setrlimit(RLIMIT_NOFILE, &ask) != 0 || getrlimit(RLIMIT_NOFILE, &got) != 0)
        return __LINE__;
    if (got.rlim_max != now.rlim_max || got.rlim_cur != now.rlim_max)
        return __LINE__;
    ask64.rlim_cur = 16;
    ask64.rlim_max = RLIM64_INFINITY;
    if (setrlimit64(RLIMIT_NOFILE, &ask64) != 0 || getrlimit(RLIMIT_NOFILE, &got) != 0)
        return __LINE__;
    if (got.rlim_max != now.rlim_max || got.rlim_cur != 16)
        return __LINE__;
    /* Only RLIMIT_NOFILE is clamped; a request that is wrong in itself is not. */
    if (getrlimit(RLIMIT_CORE, &now) != 0)
        return __LINE__;
    if (now.rlim_max != RLIM_INFINITY) {
        ask.rlim_cur = ask.rlim_max = now.rlim_max + 1;
        if (setrlimit(RLIMIT_CORE, &ask) != -1 || errno != EPERM)
            return __LINE__;
    }
    ask.rlim_cur = 32;
    ask.rlim_max = 16;
    if (setrlimit(RLIMIT_NOFILE, &ask) != -1 || errno != EINVAL)
        return __LINE__;
    return 0;
}

static void test_raising_nofile_is_clamped(void **state)
{
    int status;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0)
        _exit(clamp_in_child());
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0); /* else the line that failed, modulo 256 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xenstored_paths_open_the_run_directory),
        cmocka_unit_test(test_other_paths_are_left_alone),
        cmocka_unit_test(test_raising_nofile_is_clamped),
    };

    return cmocka_run_group_tests_name("simlib_interpose", tests, setup, teardown);
}
