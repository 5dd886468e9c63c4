/* SPDX-License-Identifier: BSD-3-Clause */
/* The runner of the normal build: feeds every file named on the command
 * line, and every regular file of every folder named, to
 * LLVMFuzzerTestOneInput(), in name order. So each fuzz target replays its
 * corpus (seeds and regressions) as a ctest test with gcc and with the
 * sanitizer build, not only under libFuzzer. Fails when an input cannot be
 * read or when it ran no input at all; an invariant violation aborts.
 * Usage: fuzz_<target> PATH... */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_target.h"

/** Larger files are not inputs of any target (-max_len is far below). */
#define REPLAY_INPUT_MAX (1u << 20)

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    uint8_t *buf = malloc(REPLAY_INPUT_MAX);
    size_t n = buf ? fread(buf, 1, REPLAY_INPUT_MAX, f) : 0;
    int bad = !buf || ferror(f) || !feof(f);
    (void)fclose(f);
    if (bad) {
        fprintf(stderr, "%s: cannot read (or larger than %u bytes)\n", path, REPLAY_INPUT_MAX);
        free(buf);
        return -1;
    }
    fprintf(stderr, "replay %s (%zu bytes)\n", path, n);
    (void)LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

static int is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Runs the regular files of \p dir; returns how many, or -1. */
static long run_dir(const char *dir)
{
    struct dirent **names;
    char path[4096];
    long count = 0;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        perror(dir);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        int len = snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (count >= 0 && len > 0 && (size_t)len < sizeof path && is_regular(path))
            count = run_file(path) == 0 ? count + 1 : -1;
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv)
{
    long total = 0;
    struct stat st;
    for (int i = 1; i < argc; i++) {
        long n = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? run_dir(argv[i])
                                                                 : (run_file(argv[i]) == 0 ? 1 : -1);
        if (n < 0)
            return 1;
        total += n;
    }
    if (total == 0) {
        fprintf(stderr, "%s: no input run (usage: %s CORPUS_DIR_OR_FILE...)\n", argv[0], argv[0]);
        return 1;
    }
    fprintf(stderr, "%s: %ld inputs, no invariant violated\n", argv[0], total);
    return 0;
}
