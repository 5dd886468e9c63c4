/* SPDX-License-Identifier: BSD-3-Clause */
/* The mbedTLS configuration the Cortex-M4 compile check uses: Debian's
 * (the API the adapter is written against) without what a bare-metal
 * newlib target lacks: POSIX threads, sockets, files, the OS clock. A
 * real device build brings its own configuration; what matters here is
 * that our device code needs nothing beyond it. */
#ifndef STSE_DEVICE_MBEDTLS_CONFIG_H
#define STSE_DEVICE_MBEDTLS_CONFIG_H

#include "mbedtls/config.h"

#undef MBEDTLS_THREADING_C
#undef MBEDTLS_THREADING_PTHREAD
#undef MBEDTLS_NET_C
#undef MBEDTLS_TIMING_C
#undef MBEDTLS_FS_IO
#undef MBEDTLS_HAVE_TIME_DATE
#undef MBEDTLS_ENTROPY_PLATFORM

#endif
