/* SPDX-License-Identifier: BSD-3-Clause */
#include "fault_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

void fault_rig_open(fault_rig *r, const char *seed, uint8_t serial_byte, stsafe_fault_log_fn log, void *log_ctx,
                    stsafe_bus *client_bus)
{
    uint8_t serial[9];
    memset(serial, serial_byte, sizeof serial);
    memset(r, 0, sizeof *r);
    assert_int_equal(stsafe_inproc_device_default(&r->dev, (const uint8_t *)seed, strlen(seed) + 1, serial), 0);
    stsafe_bus_fault_init(&r->fault, &r->faulty, &r->dev.bus, &r->dev.chip, log, log_ctx);
    stsafe_client_init(&r->client, client_bus ? client_bus : &r->faulty, STSAFE_I2C_ADDR_DEFAULT);
    r->client.max_polls = 20;
}

void fault_rig_close(fault_rig *r)
{
    stsafe_client_free(&r->client);
    stsafe_inproc_device_free(&r->dev);
}

void fault_rig_arm(fault_rig *r, const char *spec)
{
    assert_int_equal(stsafe_bus_fault_add_spec(&r->fault, spec, NULL), 0);
}

int fault_rig_echo(fault_rig *r)
{
    static const uint8_t msg[4] = {0xDE, 0xAD, 0xBE, 0xEF};
    uint8_t out[4] = {0};
    int err = stsafe_client_echo(&r->client, msg, sizeof msg, out);
    if (!err)
        assert_memory_equal(out, msg, sizeof msg);
    return err;
}
