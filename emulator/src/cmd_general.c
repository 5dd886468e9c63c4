/* SPDX-License-Identifier: BSD-3-Clause */
/* Echo, Reset, Generate Random (facts page, section 6). */
#include "internal.h"

#include <string.h>

#include "stsafe/protocol/commands.h"

uint8_t stsafe_emu_cmd_echo(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out)
{
    (void)chip;
    stsafe_wr_bytes(out, req->payload, req->payload_len);
    return STSAFE_ST_OK;
}

/* Reset ends the volatile context of the chip (the ephemeral key, a
 * verified password); the NVM and the response buffer stay as they are. */
uint8_t stsafe_emu_cmd_reset(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out)
{
    (void)req;
    (void)out;
    memset(&chip->vol.ephemeral, 0, sizeof chip->vol.ephemeral);
    chip->vol.password_verified = 0;
    return STSAFE_ST_OK;
}

uint8_t stsafe_emu_cmd_random(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out)
{
    stsafe_reader r;
    stsafe_reader_init(&r, req->payload, req->payload_len);
    uint8_t subject = stsafe_rd_u8(&r);
    uint8_t size = stsafe_rd_u8(&r);
    if (subject != STSAFE_RANDOM_SUBJECT_DEFAULT || size == 0)
        return STSAFE_ST_OUT_OF_RANGE;
    uint8_t buf[255];
    if (stsafe_emu_rng_draw(chip, buf, size) != 0)
        return STSAFE_ST_UNEXPECTED_ERROR;
    stsafe_wr_bytes(out, buf, size);
    return STSAFE_ST_OK;
}

/* Hibernate: optional wake-up mode (STSELib sends none or one byte; none
 * means wake on an I2C start or a reset). The chip answers, then sleeps
 * once the host has read that answer; what it loses is what a power cycle
 * loses (chip.c, hibernating()). */
uint8_t stsafe_emu_cmd_hibernate(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out)
{
    (void)out;
    uint8_t mode = req->payload_len ? req->payload[0] : STSAFE_WAKE_ON_I2C_OR_RESET;
    if (mode != STSAFE_WAKE_ON_I2C_OR_RESET && mode != STSAFE_WAKE_ON_RESET)
        return STSAFE_ST_OUT_OF_RANGE;
    chip->vol.hibernate = mode;
    return STSAFE_ST_OK;
}
