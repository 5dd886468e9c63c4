/* SPDX-License-Identifier: BSD-3-Clause */
/* server_fixture.h: a served chip in a thread, its log in a file. */
#include "server_fixture.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "stsafe/client/inproc_device.h"
#include "stsafe/emulator/image.h"

#define SEED(text) (const uint8_t *)(text), sizeof(text)

const srv_fixture_chip srv_chip_limits = {
    SEED("stsafe-emu server limits"), {0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29}};
const srv_fixture_chip srv_chip_socket = {
    SEED("stsafe-emu socket test"), {0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12}};
const srv_fixture_chip srv_chip_command = {
    SEED("stsafe-emu command test"), {0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12}};
const srv_fixture_chip srv_chip_fleet = {SEED("stsafe-emu fleet test"), {0}};

/* The folder, its paths and the log. */
static srv_fixture *fixture_folder(const srv_fixture_chip *chip)
{
    srv_fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->chip = chip;
    strcpy(f->dir, "/tmp/stsafe-srv-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->image, sizeof f->image, "%s/chip.img", f->dir);
    snprintf(f->images, sizeof f->images, "%s/images", f->dir);
    snprintf(f->sock, sizeof f->sock, "%s/chip.sock", f->dir);
    snprintf(f->listen, sizeof f->listen, "unix:%s", f->sock);
    f->log = tmpfile();
    assert_non_null(f->log);
    return f;
}

srv_fixture *srv_fixture_new_chip(const srv_fixture_chip *chip)
{
    srv_fixture *f = fixture_folder(chip);
    stsafe_inproc_device dev;
    assert_int_equal(stsafe_inproc_device_default(&dev, chip->seed, chip->seed_len, chip->serial), 0);
    assert_int_equal(stsafe_emu_image_save(f->image, &dev.chip.nvm), 0);
    stsafe_inproc_device_free(&dev);
    return f;
}

srv_fixture *srv_fixture_new(void)
{
    return srv_fixture_new_chip(&srv_chip_limits);
}

srv_fixture *srv_fixture_new_fleet(const srv_fixture_chip *chip)
{
    return fixture_folder(chip);
}

int srv_fixture_setup(void **state)
{
    *state = srv_fixture_new();
    return 0;
}

int srv_fixture_teardown(void **state)
{
    srv_fixture_free(*state);
    return 0;
}

int srv_fixture_setup_socket(void **state)
{
    *state = srv_fixture_new_chip(&srv_chip_socket);
    return 0;
}

static void *server_thread(void *arg)
{
    srv_fixture *f = arg;
    f->run_rc = stsafe_server_run(&f->srv);
    return NULL;
}

void srv_fixture_init(srv_fixture *f, stsafe_server_config cfg)
{
    if (!cfg.image_path && !cfg.devices && !cfg.image_dir)
        cfg.image_path = f->image;
    if (!cfg.listen)
        cfg.listen = f->listen;
    if (!cfg.log)
        cfg.log = f->log;
    if (!cfg.stop)
        cfg.stop = &f->stop;
    if (!cfg.seed) {
        cfg.seed = f->chip->seed;
        cfg.seed_len = f->chip->seed_len;
    }
    atomic_store(&f->stop, 0);
    assert_int_equal(stsafe_server_init(&f->srv, &cfg), 0);
    f->up = 1;
    memset(&f->sess, 0, sizeof f->sess);
}

void srv_fixture_run(srv_fixture *f)
{
    atomic_store(&f->stop, 0);
    assert_int_equal(pthread_create(&f->thread, NULL, server_thread, f), 0);
    f->running = 1;
}

void srv_fixture_start(srv_fixture *f, stsafe_server_config cfg)
{
    srv_fixture_init(f, cfg);
    srv_fixture_run(f);
}

void srv_fixture_serve(srv_fixture *f, stsafe_emu_timing timing)
{
    srv_fixture_start(f, (stsafe_server_config){.timing = timing, .verbose = 1});
}

int srv_fixture_join(srv_fixture *f)
{
    if (f->running) {
        pthread_join(f->thread, NULL);
        f->running = 0;
    }
    return f->run_rc;
}

void srv_fixture_stop(srv_fixture *f)
{
    int was_running = f->running;
    if (f->running) {
        atomic_store(&f->stop, 1);
        pthread_join(f->thread, NULL);
        f->running = 0;
    }
    if (f->up) {
        stsafe_server_free(&f->srv);
        f->up = 0;
    }
    if (was_running)
        assert_int_equal(f->run_rc, 0);
}

/* Removes \p dir, its files and the files of its folders (one level down: a fleet's images). */
static void remove_folder(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (d) {
        const struct dirent *e;
        char path[400];
        struct stat st;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (depth > 0 && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
                remove_folder(path, depth - 1);
            else
                unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

void srv_fixture_free(srv_fixture *f)
{
    srv_fixture_stop(f);
    fclose(f->log);
    remove_folder(f->dir, 1);
    free(f);
}

size_t srv_fixture_read_file(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* The whole log so far; the caller frees it. */
static char *log_text(srv_fixture *f)
{
    fflush(f->log);
    long end = ftell(f->log);
    assert_true(end >= 0);
    char *text = malloc((size_t)end + 1);
    assert_non_null(text);
    rewind(f->log);
    size_t n = fread(text, 1, (size_t)end, f->log);
    text[n] = '\0';
    fseek(f->log, end, SEEK_SET);
    return text;
}

size_t srv_fixture_count(srv_fixture *f, const char *text)
{
    char *log = log_text(f);
    size_t n = 0;
    for (const char *line = log; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char *copy = strndup(line, len);
        assert_non_null(copy);
        n += strstr(copy, text) != NULL;
        free(copy);
        line += len + (nl ? 1 : 0);
    }
    free(log);
    return n;
}

void srv_fixture_assert_logged(srv_fixture *f, const char *text)
{
    char *log = log_text(f);
    int found = strstr(log, text) != NULL;
    if (!found)
        fprintf(stderr, "log lacks \"%s\"; log:\n%s", text, log);
    free(log);
    assert_true(found);
}
