/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file server.h
 * \brief Devices behind a socket (`stsafe-emu serve`).
 *
 * The server listens on a unix or TCP socket and serves clients with the
 * protocol of docs/socket-protocol.md: I2C writes and reads to a 7-bit
 * address, power cycle, statistics, and the choice of a device. What
 * answers them is a device (stsafe_server_device): an emulated chip loaded
 * from an image, a fleet of chips with their images in one folder
 * (chip_device.h), or any other implementation of the operations below
 * that the caller hands in. Each connection talks to one device at a time
 * (device 0 until it sends SELECT). One thread serves every connection: up
 * to max_clients at once, each request answered whole before the next one
 * is read, so requests of different connections interleave but never
 * overlap. After every request that changed a device's
 * saved state the server saves it (crash-safely, before answering), and
 * again when it stops. A client that breaks the protocol, stalls in the
 * middle of a request, leaves its answers unread or disconnects is dropped
 * with a logged reason; the server keeps serving. A device that fails for
 * good stops the server.
 *
 * The server forwards bytes to the device and never looks inside them; the
 * device never sees a socket.
 */
#ifndef STSAFE_SERVER_H
#define STSAFE_SERVER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stsafe/emulator/chip.h"
#include "stsafe/emulator/image_lock.h"
#include "stsafe/emulator/rng.h"
#include "stsafe/bus/sock_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_SERVER_FRAME_TIMEOUT_MS 10000u /**< Default time a started request may take to arrive. */
#define STSAFE_SERVER_POLL_TICK_MS     50u    /**< How often a waiting server looks at its stop flag. */
#define STSAFE_SERVER_IDLE_TIMEOUT_MS  30000u /**< Default time a connection may stay silent between
                                               *   requests before it is dropped. */
#define STSAFE_SERVER_HELLO_TIMEOUT_MS 5000u  /**< Default time a new connection has to send HELLO. */
#define STSAFE_SERVER_NO_TIMEOUT       0xFFFFFFFFu /**< idle_timeout_ms: never drop an idle client. */
#define STSAFE_SERVER_LOG_BURST        20u    /**< Client events (connected, disconnected, dropped)
                                               *   logged one by one per log window. */
#define STSAFE_SERVER_LOG_WINDOW_MS    1000u  /**< The log window: the events past the burst are
                                               *   counted and told in one line when it ends. */
#define STSAFE_SERVER_NACK_ADVANCE_US  1000u  /**< Datasheet timing: least virtual time a NACK stands for. */
#define STSAFE_SERVER_SPREAD_OFF       (-1)   /**< timing_spread_pct: every chip takes the profile's times. */
#define STSAFE_SERVER_MAX_SPREAD       50     /**< Largest timing_spread_pct. */

/** How a device's virtual clock runs under datasheet timing (docs/socket-protocol.md, "Timing"). */
typedef enum {
    /** Each I2C request moves it by the real time since the device's previous
     *  I2C request, and a NACKed one by at least STSAFE_SERVER_NACK_ADVANCE_US in
     *  all: a host that polls every P ms up to N times gets its answer whenever
     *  P x N covers the command's time, as on silicon. The default. */
    STSAFE_SERVER_CLOCK_HOST = 0,
    /** Only NACKs move it, STSAFE_SERVER_NACK_ADVANCE_US each: NACK counts and
     *  trace times are exact and repeatable, but a host that sleeps P ms between
     *  polls sees every command last P times longer (tests of NACK handling). */
    STSAFE_SERVER_CLOCK_NACKS
} stsafe_server_clock;
#define STSAFE_SERVER_MAX_REASON       512u   /**< Longest reason text an answer carries. */
#define STSAFE_SERVER_MAX_FLEET        10000u /**< Most chips in a fleet (chip-0000 .. chip-9999). */
#define STSAFE_SERVER_MAX_CLIENTS      64u    /**< Default connections served at once with several devices. */
#define STSAFE_SERVER_TURN_REQUESTS    32u    /**< Most requests of one connection answered before
                                               *   the others get their turn. */
#define STSAFE_SERVER_COMMAND_RETRIES  100u   /**< COMMAND: NACKs of a device that is not busy (a
                                               *   fault, a wake-up) retried per transaction. */
#define STSAFE_SERVER_ST_PENDING       0x7Fu  /**< stsafe_server_handle(): no answer yet (not a
                                               *   wire status); see stsafe_server_command_finish(). */

/**
 * What a served device does: the operations of the socket protocol that
 * reach it. The server calls them one at a time, from one thread.
 *
 * The I2C operations, power_cycle and stats return:
 * - 0: done (for I2C: the device acknowledged its address), answered OK;
 * - STSAFE_ERR_BUS_NACK: answered NACK (nothing moved). Under datasheet
 *   timing the device's virtual clock then advances (stsafe_server_clock);
 * - STSAFE_ERR_UNSUPPORTED: answered UNSUPPORTED;
 * - any other error: answered FAILED with stsafe_strerror()'s words; the
 *   server goes on.
 *
 * A device that has failed for good (a recorded device whose host left the
 * script) reports it through failure(): the server looks after every call
 * into the device, answers that request FAILED with the reason, logs it,
 * closes every connection, saves what can be saved and
 * stsafe_server_run() returns STSAFE_ERR_DEVICE_FAILED.
 *
 * Operations marked optional may be NULL.
 */
typedef struct {
    /**
     * \brief One I2C write transaction.
     * \param now_us  The device's clock (stsafe_server_now_us()).
     * \param addr    The 7-bit address the host wrote to: a device NACKs
     *                addresses that are not its own (an empty bus).
     * \param data    \p len bytes, 0..STSAFE_SOCK_MAX_DATA (never NULL).
     */
    int (*i2c_write)(void *ctx, uint64_t now_us, uint8_t addr, const uint8_t *data, size_t len);
    /**
     * \brief One I2C read transaction of exactly \p len bytes
     *        (0..STSAFE_SOCK_MAX_DATA) into \p buf.
     */
    int (*i2c_read)(void *ctx, uint64_t now_us, uint8_t addr, uint8_t *buf, size_t len);
    /** \brief Optional: POWER_CYCLE. NULL: answered UNSUPPORTED. */
    int (*power_cycle)(void *ctx);
    /** \brief The 7-bit address the device answers at now (HELLO's answer). */
    uint8_t (*address)(const void *ctx);
    /** \brief Optional: STATS. 0 with \p out filled; NULL: answered UNSUPPORTED. */
    int (*stats)(const void *ctx, stsafe_sock_stats *out);
    /** \brief Optional: 1 when state that must outlive the server changed since the last save. */
    int (*dirty)(const void *ctx);
    /**
     * \brief Optional: 1 while what the last save (or the load) wrote is still
     *        where it was put; 0 when it is gone (a chip: its image file was
     *        removed) or the device cannot tell.
     *        When the server stops it saves a device that is dirty or whose
     *        saved state is gone, and leaves the others alone; a device
     *        without dirty() or on_disk() is saved then in any case.
     */
    int (*on_disk)(const void *ctx);
    /**
     * \brief Optional: save that state now (a chip: its image, crash-safely).
     *        NULL: the device has nothing to save.
     *        On failure the device must be back at its last saved state
     *        (a chip reloads its image and restarts), or report failure():
     *        the request that changed it is then answered FAILED with the
     *        reason, never OK (issue 14 finding 4).
     * \return 0; an error with errno set (logged, and the reason answered).
     */
    int (*save)(void *ctx);
    /** \brief What the device is, for log lines (a chip: its image path). Never NULL. */
    const char *(*name)(const void *ctx);
    /** \brief Optional: NULL while the device works; once it has failed for good, why. */
    const char *(*failure)(const void *ctx);
    /**
     * \brief Optional: FAULT. Arm the faults of \p spec (docs/faults.md
     *        syntax, NUL-terminated) on the device.
     * \param bad      On error, receives the item of \p spec refused (a
     *                 pointer into it; it runs to the next comma).
     * \param log      Receives one line per fault that fires, from now on
     *                 ("fault: NACK read 1 of 3"); may be NULL.
     * \return 0 (every item armed); STSAFE_ERR_BAD_INPUT (an item that is
     *         not one of docs/faults.md: nothing armed); STSAFE_ERR_BUFFER_TOO_SMALL
     *         (more than STSAFE_FAULT_MAX items); STSAFE_ERR_UNSUPPORTED
     *         (an item the device cannot do: nothing armed). NULL: answered
     *         UNSUPPORTED.
     */
    int (*fault)(void *ctx, const char *spec, const char **bad, void (*log)(void *log_ctx, const char *line),
                 void *log_ctx);
    /**
     * \brief Optional: when the device answers again, on its clock (the
     *        now_us of the I2C operations): the end of the command it is
     *        busy with, or 0 when it is not busy. COMMAND (socket protocol
     *        version 3) needs it: the server waits until then before it
     *        reads the response. NULL: COMMAND is answered UNSUPPORTED and
     *        clients fall back to I2C_WRITE and I2C_READ.
     */
    uint64_t (*busy_until_us)(const void *ctx);
    /**
     * \brief Optional: SNAPSHOT (version 3). The device's whole state as
     *        bytes (a chip: stsafe_emu_snapshot_save()). NULL: answered
     *        UNSUPPORTED.
     * \return 0 with \p len set; STSAFE_ERR_BUFFER_TOO_SMALL; another error
     *         (answered FAILED).
     */
    int (*snapshot)(const void *ctx, uint8_t *out, size_t cap, size_t *len);
    /**
     * \brief Optional: RESTORE (version 3). Become the device of \p snap,
     *        whole, or change nothing when it is refused. The device is then
     *        dirty (a restore changes the NVM) and the server saves it before
     *        answering. NULL: answered UNSUPPORTED.
     * \return 0; an error (a chip: those of stsafe_emu_snapshot_restore()):
     *         answered FAILED, nothing changed.
     */
    int (*restore)(void *ctx, const uint8_t *snap, size_t len);
} stsafe_server_device_ops;

/** A device: its operations and their context. */
typedef struct {
    const stsafe_server_device_ops *ops;
    void *ctx;
} stsafe_server_device;

/**
 * What to serve and how. listen is required, and exactly one of
 * image_path, image_dir and devices.
 */
typedef struct {
    const char *image_path;     /**< One emulated chip: its image, loaded at init and saved
                                 *   after changes. */
    const char *image_dir;      /**< Or: a fleet of \p fleet chips, chip i in the image
                                 *   stsafe_fleet_image_path(image_dir, i). The folder is
                                 *   created when missing (mode 0700); an existing folder
                                 *   writable by its group or others is refused; a missing image is
                                 *   created with the default profile and the serial
                                 *   stsafe_fleet_serial(i) (keys from the random source),
                                 *   an existing one is loaded. */
    size_t fleet;               /**< Chips in the fleet: 1..STSAFE_SERVER_MAX_FLEET. */
    const stsafe_server_device *devices; /**< Or: devices of the caller's, served as they are
                                 *   (the handles are copied; what their ctx point to must
                                 *   outlive the server, which never frees it; device i is
                                 *   chip i for SELECT). The timing below is then only what
                                 *   HELLO reports and how stsafe_server_now_us() runs:
                                 *   the devices must agree with it. */
    size_t device_count;        /**< Entries in \p devices: 1..STSAFE_SERVER_MAX_FLEET. */
    size_t max_clients;         /**< Connections served at once; more wait in the listen
                                 *   backlog. 0: 1 for one image or one device (one
                                 *   client at a time), STSAFE_SERVER_MAX_CLIENTS for a
                                 *   fleet or several devices. */
    const char *listen;         /**< "unix:PATH" or "tcp:HOST:PORT" (port 0: any free port). */
    unsigned socket_mode;       /**< A unix socket file's permission bits (at most 0777); 0:
                                 *   0600, only the server's user may connect. It is 0600
                                 *   from its creation (umask around bind), then widened. */
    stsafe_emu_timing timing;     /**< NONE: answers at once. DATASHEET: the busy times of
                                 *   the profile on a virtual clock that runs as \p clock
                                 *   says. REAL: the same times on the CLOCK_MONOTONIC
                                 *   wall clock. */
    stsafe_server_clock clock;  /**< How the virtual clock of DATASHEET runs. */
    stsafe_emu_timing_profile timing_profile; /**< Whose command times the chips take. */
    int timing_spread_pct;      /**< Each chip's times vary by up to this per cent, fixed by
                                 *   its seed: 0 the default (STSAFE_EMU_TIMING_SPREAD_DEFAULT),
                                 *   STSAFE_SERVER_SPREAD_OFF none, else 1..STSAFE_SERVER_MAX_SPREAD.
                                 *   Applies to the chips the server loads. */
    int verbose;                /**< Also log one line per request. */
    FILE *log;                  /**< Where log lines go; NULL: stderr. */
    atomic_int *stop;           /**< Optional: the server stops once this reads non-zero
                                 *   (a signal handler or another thread sets it). */
    uint32_t frame_timeout_ms;  /**< How long a begun request may take to arrive, and an
                                 *   answer to be taken; 0: STSAFE_SERVER_FRAME_TIMEOUT_MS. */
    uint32_t idle_timeout_ms;   /**< A connection silent this long between requests is
                                 *   dropped (a silent client would hold a one-chip server
                                 *   for ever); 0: STSAFE_SERVER_IDLE_TIMEOUT_MS;
                                 *   STSAFE_SERVER_NO_TIMEOUT: never. */
    uint32_t hello_timeout_ms;  /**< A new connection must send HELLO within this; 0:
                                 *   STSAFE_SERVER_HELLO_TIMEOUT_MS, and never more than
                                 *   idle_timeout_ms. */
    uint32_t log_burst;         /**< Client events logged one by one per window (a connect
                                 *   storm writes one summary line, not a line per client);
                                 *   0: STSAFE_SERVER_LOG_BURST. verbose logs every one. */
    uint32_t log_window_ms;     /**< 0: STSAFE_SERVER_LOG_WINDOW_MS. */
    const uint8_t *seed;        /**< Deterministic random seed of the chips (tests), or NULL
                                 *   for OS entropy. */
    size_t seed_len;
} stsafe_server_config;

/** One served device and the server's clock for it. */
typedef struct {
    stsafe_server_device dev;
    uint64_t virtual_us;        /**< The device's clock under TIMING_NONE and TIMING_DATASHEET. */
    uint64_t last_io_mono_us;   /**< CLOCK_MONOTONIC at its previous I2C request (0: none yet). */
    uint64_t credited_us;       /**< What the request under way added to virtual_us. */
} stsafe_server_slot;

struct stsafe_chip_device;

/** A running server. Its chips point into it: set it up where it will stay, do not copy. */
typedef struct {
    stsafe_server_config cfg;
    stsafe_rng rng;             /**< The chips' random source (when the server loaded chips). */
    int rng_ready;
    struct stsafe_chip_device *chips; /**< The chips the server loaded itself (image_path,
                                 *   image_dir); NULL with the caller's devices. */
    size_t chip_count;
    stsafe_emu_image_lock folder_lock; /**< A fleet's folder, held from init to free
                                 *   (image_lock.h); its images have no lock of their own. */
    size_t images_created;      /**< Fleet images created by stsafe_server_init(). */
    stsafe_server_slot *slots;  /**< Every served device. */
    size_t slot_count;
    const char *failure;        /**< Set once a device failed for good: its reason. */
    size_t failed_slot;         /**< Which device failed. */
    stsafe_sock_addr addr;
    char address[160];          /**< The bound address as text (the chosen port filled in). */
    int listen_fd;
    int bound_unix;             /**< The unix socket file is ours to remove. */
    uint64_t clients;           /**< Connections accepted so far (numbers the log lines). */
} stsafe_server;

/** One connection's protocol state. */
typedef struct {
    int hello_done;             /**< A valid HELLO was answered. */
    uint8_t version;            /**< The protocol version HELLO agreed on. */
    size_t selected;            /**< The device this connection talks to (SELECT; 0 first). */
    uint64_t requests;          /**< Requests answered. */
    uint64_t command_ready_us;  /**< Real timing: a COMMAND waits for its chip until this
                                 *   time (stsafe_server_now_us()); 0: none waits. */
    uint8_t command_addr;       /**< The address of that COMMAND. */
    uint8_t *snap;              /**< SNAPSHOT: the snapshot being read out, taken at offset 0
                                 *   (so every chunk is of the same state); NULL: none. */
    size_t snap_len;
    uint8_t *restore;           /**< RESTORE: the chunks received so far; NULL: none begun. */
    size_t restore_len;         /**< Bytes received. */
    size_t restore_total;       /**< Bytes announced at offset 0. */
} stsafe_server_session;

/**
 * \brief Wipe and release what a session holds (a snapshot being read out,
 *        a restore being received: both hold the chip's keys). The server
 *        calls it when a connection ends; callers of stsafe_server_handle()
 *        call it when done with a session. The session can be used again.
 */
void stsafe_server_session_free(stsafe_server_session *sess);

/**
 * \brief Load the chip or the fleet (or take the caller's devices), then
 *        bind and listen.
 *
 * A unix socket file left behind by a server that is gone is replaced; a
 * live one, or any other file at PATH, is an error.
 * \param cfg  Copied; the strings and devices it points to must outlive the server.
 * \return 0; STSAFE_ERR_BAD_INPUT (missing, conflicting or malformed
 *         setting); STSAFE_ERR_IMAGE_LOCKED (another process has an image
 *         open: image_lock.h, logged with its PID); the errors of stsafe_emu_image_load() and of
 *         stsafe_chip_device_create() (fleet images); STSAFE_ERR_CRYPTO
 *         (random source); STSAFE_ERR_ALLOC; STSAFE_ERR_IO (the image
 *         folder, socket calls; errno set, EADDRINUSE when another server
 *         listens there). Each failure is logged with the file it concerns.
 *         On error everything is released: do not call stsafe_server_free().
 */
int stsafe_server_init(stsafe_server *s, const stsafe_server_config *cfg);

/**
 * \brief Serve clients (up to max_clients at once) until the stop flag is
 *        set or a device fails for good, then save every device with a change
 *        not yet on disk (every change is saved when it is made, so usually
 *        none: a fleet of 10,000 chips stops without 10,000 fsyncs).
 * \return 0 when stopped and everything saved; STSAFE_ERR_DEVICE_FAILED
 *         (a device failed; s->failure says why); STSAFE_ERR_BAD_INPUT;
 *         STSAFE_ERR_ALLOC (the connection table);
 *         the errors of the devices' save (stsafe_emu_image_save() for a
 *         chip; errno set).
 */
int stsafe_server_run(stsafe_server *s);

/** \brief Close the socket, remove a unix socket file, wipe the server's own chips. Saves nothing. */
void stsafe_server_free(stsafe_server *s);

/**
 * \brief Answer one request (the body after the length prefix), the core
 *        of the server without any socket: tests and other transports
 *        call it directly.
 *        The device the request reached is saved before this returns when
 *        its state changed; a failed save turns the answer into FAILED with
 *        the reason (the device is back at its saved state).
 * \param sess     The connection's state.
 * \param body     op · arguments.
 * \param len      Its length, from the length prefix: a value outside
 *                 1..STSAFE_SOCK_MAX_BODY is answered ERR_LENGTH (op 0x00)
 *                 without reading \p body.
 * \param ans      Receives the answer body op · status · data
 *                 (STSAFE_SOCK_MAX_BODY bytes always suffice).
 * \param ans_len  Receives its length.
 * Under real timing a COMMAND does not sleep through the chip's busy time:
 * the frame is written, nothing is answered yet (*ans_len 0) and
 * STSAFE_SERVER_ST_PENDING is returned with sess->command_ready_us set; the
 * caller serves others meanwhile and, from that time on,
 * stsafe_server_command_finish() gives the answer. The session must send
 * nothing in between.
 * \return The answer's status, STSAFE_SOCK_ST_*. A status with bit 7 set
 *         (STSAFE_SOCK_ST_CLOSES) means the connection must be closed;
 *         the data of every status but OK is a reason in ASCII. When a
 *         device failed for good during the request, s->failure is set:
 *         the caller stops serving.
 */
uint8_t stsafe_server_handle(stsafe_server *s, stsafe_server_session *sess, const uint8_t *body,
                             size_t len, uint8_t *ans, size_t *ans_len);

/**
 * \brief The answer of a COMMAND left pending by stsafe_server_handle()
 *        (real timing), once stsafe_server_now_us() has reached
 *        sess->command_ready_us (earlier, it sleeps until then). Arguments
 *        and return as stsafe_server_handle().
 */
uint8_t stsafe_server_command_finish(stsafe_server *s, stsafe_server_session *sess, uint8_t *ans,
                                     size_t *ans_len);

/**
 * \brief Give \p chip the timing profile and spread of \p cfg (what the
 *        server does to the chips it loads; for callers that load their own).
 */
void stsafe_server_chip_timing(const stsafe_server_config *cfg, stsafe_emu_chip *chip);

/**
 * \brief The clock of device \p slot now, in microseconds, as the timing
 *        setting defines it.
 */
uint64_t stsafe_server_now_us(const stsafe_server *s, size_t slot);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_SERVER_H */
