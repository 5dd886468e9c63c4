/**
 * \file chip_device.h
 * \brief The emulated chip as a server device: a stse_emu_chip loaded from
 *        an image file, served through the operations of server.h and
 *        saved back to the same file.
 *
 * The I2C operations are the chip's I2C slave (stse_emu_i2c_write(),
 * stse_emu_i2c_read()); a transaction to another address is NACKed as by an
 * empty bus and not counted by the chip. STATS reports the chip's
 * counters; the device is dirty when a command changed the NVM, and saving
 * writes the image crash-safely (stse_emu_image_save()).
 */
#ifndef STSAFE_CHIP_DEVICE_H
#define STSAFE_CHIP_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "stse_emu/chip.h"
#include "stsafe/server.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One chip and where its image lives. Holds the chip's keys: free it. */
typedef struct stsafe_chip_device {
    stse_emu_chip chip;
    char *image_path;           /**< A copy of the path the image is saved to. */
} stsafe_chip_device;

/**
 * \brief Set up the chip and load its image.
 * \param image_path  The image file; a copy is kept for saving.
 * \param timing      The chip's timing model (as the server's).
 * \param f_rng       The chip's random source (required); \p p_rng must
 *                    outlive the device.
 * \return 0; STSAFE_ERR_BAD_INPUT; the errors of stse_emu_image_load()
 *         (STSAFE_ERR_IO with errno set for a missing file);
 *         STSAFE_ERR_ALLOC. On error nothing is held.
 */
int stsafe_chip_device_load(stsafe_chip_device *d, const char *image_path, stse_emu_timing timing,
                            stse_emu_rng_fn f_rng, void *p_rng);

/** \brief Wipe the chip (its keys included) and release the path. Saves nothing. */
void stsafe_chip_device_free(stsafe_chip_device *d);

/**
 * \brief The device handle the server takes (stsafe_server_config.devices).
 *        Valid while \p d is.
 */
stsafe_server_device stsafe_chip_device_handle(stsafe_chip_device *d);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_CHIP_DEVICE_H */
