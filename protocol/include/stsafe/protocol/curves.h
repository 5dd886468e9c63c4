/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file curves.h
 * \brief The A110's elliptic curves and their wire identifiers (facts page, 6c).
 *
 * On the wire a curve is a 2-byte big-endian length followed by the value
 * bytes of its OID (no ASN.1 tag).
 */
#ifndef STSAFE_CURVES_H
#define STSAFE_CURVES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    STSAFE_CURVE_NONE = 0,
    STSAFE_CURVE_P256 = 1,
    STSAFE_CURVE_P384 = 2,
    STSAFE_CURVE_BP256 = 3,
    STSAFE_CURVE_BP384 = 4
} stsafe_curve;

#define STSAFE_CURVE_COUNT      5
#define STSAFE_CURVE_ID_MAX_LEN 11u  /**< Length field plus the longest OID (brainpool). */

/**
 * \brief The wire identifier of \p curve (length field included).
 * \return Its bytes, with \p len set; NULL for an unknown curve.
 */
const uint8_t *stsafe_curve_id(uint8_t curve, size_t *len);

/**
 * \brief Which curve a wire identifier names.
 * \param id   Points at the 2-byte length field.
 * \param len  Bytes available at \p id.
 * \param used Receives the identifier's total length (length field included).
 * \return The stsafe_curve; STSAFE_CURVE_NONE when unknown or truncated.
 */
uint8_t stsafe_curve_from_id(const uint8_t *id, size_t len, size_t *used);

/** \brief Coordinate (and scalar) size in bytes; 0 for none. */
size_t stsafe_curve_size(uint8_t curve);

/** \brief "NIST P-256" style name; "none" for STSAFE_CURVE_NONE or unknown. */
const char *stsafe_curve_name(uint8_t curve);

/** \brief The curve's mbedtls_ecp_group_id (as an int; MBEDTLS_ECP_DP_NONE for none). */
int stsafe_curve_group(uint8_t curve);

/** \brief The stsafe_curve of an mbedtls_ecp_group_id, or STSAFE_CURVE_NONE. */
uint8_t stsafe_curve_from_group(int group);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_CURVES_H */
