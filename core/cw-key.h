/* cw-key.h: Ed25519 signing and verifier keys, key IDs and their text forms.
 *
 * Key IDs and key strings follow c2sp.org/signed-note: the key ID is the
 * first four bytes of SHA-256(name || 0x0A || type || public key), where type
 * is 0x01 for Ed25519 note signatures and 0x04 for tlog-cosignature/v1.
 * Verifier keys are written as Go's golang.org/x/mod/sumdb/note writes them:
 *   <name>+<8 hex key ID>+<base64(type || 32-byte public key)>
 * and signer keys as
 *   PRIVATE+KEY+<name>+<8 hex key ID>+<base64(type || 32-byte seed)>
 * Secret material lives only in sodium_malloc()'d memory, wiped on free.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CW_KEY_ERROR (cw_key_error_quark ())

typedef enum {
  CW_KEY_ERROR_INVALID,       /* malformed key string or bytes */
  CW_KEY_ERROR_MISMATCH,      /* key ID does not match the key */
  CW_KEY_ERROR_UNSUPPORTED,   /* unknown algorithm type byte */
  CW_KEY_ERROR_NO_MEMORY,     /* secure memory could not be allocated */
} CwKeyError;

#define CW_PUBLIC_KEY_SIZE 32
#define CW_SEED_SIZE 32
#define CW_SIGNATURE_SIZE 64

typedef enum {
  CW_KEY_TYPE_ED25519 = 0x01,
  CW_KEY_TYPE_COSIGNATURE_V1 = 0x04,
} CwKeyType;

GQuark cw_key_error_quark (void);

/* A key name per signed-note: non-empty, valid UTF-8, no Unicode spaces,
 * no '+'. */
gboolean cw_key_name_is_valid (const char *name);

guint32  cw_key_id_compute    (const char    *name,
                               CwKeyType      type,
                               const guint8   public_key[CW_PUBLIC_KEY_SIZE]);

/* A human-comparable fingerprint of a public key: the first 15 bytes of its
 * SHA-256 in RFC 4648 base32, six groups of four ("ABCD-EFGH-...-UVWX"). */
char    *cw_key_fingerprint   (const guint8   public_key[CW_PUBLIC_KEY_SIZE]);

typedef struct _CwVerifierKey CwVerifierKey;

CwVerifierKey *cw_verifier_key_new             (const char      *name,
                                                CwKeyType        type,
                                                const guint8     public_key[CW_PUBLIC_KEY_SIZE],
                                                GError         **error);
CwVerifierKey *cw_verifier_key_new_from_string (const char      *text,
                                                GError         **error);
CwVerifierKey *cw_verifier_key_ref             (CwVerifierKey   *self);
void           cw_verifier_key_unref           (CwVerifierKey   *self);
const char    *cw_verifier_key_get_name        (CwVerifierKey   *self);
CwKeyType      cw_verifier_key_get_key_type    (CwVerifierKey   *self);
guint32        cw_verifier_key_get_key_id      (CwVerifierKey   *self);
const guint8  *cw_verifier_key_get_public_key  (CwVerifierKey   *self);
char          *cw_verifier_key_to_string       (CwVerifierKey   *self);
/* Plain Ed25519 verification of @sig over @msg with this key. */
gboolean       cw_verifier_key_verify          (CwVerifierKey   *self,
                                                const guint8    *msg,
                                                gsize            msg_len,
                                                const guint8     sig[CW_SIGNATURE_SIZE]);

typedef struct _CwSigningKey CwSigningKey;

CwSigningKey  *cw_signing_key_generate         (const char      *name,
                                                CwKeyType        type,
                                                GError         **error);
CwSigningKey  *cw_signing_key_new_from_seed    (const char      *name,
                                                CwKeyType        type,
                                                const guint8     seed[CW_SEED_SIZE],
                                                GError         **error);
CwSigningKey  *cw_signing_key_new_from_string  (const char      *text,
                                                GError         **error);
CwSigningKey  *cw_signing_key_ref              (CwSigningKey    *self);
void           cw_signing_key_unref            (CwSigningKey    *self);
const char    *cw_signing_key_get_name         (CwSigningKey    *self);
CwKeyType      cw_signing_key_get_key_type     (CwSigningKey    *self);
guint32        cw_signing_key_get_key_id       (CwSigningKey    *self);
const guint8  *cw_signing_key_get_public_key   (CwSigningKey    *self);
/* The 32-byte seed, for storing in the keyring; do not copy it elsewhere. */
const guint8  *cw_signing_key_peek_seed        (CwSigningKey    *self);
/* The verifier half, sharing name and type; owned by @self (transfer none). */
CwVerifierKey *cw_signing_key_get_verifier     (CwSigningKey    *self);
/* Go's "PRIVATE+KEY+..." form; returned in sodium memory, free with
 * cw_secure_string_free(). */
char          *cw_signing_key_to_string        (CwSigningKey    *self);
void           cw_signing_key_sign             (CwSigningKey    *self,
                                                const guint8    *msg,
                                                gsize            msg_len,
                                                guint8           sig_out[CW_SIGNATURE_SIZE]);

void           cw_secure_string_free           (char            *str);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwVerifierKey, cw_verifier_key_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwSigningKey, cw_signing_key_unref)

G_END_DECLS
