/* cw-cosignature.h: tlog-cosignature/v1 witness cosignatures (Ed25519, type 0x04).
 *
 * Spec: https://c2sp.org/tlog-cosignature. A cosignature is a signed-note
 * signature line whose key ID uses type byte 0x04 and whose signature is
 *   8-byte big-endian POSIX time || Ed25519 signature
 * over "cosignature/v1\ntime <t>\n" followed by the whole checkpoint note text
 * (the body, without any signature lines).
 */
#pragma once

#include <glib.h>

#include "cw-key.h"
#include "cw-note.h"

G_BEGIN_DECLS

#define CW_COSIGNATURE_ERROR (cw_cosignature_error_quark ())

typedef enum {
  CW_COSIGNATURE_ERROR_WRONG_KEY_TYPE,  /* key is not a cosignature/v1 key */
  CW_COSIGNATURE_ERROR_INVALID_TIME,    /* timestamp above 2^63 - 1 */
  CW_COSIGNATURE_ERROR_INVALID_BODY,    /* body is not usable note text */
  CW_COSIGNATURE_ERROR_MALFORMED,       /* signature blob of the wrong size */
  CW_COSIGNATURE_ERROR_INVALID,         /* signature does not verify */
} CwCosignatureError;

/* Timestamp and Ed25519 signature, without the 4-byte key ID. */
#define CW_COSIGNATURE_SIZE (8 + CW_SIGNATURE_SIZE)
/* The spec caps timestamps at 2^63 - 1. */
#define CW_COSIGNATURE_MAX_TIME ((guint64) G_MAXINT64)

GQuark   cw_cosignature_error_quark     (void);

/* The bytes that are signed: "cosignature/v1\ntime <t>\n" || body. */
GBytes  *cw_cosignature_signed_message  (guint64          timestamp,
                                         const char      *body,
                                         gsize            body_len);

/* Cosigns the checkpoint note text @body at @timestamp with a type 0x04 key;
 * writes timestamp || signature to @sig_out. */
gboolean cw_cosignature_sign            (CwSigningKey    *key,
                                         const char      *body,
                                         gsize            body_len,
                                         guint64          timestamp,
                                         guint8           sig_out[CW_COSIGNATURE_SIZE],
                                         GError         **error);
/* The same, as a complete note signature line to append to a signed
 * checkpoint: "— <name> <base64(key ID || timestamp || signature)>\n". */
char    *cw_cosignature_sign_line       (CwSigningKey    *key,
                                         const char      *body,
                                         gsize            body_len,
                                         guint64          timestamp,
                                         GError         **error);

/* Verifies timestamp || signature (@sig, without key ID) by @key over @body;
 * on success stores the timestamp in @out_timestamp if not %NULL. */
gboolean cw_cosignature_verify          (CwVerifierKey   *key,
                                         const char      *body,
                                         gsize            body_len,
                                         const guint8    *sig,
                                         gsize            sig_len,
                                         guint64         *out_timestamp,
                                         GError         **error);

/* Adds a type 0x04 key to @verifiers so that cw_note_open() checks its
 * signature lines as cosignatures. */
gboolean cw_cosignature_add_verifier    (CwNoteVerifiers *verifiers,
                                         CwVerifierKey   *key,
                                         GError         **error);

/* The timestamp of a cosignature found in an opened note. */
gboolean cw_cosignature_get_timestamp   (CwNoteSignature *sig,
                                         guint64         *out_timestamp,
                                         GError         **error);

G_END_DECLS
