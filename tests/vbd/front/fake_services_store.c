/*
 * tests/vbd/front/fake_services_store.c - nodes in memory, transactions on a
 * copy; see fake_services.h.
 */
#include <stdlib.h>
#include <string.h>

#include "fake_services.h"
#include "os_posix.h"
#include "xenstore/number.h"

/* -- nodes ---------------------------------------------------------------- */

static struct fake_node *node_find(struct fake_nodes *ns, const char *path)
{
    for (size_t i = 0; i < ns->n; i++)
        if (strcmp(ns->v[i].path, path) == 0)
            return &ns->v[i];
    return NULL;
}

static void node_set(struct fake_nodes *ns, const char *path, const void *value, size_t len)
{
    struct fake_node *node = node_find(ns, path);

    if (!node) {
        if (ns->n == ns->cap) {
            ns->cap = ns->cap ? ns->cap * 2 : 32;
            ns->v = realloc(ns->v, ns->cap * sizeof(*ns->v));
            if (!ns->v)
                fake_violation("out of memory");
        }
        node = &ns->v[ns->n++];
        node->path = strdup(path);
        node->value = NULL;
    }
    free(node->value);
    node->value = fake_alloc(len + 1);
    memcpy(node->value, value, len);
    node->len = len;
}

/* Whether @path is @dir or below it. */
static bool node_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Remove @path and everything below; whether anything was there. */
static bool node_remove_tree(struct fake_nodes *ns, const char *path)
{
    bool found = false;

    for (size_t i = 0; i < ns->n;) {
        if (!node_under(ns->v[i].path, path)) {
            i++;
            continue;
        }
        free(ns->v[i].path);
        free(ns->v[i].value);
        ns->v[i] = ns->v[--ns->n];
        found = true;
    }
    return found;
}

static void nodes_free(struct fake_nodes *ns)
{
    for (size_t i = 0; i < ns->n; i++) {
        free(ns->v[i].path);
        free(ns->v[i].value);
    }
    free(ns->v);
    memset(ns, 0, sizeof(*ns));
}

static void nodes_copy(struct fake_nodes *to, const struct fake_nodes *from)
{
    memset(to, 0, sizeof(*to));
    for (size_t i = 0; i < from->n; i++)
        node_set(to, from->v[i].path, from->v[i].value, from->v[i].len);
}

/* -- store ---------------------------------------------------------------- */

struct winpv_store_watch {
    struct fake_store *fs;
};

/* The nodes transaction @tx sees (0: none). Called with the lock held. */
static struct fake_nodes *store_view(struct fake_store *fs, uint32_t tx)
{
    if (tx == 0)
        return &fs->nodes;
    if (tx != fs->tx_id)
        fake_violation("store: transaction %u is not open", tx);
    return &fs->tx;
}

static void store_free(void *context, void *p)
{
    free(p);
}

static int store_read(void *context, uint32_t tx, const char *path, char **value, size_t *len)
{
    struct fake_store *fs = context;
    struct fake_node *node;
    int rc = 0;

    os_posix_require_passive(__func__);
    pthread_mutex_lock(&fs->lock);
    node = node_find(store_view(fs, tx), path);
    if (!node) {
        rc = -XEN_ENOENT;
    } else {
        *value = fake_alloc(node->len + 1);
        memcpy(*value, node->value, node->len);
        if (len)
            *len = node->len;
    }
    pthread_mutex_unlock(&fs->lock);
    return rc;
}

static int store_write(void *context, uint32_t tx, const char *path, const void *value, size_t len)
{
    struct fake_store *fs = context;

    os_posix_require_passive(__func__);
    pthread_mutex_lock(&fs->lock);
    node_set(store_view(fs, tx), path, value, len);
    pthread_mutex_unlock(&fs->lock);
    return 0;
}

static int store_mkdir(void *context, uint32_t tx, const char *path)
{
    struct fake_store *fs = context;
    struct fake_nodes *ns;

    os_posix_require_passive(__func__);
    pthread_mutex_lock(&fs->lock);
    ns = store_view(fs, tx);
    if (!node_find(ns, path))
        node_set(ns, path, "", 0);
    pthread_mutex_unlock(&fs->lock);
    return 0;
}

static int store_rm(void *context, uint32_t tx, const char *path)
{
    struct fake_store *fs = context;
    bool found;

    os_posix_require_passive(__func__);
    pthread_mutex_lock(&fs->lock);
    found = node_remove_tree(store_view(fs, tx), path);
    pthread_mutex_unlock(&fs->lock);
    return found ? 0 : -XEN_ENOENT;
}

/* The name of @path's component right below @dir (@dir_len long), and its length. */
static const char *child_name(const char *path, const char *dir, size_t dir_len, size_t *len)
{
    const char *name;

    if (strncmp(path, dir, dir_len) != 0 || path[dir_len] != '/')
        return NULL;
    name = path + dir_len + 1;
    *len = strcspn(name, "/");
    return name;
}

static bool child_listed(char **names, unsigned int count, const char *name, size_t len)
{
    for (unsigned int i = 0; i < count; i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
            return true;
    return false;
}

/* The children of @path in one block: the pointers, then the strings. */
static int store_directory(void *context, uint32_t tx, const char *path, char ***names,
                           unsigned int *count)
{
    struct fake_store *fs = context;
    struct fake_nodes *ns;
    size_t dir_len = strlen(path), below = 0, text_bytes = 0, len;
    unsigned int n = 0;
    char **list, *text;
    int rc = 0;

    os_posix_require_passive(__func__);
    pthread_mutex_lock(&fs->lock);
    ns = store_view(fs, tx);
    for (size_t i = 0; i < ns->n; i++) {
        if (child_name(ns->v[i].path, path, dir_len, &len)) {
            below++;
            text_bytes += len + 1;
        }
    }
    list = fake_alloc(below * sizeof(char *) + text_bytes);
    text = (char *)(list + below);
    for (size_t i = 0; i < ns->n; i++) {
        const char *name = child_name(ns->v[i].path, path, dir_len, &len);

        if (!name || child_listed(list, n, name, len))
            continue;
        list[n++] = text;
        memcpy(text, name, len);
        text[len] = '\0';
        text += len + 1;
    }
    if (n == 0 && !node_find(ns, path))
        rc = -XEN_ENOENT;
    pthread_mutex_unlock(&fs->lock);
    if (rc) {
        free(list);
        return rc;
    }
    *names = list;
    *count = n;
    return 0;
}

static int store_get_perms(void *context, uint32_t tx, const char *path,
                           struct winpv_store_perm **perms, unsigned int *count)
{
    os_posix_require_passive(__func__);
    return -XEN_ENOSYS;
}

static int store_set_perms(void *context, uint32_t tx, const char *path,
                           const struct winpv_store_perm *perms, unsigned int count)
{
    os_posix_require_passive(__func__);
    return -XEN_ENOSYS;
}

static int store_tx_start(void *context, uint32_t *tx)
{
    struct fake_store *fs = context;

    os_posix_require_passive(__func__);
    pthread_mutex_lock(&fs->lock);
    if (fs->tx_id)
        fake_violation("store: a second transaction while %u is open", fs->tx_id);
    nodes_copy(&fs->tx, &fs->nodes);
    fs->tx_id = ++fs->tx_next;
    *tx = fs->tx_id;
    pthread_mutex_unlock(&fs->lock);
    return 0;
}

static int store_tx_end(void *context, uint32_t tx, bool commit)
{
    struct fake_store *fs = context;
    int rc = 0;

    os_posix_require_passive(__func__);
    pthread_mutex_lock(&fs->lock);
    store_view(fs, tx);
    if (commit && fs->conflicts > 0) {
        fs->conflicts--;
        rc = -XEN_EAGAIN;
    } else if (commit) {
        struct fake_nodes old = fs->nodes;

        fs->nodes = fs->tx;
        fs->tx = old;
    }
    nodes_free(&fs->tx);
    fs->tx_id = 0;
    pthread_mutex_unlock(&fs->lock);
    return rc;
}

static int store_watch_add(void *context, const char *path, void (*fn)(void *ctx, const char *path),
                           void *ctx, struct winpv_store_watch **watch)
{
    struct fake_store *fs = context;

    os_posix_require_passive(__func__);
    *watch = fake_alloc(sizeof(**watch));
    (*watch)->fs = fs;
    pthread_mutex_lock(&fs->lock);
    fs->watches++;
    pthread_mutex_unlock(&fs->lock);
    return 0;
}

static void store_watch_remove(void *context, struct winpv_store_watch *watch)
{
    struct fake_store *fs = context;

    os_posix_require_passive(__func__);
    pthread_mutex_lock(&fs->lock);
    fs->watches--;
    pthread_mutex_unlock(&fs->lock);
    free(watch);
}

void fake_store_init(struct fake_store *fs)
{
    pthread_mutex_init(&fs->lock, NULL);
    fs->table = (struct winpv_store_interface_v1){
        .header = fake_header(sizeof(fs->table), fs),
        .free = store_free,
        .read = store_read,
        .write = store_write,
        .mkdir = store_mkdir,
        .rm = store_rm,
        .directory = store_directory,
        .get_perms = store_get_perms,
        .set_perms = store_set_perms,
        .tx_start = store_tx_start,
        .tx_end = store_tx_end,
        .watch_add = store_watch_add,
        .watch_remove = store_watch_remove,
    };
}

void fake_store_write(struct fake_store *fs, const char *path, const char *value)
{
    pthread_mutex_lock(&fs->lock);
    node_set(&fs->nodes, path, value, strlen(value));
    pthread_mutex_unlock(&fs->lock);
}

void fake_store_write_number(struct fake_store *fs, const char *dir, const char *name,
                             uint64_t value)
{
    char path[256], text[XS_NUMBER_TEXT_MAX];

    fake_join_path(path, sizeof(path), dir, name);
    xs_number_format(text, value, 10);
    fake_store_write(fs, path, text);
}

bool fake_store_read_number(struct fake_store *fs, const char *dir, const char *name,
                            uint64_t *value)
{
    char path[256];
    struct fake_node *node;
    bool ok;

    fake_join_path(path, sizeof(path), dir, name);
    pthread_mutex_lock(&fs->lock);
    node = node_find(&fs->nodes, path);
    ok = node && xs_number_parse(node->value, node->len, UINT64_MAX, value) == 0;
    pthread_mutex_unlock(&fs->lock);
    return ok;
}

void fake_store_remove(struct fake_store *fs, const char *dir, const char *name)
{
    char path[256];

    fake_join_path(path, sizeof(path), dir, name);
    pthread_mutex_lock(&fs->lock);
    node_remove_tree(&fs->nodes, path);
    pthread_mutex_unlock(&fs->lock);
}

void fake_store_destroy(struct fake_store *fs)
{
    if (fs->tx_id || fs->watches)
        fake_violation("store: a transaction or %u watch(es) left", fs->watches);
    nodes_free(&fs->nodes);
}
