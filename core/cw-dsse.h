/* cw-dsse.h: DSSE envelopes for consent transactions, per the Dead Simple
 * Signing Envelope v1 protocol (github.com/secure-systems-lab/dsse,
 * protocol.md and envelope.md) with Ed25519 signatures.
 *
 * Envelope: {"payload": <base64>, "payloadType": CW_DSSE_PAYLOAD_TYPE,
 * "signatures": [{"keyid": <hex>, "sig": <base64>}, ...]}, written compactly
 * with members sorted. Each signature is Ed25519 over
 *   PAE = "DSSEv1" SP len(type) SP type SP len(payload) SP payload
 * with the lengths in bytes as ASCII decimal without leading zeros.
 *
 * keyid (our choice; DSSE leaves it to the application): the lower-case hex
 * of SHA-256 over the raw 32-byte Ed25519 public key, 64 characters. It is a
 * hint to pick the key, never a reason to trust one.
 *
 * Parsing is strict: strict JSON (no duplicate members, UTF-8) with exactly
 * these members, the exact payload type, strict standard base64 (padding,
 * zero unused bits), signatures of exactly 64 bytes, 1 to
 * CW_DSSE_MAX_SIGNATURES signatures with distinct key IDs, and the size caps
 * below.
 */
#pragma once

#include <glib.h>

#include "cw-key.h"

G_BEGIN_DECLS

#define CW_DSSE_ERROR (cw_dsse_error_quark ())

typedef enum {
  CW_DSSE_ERROR_MALFORMED,      /* not an envelope of the expected shape */
  CW_DSSE_ERROR_TOO_LARGE,      /* envelope, payload or signature count */
  CW_DSSE_ERROR_PAYLOAD_TYPE,   /* another payload type */
  CW_DSSE_ERROR_NO_SIGNATURE,   /* no signature with the key's ID */
  CW_DSSE_ERROR_BAD_SIGNATURE,  /* the signature does not verify */
} CwDsseError;

#define CW_DSSE_PAYLOAD_TYPE "application/vnd.consentwallet.tx+json"
#define CW_DSSE_MAX_SIGNATURES 4
/* The decoded payload; equal to CW_TX_MAX_PAYLOAD_SIZE. */
#define CW_DSSE_MAX_PAYLOAD_SIZE (16 * 1024)
#define CW_DSSE_MAX_ENVELOPE_SIZE (32 * 1024)
#define CW_DSSE_KEY_ID_LEN 64

GQuark          cw_dsse_error_quark              (void);

/* Pre-authentication encoding of DSSE v1. */
GBytes         *cw_dsse_pae                      (const char      *payload_type,
                                                  const guint8    *payload,
                                                  gsize            payload_len);

/* Lower-case hex SHA-256 of the raw 32-byte public key. */
char           *cw_dsse_key_id                   (const guint8     public_key[CW_PUBLIC_KEY_SIZE]);

typedef struct _CwDsseEnvelope CwDsseEnvelope;

/* A new envelope of CW_DSSE_PAYLOAD_TYPE over @payload signed by @key. */
CwDsseEnvelope *cw_dsse_envelope_sign            (GBytes          *payload,
                                                  CwSigningKey    *key,
                                                  GError         **error);
/* Adds one more signature; fails on a key ID already present or the cap. */
gboolean        cw_dsse_envelope_add_signature   (CwDsseEnvelope  *self,
                                                  CwSigningKey    *key,
                                                  GError         **error);
CwDsseEnvelope *cw_dsse_envelope_parse           (const char      *data,
                                                  gsize            len,
                                                  GError         **error);

CwDsseEnvelope *cw_dsse_envelope_ref             (CwDsseEnvelope  *self);
void            cw_dsse_envelope_unref           (CwDsseEnvelope  *self);

/* Succeeds when the envelope holds a signature with @key's key ID and that
 * signature verifies over the PAE of the payload bytes as received. */
gboolean        cw_dsse_envelope_verify          (CwDsseEnvelope  *self,
                                                  CwVerifierKey   *key,
                                                  GError         **error);

/* The decoded payload bytes; verify before trusting them. */
GBytes         *cw_dsse_envelope_get_payload     (CwDsseEnvelope  *self);
const char     *cw_dsse_envelope_get_payload_type (CwDsseEnvelope *self);
guint           cw_dsse_envelope_get_n_signatures (CwDsseEnvelope *self);
const char     *cw_dsse_envelope_get_key_id      (CwDsseEnvelope  *self,
                                                  guint            index);

/* Compact JSON, members sorted; NUL-terminated, length in @len if given. */
char           *cw_dsse_envelope_to_json         (CwDsseEnvelope  *self,
                                                  gsize           *len);

/* Parses @data, verifies it against @key and returns the payload bytes. */
GBytes         *cw_dsse_open                     (const char      *data,
                                                  gsize            len,
                                                  CwVerifierKey   *key,
                                                  GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwDsseEnvelope, cw_dsse_envelope_unref)

G_END_DECLS
