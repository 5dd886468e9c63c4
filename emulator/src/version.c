/* SPDX-License-Identifier: BSD-3-Clause */
/* The library's own version (stsafe/emulator/version.h). */
#include "stsafe/emulator/version.h"

const char *stsafe_emu_version(void)
{
    return STSAFE_EMU_VERSION_STRING;
}

unsigned long stsafe_emu_version_number(void)
{
    return (unsigned long)STSAFE_EMU_VERSION_NUMBER;
}
