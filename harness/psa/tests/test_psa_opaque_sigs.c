/* SPDX-License-Identifier: BSD-3-Clause */
/* Compile-time check, part of test_psa_opaque when ci/build-mbedtls3's
 * mbedTLS 3.6 source tree is beside the prefix: each stsafe_opaque_* entry
 * point has the type of the matching entry point of mbedTLS's own opaque test
 * driver (framework/tests/include/test/drivers/, included from that tree,
 * never copied), which is what the generated wrappers call. A different
 * parameter list fails the build (-Werror=incompatible-pointer-types). */
#define PSA_CRYPTO_DRIVER_TEST
#include <psa/crypto.h>

#include <test/drivers/key_agreement.h>
#include <test/drivers/key_management.h>
#include <test/drivers/signature.h>

#include "stsafe/psa/opaque_driver.h"

#define SAME(theirs, ours) static __typeof__(theirs) *const ours##_as_mbedtls_test_driver = ours

SAME(mbedtls_test_opaque_signature_sign_hash, stsafe_opaque_sign_hash);
SAME(mbedtls_test_opaque_signature_verify_hash, stsafe_opaque_verify_hash);
SAME(mbedtls_test_opaque_generate_key, stsafe_opaque_generate_key);
SAME(mbedtls_test_opaque_import_key, stsafe_opaque_import_key);
SAME(mbedtls_test_opaque_export_key, stsafe_opaque_export_key);
SAME(mbedtls_test_opaque_export_public_key, stsafe_opaque_export_public_key);
SAME(mbedtls_test_opaque_get_builtin_key, stsafe_opaque_get_builtin_key);
SAME(mbedtls_test_opaque_key_agreement, stsafe_opaque_key_agreement);
SAME(mbedtls_test_opaque_size_function, stsafe_opaque_size_function);

/* How many entry points were compared (test_psa_opaque prints it). */
int stse_opaque_signatures_checked(void);
int stse_opaque_signatures_checked(void)
{
    const void *all[] = {
        (const void *)stsafe_opaque_sign_hash_as_mbedtls_test_driver,
        (const void *)stsafe_opaque_verify_hash_as_mbedtls_test_driver,
        (const void *)stsafe_opaque_generate_key_as_mbedtls_test_driver,
        (const void *)stsafe_opaque_import_key_as_mbedtls_test_driver,
        (const void *)stsafe_opaque_export_key_as_mbedtls_test_driver,
        (const void *)stsafe_opaque_export_public_key_as_mbedtls_test_driver,
        (const void *)stsafe_opaque_get_builtin_key_as_mbedtls_test_driver,
        (const void *)stsafe_opaque_key_agreement_as_mbedtls_test_driver,
        (const void *)stsafe_opaque_size_function_as_mbedtls_test_driver,
    };
    int n = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        n += all[i] != NULL;
    return n;
}
