/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file chip_device.h
 * \brief The emulated chip as a server device: a stsafe_emu_chip loaded from
 *        an image file, served through the operations of server.h and
 *        saved back to the same file.
 *
 * The I2C operations are the chip's I2C slave (stsafe_emu_i2c_write(),
 * stsafe_emu_i2c_read()); a transaction to another address is NACKed as by an
 * empty bus and not counted by the chip. STATS reports the chip's
 * counters; the device is dirty when a command changed the NVM, and saving
 * writes the image crash-safely (stsafe_emu_image_save()).
 *
 * FAULT arms the faults of docs/faults.md on the chip, as stsafe-cli
 * --fault does on an in-process one: the bus faults (nack, flip, drop,
 * truncate) spoil what the server's clients read, the chip faults
 * (brownout, reset) fire inside the chip. latency is refused: the server
 * answers every client from one loop and does not sleep for one (a host
 * adds it on its own bus: stsafe-cli --fault latency=MS).
 *
 * A fleet is a folder of such images, one per chip, named by index; the
 * server creates the missing ones (stsafe_chip_device_create()).
 */
#ifndef STSAFE_CHIP_DEVICE_H
#define STSAFE_CHIP_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/emulator/chip.h"
#include "stsafe/emulator/storage.h"
#include "stsafe/emulator/image_lock.h"
#include "stsafe/server/server.h"

#ifdef __cplusplus
extern "C" {
#endif

struct stsafe_chip_faults;

/** One chip and where its image lives. Holds the chip's keys: free it. */
typedef struct stsafe_chip_device {
    stsafe_emu_chip chip;
    char *image_path;           /**< A copy of the path the image is saved to. */
    struct stsafe_chip_faults *faults; /**< The faults armed through FAULT; NULL until the
                                 *   first (an idle chip of a fleet does not pay for them). */
    const stsafe_emu_storage *storage; /**< Where the image is saved and read back; NULL (set
                                 *   by load and create): the POSIX files. Tests set an
                                 *   stsafe_emu_memfs here after loading. */
    const char *failure;        /**< Set when a failed save could not be undone. */
    stsafe_emu_image_lock lock; /**< Held exclusively from load or create until free
                                 *   (image_lock.h); when taking it failed, who holds it. */
    int folder_locked;          /**< Set before load or create by a fleet server that holds
                                 *   the folder's lock (stsafe_emu_folder_lock_take()):
                                 *   no IMAGE.lock is taken, and an image whose own lock
                                 *   someone holds is refused (stsafe_emu_image_lock_probe()). */
} stsafe_chip_device;

/**
 * \brief Set up the chip and load its image.
 * \param image_path  The image file; a copy is kept for saving.
 * \param timing      The chip's timing model (as the server's).
 * \param f_rng       The chip's random source (required); \p p_rng must
 *                    outlive the device.
 * \return 0; STSAFE_ERR_BAD_INPUT; the errors of stsafe_emu_image_load()
 *         (STSAFE_ERR_IO with errno set for a missing file);
 *         STSAFE_ERR_ALLOC. On error nothing is held.
 */
int stsafe_chip_device_load(stsafe_chip_device *d, const char *image_path, stsafe_emu_timing timing,
                            stsafe_emu_rng_fn f_rng, void *p_rng);

/**
 * \brief Create a new chip: the default profile (docs/protocol.md) with
 *        \p serial, its keys and test CA from \p f_rng; write the test CA
 *        certificate to IMAGE.ca.pem (as `stsafe-emu init` does), then the
 *        image crash-safely. An image on disk thus always has its CA file.
 * \param image_path  Where the image goes; an existing file is replaced.
 * \param serial      STSAFE_EMU_SERIAL_LEN bytes.
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_CRYPTO; STSAFE_ERR_ALLOC;
 *         STSAFE_ERR_IO (errno set). On error nothing is held.
 */
int stsafe_chip_device_create(stsafe_chip_device *d, const char *image_path, const uint8_t *serial,
                              stsafe_emu_timing timing, stsafe_emu_rng_fn f_rng, void *p_rng);

/**
 * \brief Arm the faults of \p spec (docs/faults.md) on the chip: the
 *        device's FAULT operation.
 * \param bad  On error, receives the refused item (a pointer into \p spec).
 * \param log  Receives a line per fault that fires ("IMAGE: fault: ..."); may be NULL.
 * \return 0; STSAFE_ERR_BAD_INPUT (malformed item, or more than
 *         STSAFE_FAULT_MAX); STSAFE_ERR_UNSUPPORTED (latency); STSAFE_ERR_ALLOC.
 *         On error nothing new is armed.
 */
int stsafe_chip_device_fault(stsafe_chip_device *d, const char *spec, const char **bad,
                             void (*log)(void *log_ctx, const char *line), void *log_ctx);

/** \brief Wipe the chip (its keys included) and release the path. Saves nothing. */
void stsafe_chip_device_free(stsafe_chip_device *d);

/**
 * \brief The device handle the server takes (stsafe_server_config.devices).
 *        Valid while \p d is.
 */
stsafe_server_device stsafe_chip_device_handle(stsafe_chip_device *d);

/* ---- fleets (stsafe-emu serve --fleet N --image-dir DIR) --------------------------------- */

/**
 * \brief The image of chip \p index of a fleet: "DIR/chip-0000.img" (four
 *        digits, more above 9999).
 * \return 0; STSAFE_ERR_BUFFER_TOO_SMALL; STSAFE_ERR_BAD_INPUT.
 */
int stsafe_fleet_image_path(const char *dir, size_t index, char *out, size_t cap);

/**
 * \brief The serial number a fleet gives chip \p index when it creates
 *        its image: "FLEET" in ASCII, then the index as 4 big-endian bytes
 *        (chip 7: 464C454554 00000007). Unique within a fleet, the same in
 *        every fleet.
 * \param serial  Receives STSAFE_EMU_SERIAL_LEN bytes.
 */
void stsafe_fleet_serial(size_t index, uint8_t *serial);

/**
 * \brief Create the chips of a fleet that have no image yet, in one batch:
 *        each as stsafe_chip_device_create() makes it (default profile,
 *        serial stsafe_fleet_serial(i), IMAGE.ca.pem beside the image),
 *        but fast and still crash-safe (docs/persistence.md, "Fleets"):
 *        the keys and certificates are generated on every CPU, each chip
 *        from a seed drawn from \p f_rng in index order (so a seeded fleet
 *        is the same however the threads run); every file is written
 *        unsynced (IMAGE.tmp for the image); one sync of the filesystem
 *        makes them all durable; then each IMAGE.tmp is renamed to IMAGE
 *        and the folder is synced once. A power cut at any point leaves
 *        each image either absent or whole, never torn.
 * \param chips    The fleet's devices; chips[indices[k]] is set up.
 * \param indices  The \p n chip indices to create (images that do not exist).
 * \param dir      The fleet's folder.
 * \param f_rng    The seeds' source, and the chips' random source afterwards.
 * \param failed   On error: the index of the chip that failed.
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_CRYPTO; STSAFE_ERR_ALLOC;
 *         STSAFE_ERR_IO (errno set). On error no chip of the batch is held
 *         (the entries are zeroed).
 */
int stsafe_fleet_create(stsafe_chip_device *chips, const size_t *indices, size_t n, const char *dir,
                        stsafe_emu_timing timing, stsafe_emu_rng_fn f_rng, void *p_rng,
                        size_t *failed);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_CHIP_DEVICE_H */
