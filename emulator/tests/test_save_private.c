/* SPDX-License-Identifier: BSD-3-Clause */
/* Issue 14, finding 3: a save never writes into a file or link someone
 * else put there, and the image is 0600 whatever the umask and whatever
 * was left beside it. The temp file is new (O_EXCL|O_NOFOLLOW, a unique
 * name); a symbolic link at the image's own path is refused. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <cmocka.h>

#include "emu_fixture.h"
#include "stsafe/emulator/image.h"
#include "stsafe/emulator/storage.h"
#include "stsafe/protocol/error.h"

static stsafe_emu_nvm parsed;

typedef struct {
    char dir[64];
    char image[128];
    char tmp[128];    /* the name the old save used: IMAGE.tmp */
    char victim[128]; /* a file a link points at */
    emu_fixture f;
} rig;

static int setup(void **state)
{
    rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    snprintf(r->dir, sizeof r->dir, "/tmp/stse-save-XXXXXX");
    assert_non_null(mkdtemp(r->dir));
    snprintf(r->image, sizeof r->image, "%s/chip.img", r->dir);
    snprintf(r->tmp, sizeof r->tmp, "%s/chip.img.tmp", r->dir);
    snprintf(r->victim, sizeof r->victim, "%s/victim", r->dir);
    fixture_setup(&r->f);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    rig *r = *state;
    DIR *d = opendir(r->dir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        char p[400];
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", r->dir, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(r->dir);
    fixture_teardown(&r->f);
    free(r);
    return 0;
}

static void write_text(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static void expect_text(const char *path, const char *want)
{
    char buf[64] = {0};
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    assert_int_equal(n, (ssize_t)strlen(want));
    assert_string_equal(buf, want);
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    return (unsigned)(st.st_mode & 07777);
}

/* The names in the folder, sorted, space-separated. */
static void listing(const rig *r, char *out, size_t cap)
{
    struct dirent **names = NULL;
    int n = scandir(r->dir, &names, NULL, alphasort);
    assert_true(n >= 0);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            strncat(out, out[0] ? " " : "", cap - strlen(out) - 1);
            strncat(out, names[i]->d_name, cap - strlen(out) - 1);
        }
        free(names[i]);
    }
    free(names);
}

/* A stale world-readable IMAGE.tmp (another user's, or an old crash's) is
 * neither written nor reused: the image is 0600 even at umask 000. */
static void test_planted_tmp_file_not_used(void **state)
{
    rig *r = *state;
    char names[256];
    mode_t old = umask(0);
    write_text(r->tmp, "planted", 0666);
    assert_int_equal(stsafe_emu_image_save(r->image, &r->f.chip.nvm), 0);
    umask(old);
    assert_int_equal(mode_of(r->image), 0600);
    expect_text(r->tmp, "planted");
    assert_int_equal(mode_of(r->tmp), 0666);
    listing(r, names, sizeof names);
    assert_string_equal(names, "chip.img chip.img.tmp"); /* no temp file left behind */
    assert_int_equal(stsafe_emu_image_load(r->image, &parsed), 0);
    assert_memory_equal(&parsed, &r->f.chip.nvm, sizeof parsed);
}

/* An image made 0644 by hand is 0600 again after the next save. */
static void test_saved_image_is_private(void **state)
{
    rig *r = *state;
    mode_t old = umask(0);
    assert_int_equal(stsafe_emu_image_save(r->image, &r->f.chip.nvm), 0);
    assert_int_equal(chmod(r->image, 0644), 0);
    r->f.chip.nvm.zones[5].counter = 7;
    assert_int_equal(stsafe_emu_image_save(r->image, &r->f.chip.nvm), 0);
    umask(old);
    assert_int_equal(mode_of(r->image), 0600);
}

/* IMAGE.tmp as a symbolic link to another file: the image never goes there. */
static void test_symlinked_tmp_not_followed(void **state)
{
    rig *r = *state;
    write_text(r->victim, "victim", 0644);
    assert_int_equal(symlink(r->victim, r->tmp), 0);
    assert_int_equal(stsafe_emu_image_save(r->image, &r->f.chip.nvm), 0);
    expect_text(r->victim, "victim");
    assert_int_equal(mode_of(r->image), 0600);
}

/* The image's own path a symbolic link: refused (ELOOP) for saving and
 * loading, the link and its target untouched. */
static void test_symlinked_image_refused(void **state)
{
    rig *r = *state;
    char names[256], target[128] = {0};
    assert_int_equal(stsafe_emu_image_save(r->victim, &r->f.chip.nvm), 0);
    assert_int_equal(symlink("victim", r->image), 0);
    r->f.chip.nvm.zones[5].counter = 9;
    errno = 0;
    assert_int_equal(stsafe_emu_image_save(r->image, &r->f.chip.nvm), STSAFE_ERR_IO);
    assert_int_equal(errno, ELOOP);
    errno = 0;
    assert_int_equal(stsafe_emu_image_load(r->image, &parsed), STSAFE_ERR_IO);
    assert_int_equal(errno, ELOOP);
    assert_int_equal(readlink(r->image, target, sizeof target - 1), 6);
    assert_string_equal(target, "victim");
    assert_int_equal(stsafe_emu_image_load(r->victim, &parsed), 0);
    assert_int_not_equal(parsed.zones[5].counter, 9);
    listing(r, names, sizeof names);
    assert_string_equal(names, "chip.img victim"); /* the refused save cleaned up */
}

/* The in-memory disk names temp files the same way: a name in use (now or
 * after a cut) is skipped and left alone. */
static void test_memfs_temp_names(void **state)
{
    rig *r = *state;
    static stsafe_emu_memfs fs;
    uint8_t buf[16];
    size_t n = 0;
    char tmp[64];
    stsafe_emu_memfs_init(&fs);
    stsafe_emu_storage st = stsafe_emu_memfs_storage(&fs);
    assert_int_equal(st.ops->create_temp(st.ctx, "chip.img", tmp, sizeof tmp), 0);
    assert_string_equal(tmp, "chip.img.tmp-1");
    assert_int_equal(st.ops->append(st.ctx, tmp, (const uint8_t *)"x", 1), 0);
    assert_int_equal(stsafe_emu_image_save_to(&st, "chip.img", &r->f.chip.nvm), 0);
    assert_int_equal(st.ops->read(st.ctx, "chip.img.tmp-1", buf, sizeof buf, &n), 0);
    assert_int_equal(n, 1); /* the planted file kept its byte */
    assert_int_equal(st.ops->create_temp(st.ctx, "chip.img", tmp, 8), STSAFE_ERR_BUFFER_TOO_SMALL);
    stsafe_emu_memfs_free(&fs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_planted_tmp_file_not_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_saved_image_is_private, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinked_tmp_not_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinked_image_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memfs_temp_names, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
