/* SPDX-License-Identifier: BSD-3-Clause */
/* i2cdev_probe: an "unmodified Linux program" that talks to an STSAFE-A110
 * on /dev/i2c-N through the kernel's i2c-dev interface only: open, ioctl,
 * read, write, close (and dup, poll, fcntl on the descriptor). It links
 * none of stsafe-emu's libraries; it builds its frames and CRCs itself.
 *
 * Usage: i2cdev_probe DEVICE
 * Runs a fixed scenario against a fresh chip (docs/i2cdev.md; the test
 * serves it with --timing datasheet) and prints one line per step: return
 * values, errno names, response frames in hex. test_i2cdev.sh compares the
 * whole transcript byte for byte. Exit: 0 when every response frame had a
 * good CRC, 1 otherwise, 2 when DEVICE cannot be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/i2c.h>
#include <linux/i2c-dev.h>

#define CHIP 0x20            /* the A110's default address */
#define CMD_ECHO 0x00
#define CMD_QUERY 0x14
#define TAG_PRODUCT_DATA 0x11
#define FIRST_READ 5         /* status, length (2), two bytes: how STSELib starts */
#define MAX_POLLS 1000

static int bad_crcs;

static const char *errno_name(int e)
{
    static const struct { int e; const char *name; } names[] = {
        {ENXIO, "ENXIO"},   {EINVAL, "EINVAL"}, {EOPNOTSUPP, "EOPNOTSUPP"}, {EAFNOSUPPORT, "EAFNOSUPPORT"},
        {ENOTTY, "ENOTTY"}, {EBADF, "EBADF"},   {EFAULT, "EFAULT"},         {EIO, "EIO"},
        {ENOENT, "ENOENT"}, {ENODEV, "ENODEV"}, {EACCES, "EACCES"},           {ENOSYS, "ENOSYS"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].e == e)
            return names[i].name;
    return "another errno";
}

/* What a system call returned, as text: "N", or "-1 ENAME" with the errno of
 * that moment. Call it on the call itself, res(read(...)), before anything
 * else can change errno. */
typedef struct {
    char text[40];
} outcome;

static outcome res(long rc)
{
    outcome o;
    if (rc >= 0)
        snprintf(o.text, sizeof o.text, "%ld", rc);
    else
        snprintf(o.text, sizeof o.text, "-1 %s", errno_name(errno));
    return o;
}

/* One line "WHAT: outcome". */
static void say(const char *what, outcome o)
{
    printf("%s: %s\n", what, o.text);
}

static const char *hex(const uint8_t *p, size_t n)
{
    static char text[2 * 1024 + 1];
    for (size_t i = 0; i < n && i < 1024; i++)
        snprintf(text + 2 * i, 3, "%02x", p[i]);
    text[2 * (n < 1024 ? n : 1024)] = '\0';
    return text;
}

/* CRC-16/X-25 (reflected 0x1021, init and final XOR 0xFFFF), bit by bit. */
static uint16_t crc16(uint16_t reg, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        reg ^= p[i];
        for (int b = 0; b < 8; b++)
            reg = (uint16_t)((reg & 1u) ? (reg >> 1) ^ 0x8408u : reg >> 1);
    }
    return reg;
}

/* A command frame: header, payload, CRC over both (big-endian on the wire). */
static size_t command_frame(uint8_t *out, uint8_t header, const uint8_t *payload, size_t len)
{
    out[0] = header;
    memcpy(out + 1, payload, len);
    uint16_t crc = (uint16_t)(crc16(0xFFFFu, out, 1 + len) ^ 0xFFFFu);
    out[1 + len] = (uint8_t)(crc >> 8);
    out[2 + len] = (uint8_t)crc;
    return len + 3;
}

/* A response frame's CRC covers the status and the data, not the length. */
static const char *response_crc(const uint8_t *rsp, size_t total)
{
    size_t data = total - 5;
    uint16_t reg = crc16(0xFFFFu, rsp, 1);
    uint16_t crc = (uint16_t)(crc16(reg, rsp + 3, data) ^ 0xFFFFu);
    if (rsp[3 + data] == (uint8_t)(crc >> 8) && rsp[4 + data] == (uint8_t)crc)
        return "crc ok";
    bad_crcs++;
    return "crc BAD";
}

static void sleep_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* read() repeated every millisecond while the chip NACKs (ENXIO), as a
 * driver polls a busy STSAFE. \p nacks receives the NACK count. */
static outcome polled_read(int fd, uint8_t *buf, size_t n, int *nacks)
{
    outcome o = res(-1);
    for (*nacks = 0; *nacks < MAX_POLLS; ++*nacks) {
        ssize_t r = read(fd, buf, n);
        o = res(r);
        if (r >= 0 || errno != ENXIO)
            break;
        sleep_ms(1);
    }
    return o;
}

/* One command: write the frame, poll the first 5 bytes, read the whole
 * response (every read starts again at its first byte). */
static void command(int fd, const char *name, uint8_t header, const uint8_t *payload, size_t len)
{
    uint8_t frame[600], rsp[600];
    int nacks = 0;
    size_t n = command_frame(frame, header, payload, len);
    outcome o = res(write(fd, frame, n));
    printf("%s: write %s -> %s\n", name, hex(frame, n), o.text);
    o = polled_read(fd, rsp, FIRST_READ, &nacks);
    int ok = strcmp(o.text, "5") == 0;
    printf("%s: %d NACKs (ENXIO), then read 5 -> %s %s\n", name, nacks, o.text, ok ? hex(rsp, FIRST_READ) : "");
    if (!ok)
        return;
    size_t total = 3u + ((size_t)rsp[1] << 8 | rsp[2]); /* status, length, then length bytes */
    ssize_t r = read(fd, rsp, total);
    o = res(r);
    ok = r == (ssize_t)total;
    printf("%s: read %zu -> %s %s %s\n", name, total, o.text, ok ? hex(rsp, total) : "",
           ok ? response_crc(rsp, total) : "");
}

/* ---- I2C_RDWR --------------------------------------------------------------- */

static long rdwr(int fd, struct i2c_msg *msgs, uint32_t n)
{
    struct i2c_rdwr_ioctl_data data = {msgs, n};
    return ioctl(fd, I2C_RDWR, &data);
}

/* A write of an Echo frame and a read of its answer in one transfer: the
 * chip is busy after the write, so the read is NACKed; the write happened,
 * and the read buffer must stay as it was. Then the answer is polled with
 * single-message transfers. */
static void rdwr_echo(int fd)
{
    uint8_t frame[8], rsp[7];
    const uint8_t payload[] = {0xAA, 0xBB};
    size_t n = command_frame(frame, CMD_ECHO, payload, sizeof payload);
    memset(rsp, 0x5A, sizeof rsp);
    struct i2c_msg msgs[2] = {{CHIP, 0, (uint16_t)n, frame}, {CHIP, I2C_M_RD, sizeof rsp, rsp}};
    outcome o = res(rdwr(fd, msgs, 2));
    printf("rdwr write+read on the busy chip: %s, read buffer %s\n", o.text, hex(rsp, sizeof rsp));
    int nacks = 0;
    for (long rc = -1; rc < 0 && nacks < MAX_POLLS; nacks++) {
        rc = rdwr(fd, &msgs[1], 1);
        o = res(rc);
        if (rc < 0 && errno != ENXIO)
            break;
        if (rc < 0)
            sleep_ms(1);
    }
    int ok = strcmp(o.text, "1") == 0;
    printf("rdwr read: %d NACKs (ENXIO), then %s %s %s\n", nacks - 1, o.text, hex(rsp, sizeof rsp),
           ok ? response_crc(rsp, sizeof rsp) : "");
}

static void rdwr_nobody(int fd)
{
    uint8_t frame[] = {0x00, 0xCC}, rsp[4];
    memset(rsp, 0x5A, sizeof rsp);
    struct i2c_msg msgs[2] = {{0x21, 0, sizeof frame, frame}, {0x21, I2C_M_RD, sizeof rsp, rsp}};
    outcome o = res(rdwr(fd, msgs, 2));
    printf("rdwr at 0x21 (nobody): %s, read buffer %s\n", o.text, hex(rsp, sizeof rsp));
}

/* Transfers the kernel or the adapter refuses before any I/O. */
static void rdwr_refusals(int fd)
{
    static uint8_t big[8193];
    uint8_t one[1] = {0}, recv[40] = {1};
    struct i2c_msg many[43];
    for (size_t i = 0; i < 43; i++)
        many[i] = (struct i2c_msg){CHIP, I2C_M_RD, 1, one};
    struct i2c_rdwr_ioctl_data no_msgs = {NULL, 1};
    struct {
        const char *what;
        struct i2c_msg msg;
    } cases[] = {
        {"rdwr a message of 8193 bytes", {CHIP, 0, 8193, big}},
        {"rdwr a message of 1025 bytes", {CHIP, 0, 1025, big}},
        {"rdwr I2C_M_TEN", {0x120, I2C_M_TEN | I2C_M_RD, 1, one}},
        {"rdwr I2C_M_NOSTART", {CHIP, I2C_M_NOSTART, 1, one}},
        {"rdwr I2C_M_RECV_LEN, buffer too short", {CHIP, I2C_M_RD | I2C_M_RECV_LEN, 1, recv}},
        {"rdwr I2C_M_RECV_LEN", {CHIP, I2C_M_RD | I2C_M_RECV_LEN, sizeof recv, recv}},
        {"rdwr address 0x80", {0x80, I2C_M_RD, 1, one}},
    };
    say("rdwr 0 messages", res(rdwr(fd, many, 0)));
    say("rdwr 43 messages", res(rdwr(fd, many, 43)));
    say("rdwr 42 messages", res(rdwr(fd, many, 42)));
    say("rdwr NULL messages", res(ioctl(fd, I2C_RDWR, &no_msgs)));
    say("rdwr NULL argument", res(ioctl(fd, I2C_RDWR, NULL)));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        say(cases[i].what, res(rdwr(fd, &cases[i].msg, 1)));
}

/* ---- the other ioctls, addresses, descriptors ---------------------------------- */

/* SMBus as i2cdetect and i2cget use it: the shim's adapter emulates it
 * over I2C. The chip has the Echo answer of rdwr_echo() waiting; the quick
 * commands must leave it there (the reads further down show it whole). */
static void smbus(int fd)
{
    union i2c_smbus_data byte = {.byte = 0x5A};
    struct i2c_smbus_ioctl_data quick = {I2C_SMBUS_WRITE, 0, I2C_SMBUS_QUICK, NULL};
    struct i2c_smbus_ioctl_data quick_read = {I2C_SMBUS_READ, 0, I2C_SMBUS_QUICK, NULL};
    struct i2c_smbus_ioctl_data read_byte = {I2C_SMBUS_READ, 0, I2C_SMBUS_BYTE, &byte};
    struct i2c_smbus_ioctl_data no_data = {I2C_SMBUS_READ, 0, I2C_SMBUS_BYTE, NULL};
    struct i2c_smbus_ioctl_data bad_size = {I2C_SMBUS_READ, 0, 9, &byte};
    say("I2C_SMBUS quick write", res(ioctl(fd, I2C_SMBUS, &quick)));
    say("I2C_SMBUS quick read", res(ioctl(fd, I2C_SMBUS, &quick_read)));
    outcome o = res(ioctl(fd, I2C_SMBUS, &read_byte));
    printf("I2C_SMBUS read byte: %s 0x%02x\n", o.text, byte.byte);
    say("I2C_SMBUS read byte, no data", res(ioctl(fd, I2C_SMBUS, &no_data)));
    say("I2C_SMBUS size 9", res(ioctl(fd, I2C_SMBUS, &bad_size)));
}

static void other_ioctls(int fd)
{
    say("I2C_RETRIES 3", res(ioctl(fd, I2C_RETRIES, 3UL)));
    say("I2C_TIMEOUT 100", res(ioctl(fd, I2C_TIMEOUT, 100UL)));
    say("I2C_TIMEOUT 2^31", res(ioctl(fd, I2C_TIMEOUT, 0x80000000UL)));
    say("I2C_PEC 1", res(ioctl(fd, I2C_PEC, 1UL)));
    say("I2C_FUNCS NULL", res(ioctl(fd, I2C_FUNCS, NULL)));
    say("ioctl 0x07ff", res(ioctl(fd, 0x07FFUL, 0UL)));
    say("FIOCLEX", res(ioctl(fd, FIOCLEX)));
    say("FD_CLOEXEC after FIOCLEX", res(fcntl(fd, F_GETFD) & FD_CLOEXEC));
}

static void addresses(int fd)
{
    static const uint8_t big[1025];
    const uint8_t echo[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
    uint8_t buf[5];
    say("write 1025 bytes", res(write(fd, big, sizeof big)));
    say("I2C_SLAVE 0x21", res(ioctl(fd, I2C_SLAVE, 0x21UL)));
    say("write at 0x21", res(write(fd, echo, sizeof echo)));
    say("read at 0x21", res(read(fd, buf, sizeof buf)));
    say("I2C_SLAVE 0x120", res(ioctl(fd, I2C_SLAVE, 0x120UL)));
    say("I2C_TENBIT 1", res(ioctl(fd, I2C_TENBIT, 1UL)));
    say("I2C_SLAVE 0x120", res(ioctl(fd, I2C_SLAVE, 0x120UL)));
    say("I2C_SLAVE 0x400", res(ioctl(fd, I2C_SLAVE, 0x400UL)));
    say("read with a 10-bit address", res(read(fd, buf, sizeof buf)));
    say("I2C_TENBIT 0", res(ioctl(fd, I2C_TENBIT, 0UL)));
    say("I2C_SLAVE_FORCE 0x20", res(ioctl(fd, I2C_SLAVE_FORCE, (unsigned long)CHIP)));
}

/* Prints "WHAT: N HEX" for a read of \p n bytes. */
static void show_read(const char *what, int fd, size_t n)
{
    uint8_t buf[64];
    ssize_t r = read(fd, buf, n);
    outcome o = res(r);
    printf("%s: %s%s%s\n", what, o.text, r > 0 ? " " : "", r > 0 ? hex(buf, (size_t)r) : "");
}

/* A duplicate shares the open file (its address) and outlives the original;
 * a second open has an address of its own and shares the connection. */
static void descriptors(const char *dev, int fd)
{
    int d = dup(fd);
    say("dup", res(d < 0 ? -1 : 0));
    say("close the original", res(close(fd)));
    show_read("read 7 through the duplicate", d, 7);
    struct pollfd p = {d, POLLIN | POLLOUT, 0};
    say("poll", res(poll(&p, 1, 0)));
    printf("poll revents:%s%s\n", (p.revents & POLLIN) ? " POLLIN" : "", (p.revents & POLLOUT) ? " POLLOUT" : "");
    int second = open(dev, O_RDWR);
    say("a second open", res(second < 0 ? -1 : 0));
    show_read("read 5 on it before I2C_SLAVE (address 0)", second, 5);
    say("I2C_SLAVE 0x20 on it", res(ioctl(second, I2C_SLAVE, (unsigned long)CHIP)));
    show_read("read 7 on it", second, 7);
    say("close it", res(close(second)));
    say("close the duplicate", res(close(d)));
    show_read("read 5 after close", d, 5);
}

static void access_modes(const char *dev)
{
    uint8_t buf[5] = {0};
    int ro = open(dev, O_RDONLY);
    say("O_RDONLY: write", res(write(ro, buf, 1)));
    close(ro);
    int wo = open(dev, O_WRONLY | O_CLOEXEC);
    say("O_WRONLY|O_CLOEXEC: read", res(read(wo, buf, sizeof buf)));
    say("O_WRONLY|O_CLOEXEC: FD_CLOEXEC", res(fcntl(wo, F_GETFD) & FD_CLOEXEC));
    close(wo);
}

/* A program that closes every descriptor it does not know of, as daemons
 * do, closes the shim's connection too: the device then answers EIO, the
 * file that gets the connection's number is left alone, and a new open
 * connects again. */
static void close_others(const char *dev)
{
    uint8_t buf[5];
    int fd = open(dev, O_RDWR);
    for (int i = 3; i < 64; i++)
        if (i != fd)
            close(i);
    int other = open("/dev/null", O_WRONLY);
    say("read after the connection was closed", res(read(fd, buf, sizeof buf)));
    say("write to the file that took its number", res(write(other, "x", 1)));
    close(other);
    say("close", res(close(fd)));
    fd = open(dev, O_RDWR);
    say("open again", res(fd < 0 ? -1 : 0));
    say("I2C_SLAVE 0x20", res(ioctl(fd, I2C_SLAVE, (unsigned long)CHIP)));
    show_read("read 7", fd, 7);
    close(fd);
}

static void start(int fd)
{
    unsigned long funcs = 0;
    uint8_t buf[FIRST_READ];
    say("I2C_FUNCS", res(ioctl(fd, I2C_FUNCS, &funcs)));
    printf("functionality: 0x%08lx\n", funcs);
    say("read before I2C_SLAVE (address 0)", res(read(fd, buf, sizeof buf)));
    say("I2C_SLAVE 0x80", res(ioctl(fd, I2C_SLAVE, 0x80UL)));
    say("I2C_SLAVE 0x20", res(ioctl(fd, I2C_SLAVE, (unsigned long)CHIP)));
    say("read before any command", res(read(fd, buf, sizeof buf)));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: i2cdev_probe /dev/i2c-N\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* The first call the shim sees is one it passes on: it must be ready. */
    if (ioctl(STDOUT_FILENO, FIONCLEX) != 0)
        say("ioctl(FIONCLEX) before any open", res(-1));
    int fd = open(argv[1], O_RDWR);
    outcome o = res(fd < 0 ? -1 : 0);
    printf("open %s: %s\n", argv[1], o.text);
    if (fd < 0)
        return 2;
    const uint8_t echo[] = {0x01, 0x02, 0x03, 0x04}, product[] = {TAG_PRODUCT_DATA};
    start(fd);
    command(fd, "echo", CMD_ECHO, echo, sizeof echo);
    command(fd, "query", CMD_QUERY, product, sizeof product);
    rdwr_echo(fd);
    rdwr_nobody(fd);
    rdwr_refusals(fd);
    smbus(fd);
    other_ioctls(fd);
    addresses(fd);
    descriptors(argv[1], fd);
    access_modes(argv[1]);
    close_others(argv[1]);
    return bad_crcs ? 1 : 0;
}
