/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu import: logic-analyser captures into I2C traces (emu_import.c). */
#ifndef STSAFE_EMU_IMPORT_H
#define STSAFE_EMU_IMPORT_H

/**
 * `stsafe-emu import --from sigrok|saleae CAPTURE [-o TRACE] [--samplerate HZ]`,
 * \p argv holding what follows "import". Returns the exit code: 0, 1 (the
 * capture cannot be read or is malformed, the trace cannot be written),
 * 2 (bad command line).
 */
int emu_import_main(int argc, char **argv);

#endif
