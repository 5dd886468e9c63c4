/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A program of someone else's project that uses stsafe-emu as a library, as
 * ci/consumer builds it: against an install prefix (find_package), with only
 * pkg-config and cc, through add_subdirectory, and against the .deb in /usr.
 *
 * From nothing: it creates a chip image in a temporary folder, serves it on a
 * unix socket from a server thread, and talks to it over the socket bus; then
 * loads the same image as an in-process chip. On each chip: Echo, Generate
 * Key (P-256, slot 1), Generate Signature, and the signature verified with
 * mbedTLS alone. Exit 0 when every step did what it should; each step prints
 * a line.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "stsafe/bus/socket.h"
#include "stsafe/client/client.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/emulator/image.h"
#include "stsafe/emulator/profile.h"
#include "stsafe/emulator/rng.h"
#include "stsafe/emulator/version.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/server/server.h"

#define CHECK(what, expr)                                                                  \
    do {                                                                                   \
        int rc_ = (expr);                                                                  \
        if (rc_ != 0) {                                                                    \
            fprintf(stderr, "consumer: %s failed: %d (%s)\n", what, rc_, stsafe_strerror(rc_)); \
            return 1;                                                                      \
        }                                                                                  \
    } while (0)

static int sha256(const char *msg, uint8_t out[32])
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    return mbedtls_sha256((const unsigned char *)msg, strlen(msg), out, 0);
#else
    return mbedtls_sha256_ret((const unsigned char *)msg, strlen(msg), out, 0);
#endif
}

/* The chip's signature checked by mbedTLS, with the public key the chip gave. */
static int mbedtls_verify_p256(const stsafe_ecc_point *pub, const uint8_t digest[32],
                               const stsafe_ecc_signature *sig)
{
    uint8_t raw[65];
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi r, s;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    raw[0] = 0x04;
    memcpy(raw + 1, pub->x, 32);
    memcpy(raw + 33, pub->y, 32);
    int rc = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1);
    if (!rc) rc = mbedtls_ecp_point_read_binary(&grp, &q, raw, sizeof raw);
    if (!rc) rc = mbedtls_mpi_read_binary(&r, sig->r, sig->size);
    if (!rc) rc = mbedtls_mpi_read_binary(&s, sig->s, sig->size);
    if (!rc) rc = mbedtls_ecdsa_verify(&grp, digest, 32, &q, &r, &s);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    return rc;
}

/* Echo, Generate Key P-256 in slot 1, Generate Signature, mbedTLS verifies. */
static int exercise(stsafe_client *c, const char *where)
{
    static const uint8_t hello[] = "hello from a consumer";
    uint8_t echoed[sizeof hello];
    uint8_t digest[32];
    stsafe_ecc_point pub;
    stsafe_ecc_signature sig;

    CHECK("Echo", stsafe_client_echo(c, hello, sizeof hello, echoed));
    if (memcmp(echoed, hello, sizeof hello) != 0) {
        fprintf(stderr, "consumer: %s: Echo answered other bytes\n", where);
        return 1;
    }
    printf("  %s: Echo of %zu bytes came back unchanged\n", where, sizeof hello);
    CHECK("Generate Key", stsafe_client_generate_key(c, 1, STSAFE_CURVE_P256, 0xFFFF, &pub));
    if (pub.size != 32) {
        fprintf(stderr, "consumer: %s: a P-256 key of %zu-byte coordinates\n", where, pub.size);
        return 1;
    }
    printf("  %s: Generate Key: a P-256 key in slot 1, X starts %02x%02x%02x%02x\n", where,
           pub.x[0], pub.x[1], pub.x[2], pub.x[3]);
    CHECK("SHA-256", sha256(where, digest));
    CHECK("Generate Signature", stsafe_client_sign(c, 1, digest, sizeof digest, &sig));
    CHECK("mbedtls_ecdsa_verify", mbedtls_verify_p256(&pub, digest, &sig));
    sig.s[sig.size - 1] ^= 1; /* and a signature that is not the chip's does not verify */
    if (mbedtls_verify_p256(&pub, digest, &sig) == 0) {
        fprintf(stderr, "consumer: %s: a corrupted signature verified\n", where);
        return 1;
    }
    printf("  %s: Generate Signature: mbedTLS verifies it (and rejects it with one bit flipped)\n",
           where);
    return 0;
}

static int create_image(const char *path)
{
    stsafe_rng rng;
    stsafe_emu_nvm nvm;
    stsafe_emu_profile_output out;
    CHECK("stsafe_rng_init", stsafe_rng_init(&rng, "consumer"));
    int rc = stsafe_emu_profile_apply(&nvm, "default", NULL, stsafe_rng_fn, &rng, &out);
    if (!rc)
        rc = stsafe_emu_image_save(path, &nvm);
    memset(&nvm, 0, sizeof nvm);
    stsafe_rng_free(&rng);
    CHECK("creating the image", rc);
    printf("created the chip image %s\n", path);
    return 0;
}

typedef struct {
    stsafe_server srv;
    atomic_int stop;
    int rc;
} served;

static void *serve(void *arg)
{
    served *s = arg;
    s->rc = stsafe_server_run(&s->srv);
    return NULL;
}

/* The image served on unix:DIR/chip.sock by a server thread, used over the socket bus. */
static int over_socket(const char *image, const char *dir)
{
    char listen[300];
    served s;
    pthread_t thread;
    stsafe_bus_socket sock;
    stsafe_bus bus;
    stsafe_client client;

    snprintf(listen, sizeof listen, "unix:%s/chip.sock", dir);
    stsafe_server_config cfg = {.image_path = image, .listen = listen, .stop = &s.stop};
    memset(&s, 0, sizeof s);
    atomic_store(&s.stop, 0);
    CHECK("stsafe_server_init", stsafe_server_init(&s.srv, &cfg));
    if (pthread_create(&thread, NULL, serve, &s) != 0) {
        stsafe_server_free(&s.srv);
        fprintf(stderr, "consumer: cannot start the server thread\n");
        return 1;
    }
    printf("serving it on %s\n", listen);
    stsafe_bus_socket_init(&sock);
    int rc = stsafe_bus_socket_connect(&sock, &bus, listen);
    if (rc == 0) {
        stsafe_client_init(&client, &bus, sock.i2c_address);
        rc = exercise(&client, "socket bus");
        stsafe_client_free(&client);
    } else {
        fprintf(stderr, "consumer: connecting to %s failed: %s\n", listen, stsafe_strerror(rc));
    }
    stsafe_bus_socket_free(&sock);
    atomic_store(&s.stop, 1);
    pthread_join(thread, NULL);
    stsafe_server_free(&s.srv);
    if (!rc && s.rc != 0) {
        fprintf(stderr, "consumer: the server stopped with %d\n", s.rc);
        return 1;
    }
    return rc ? 1 : 0;
}

/* The same image as a chip in this process, over the in-process bus. */
static int in_process(const char *image)
{
    stsafe_inproc_device d;
    CHECK("stsafe_inproc_device_init", stsafe_inproc_device_init(&d, NULL, 0));
    int rc = stsafe_emu_image_load(image, &d.chip.nvm);
    if (rc) {
        stsafe_inproc_device_free(&d);
        CHECK("loading the image", rc);
    }
    stsafe_inproc_device_connect(&d);
    rc = exercise(&d.client, "in-process bus");
    stsafe_inproc_device_free(&d);
    return rc;
}

int main(void)
{
    char dir[] = "/tmp/stsafe-consumer-XXXXXX", image[300];
    if (!mkdtemp(dir)) {
        perror("consumer: mkdtemp");
        return 1;
    }
    snprintf(image, sizeof image, "%s/chip.img", dir);
    printf("stsafe-emu %s (headers %s), mbedTLS %s\n", stsafe_emu_version(), STSAFE_EMU_VERSION_STRING,
           MBEDTLS_VERSION_STRING);
    int rc = strcmp(stsafe_emu_version(), STSAFE_EMU_VERSION_STRING) != 0;
    if (rc)
        fprintf(stderr, "consumer: the library is not the version of its headers\n");
    if (!rc) rc = create_image(image);
    if (!rc) rc = over_socket(image, dir);
    if (!rc) rc = in_process(image);
    (void)unlink(image);
    (void)rmdir(dir);
    printf("consumer: %s\n", rc ? "FAILED" : "all steps passed");
    return rc ? 1 : 0;
}
