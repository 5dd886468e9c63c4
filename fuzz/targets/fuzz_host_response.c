/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_host_response: a malicious chip. Input: command (1 byte, modulo the
 * table of fuzz_host.h), mode (1 byte, FUZZ_HOST_* bits), then the chip's
 * responses as records (fuzz_split.h; the flag makes the response's CRC
 * right), served by the fake bus of fuzz_bus.h. The host client runs the
 * command (after opening a session when the mode asks) and must return a
 * documented error or valid data; the sanitizers catch any access out of
 * bounds. */
#include "fuzz_bus.h"
#include "fuzz_host.h"
#include "fuzz_target.h"

/** Tries per NACK: more would only repeat the same read. */
#define MAX_POLLS 2u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_bus fb;
    stsafe_bus bus;
    fuzz_host h;
    if (size < 2)
        return 0;
    fuzz_bus_init(&fb, &bus, data + 2, size - 2, (data[1] & FUZZ_HOST_PER_READ) != 0);
    fuzz_host_init(&h, &bus, MAX_POLLS);
    (void)fuzz_host_open(&h, data[1]);
    (void)fuzz_host_cmd_run(&h, data[0] % FUZZ_HOST_CMD_COUNT);
    stsafe_client_close_host_session(&h.client);
    stsafe_client_free(&h.client);
    return 0;
}
