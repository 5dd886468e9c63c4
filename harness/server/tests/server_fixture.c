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

#include <unistd.h>

#include <cmocka.h>

#include "stsafe/client/inproc_device.h"
#include "stsafe/emulator/image.h"

static const uint8_t chip_seed[] = "stsafe-emu server limits";
static const uint8_t serial[9] = {0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29};

srv_fixture *srv_fixture_new(void)
{
    srv_fixture *f = calloc(1, sizeof *f);
    stsafe_inproc_device dev;
    assert_non_null(f);
    strcpy(f->dir, "/tmp/stsafe-limits-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->image, sizeof f->image, "%s/chip.img", f->dir);
    snprintf(f->listen, sizeof f->listen, "unix:%s/chip.sock", f->dir);
    assert_int_equal(stsafe_inproc_device_default(&dev, chip_seed, sizeof chip_seed, serial), 0);
    assert_int_equal(stsafe_emu_image_save(f->image, &dev.chip.nvm), 0);
    stsafe_inproc_device_free(&dev);
    f->log = tmpfile();
    assert_non_null(f->log);
    return f;
}

static void *server_thread(void *arg)
{
    srv_fixture *f = arg;
    f->run_rc = stsafe_server_run(&f->srv);
    return NULL;
}

void srv_fixture_start(srv_fixture *f, stsafe_server_config cfg)
{
    cfg.image_path = f->image;
    cfg.listen = f->listen;
    cfg.log = f->log;
    cfg.stop = &f->stop;
    cfg.seed = chip_seed;
    cfg.seed_len = sizeof chip_seed;
    atomic_store(&f->stop, 0);
    assert_int_equal(stsafe_server_init(&f->srv, &cfg), 0);
    assert_int_equal(pthread_create(&f->thread, NULL, server_thread, f), 0);
    f->running = 1;
}

void srv_fixture_stop(srv_fixture *f)
{
    if (!f->running)
        return;
    atomic_store(&f->stop, 1);
    pthread_join(f->thread, NULL);
    stsafe_server_free(&f->srv);
    f->running = 0;
    assert_int_equal(f->run_rc, 0);
}

void srv_fixture_free(srv_fixture *f)
{
    srv_fixture_stop(f);
    fclose(f->log);
    DIR *d = opendir(f->dir);
    if (d) {
        const struct dirent *e;
        char path[400];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", f->dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(f->dir);
    free(f);
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
