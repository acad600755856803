#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool read_all(int fd, struct file_contents *file, const char *path, struct failure *why)
{
    size_t done = 0;

    while (done < file->size) {
        ssize_t n = read(fd, file->data + done, file->size - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(why, "cannot read %s: %s", path, strerror(errno));
        if (n == 0)
            return fail(why, "%s shrank while being read", path);
        done += (size_t)n;
    }
    return true;
}

bool file_read(const char *path, struct file_contents *file, struct failure *why)
{
    struct stat st;
    bool ok;
    int fd;

    file->data = NULL;
    file->size = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(why, "cannot open %s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0) {
        ok = fail(why, "cannot stat %s: %s", path, strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        ok = fail(why, "%s is not a regular file", path);
    } else if ((uint64_t)st.st_size > FILE_SIZE_MAX) {
        ok =
            fail(why, "%s is %lld bytes, more than %u", path, (long long)st.st_size, FILE_SIZE_MAX);
    } else {
        file->size = (size_t)st.st_size;
        /* malloc(0) may return NULL; an empty file still gets a buffer. */
        file->data = malloc(file->size ? file->size : 1);
        if (!file->data)
            ok = fail(why, "out of memory reading %s", path);
        else
            ok = read_all(fd, file, path, why);
    }
    close(fd);
    if (!ok)
        file_release(file);
    return ok;
}

void file_release(struct file_contents *file)
{
    free(file->data);
    file->data = NULL;
    file->size = 0;
}
