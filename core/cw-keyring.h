/* cw-keyring.h: the patient's identity secret in the OS keyring, through
 * libsecret and the freedesktop.org Secret Service API
 * (specifications.freedesktop.org/secret-service).
 *
 * Exactly one thing is stored per identity key: its 32-byte Ed25519 seed, as
 * standard base64 (RFC 4648 §4), in an item of the schema
 * CW_KEYRING_SCHEMA_NAME with the attributes "patient" (the patient ID) and
 * "fingerprint" (cw_key_fingerprint() of the public key). Storing a key for
 * the same patient and fingerprint replaces the item; a rotated key gets an
 * item of its own until the old one is cleared.
 *
 * Errors come in the CW_KEYRING_ERROR domain, except cancellation through the
 * GCancellable, which is G_IO_ERROR_CANCELLED as everywhere in GIO.
 */
#pragma once

#include <gio/gio.h>

#include "cw-key.h"

G_BEGIN_DECLS

#define CW_KEYRING_SCHEMA_NAME "io.github.consentwallet.ConsentWallet.Identity"

#define CW_KEYRING_ERROR (cw_keyring_error_quark ())

typedef enum {
  CW_KEYRING_ERROR_NO_SERVICE,  /* no Secret Service (or no session bus) */
  CW_KEYRING_ERROR_LOCKED,      /* locked, and unlocking was refused or dismissed */
  CW_KEYRING_ERROR_NOT_FOUND,   /* no identity key for this patient and key */
  CW_KEYRING_ERROR_INVALID,     /* the stored secret is not a valid seed for the key */
  CW_KEYRING_ERROR_FAILED,      /* any other keyring failure */
} CwKeyringError;

GQuark        cw_keyring_error_quark  (void);

#define CW_TYPE_KEYRING (cw_keyring_get_type ())

G_DECLARE_FINAL_TYPE (CwKeyring, cw_keyring, CW, KEYRING, GObject)

/* @collection: a collection alias or D-Bus path, or %NULL for the default
 * collection (SECRET_COLLECTION_DEFAULT). */
CwKeyring    *cw_keyring_new          (const char           *collection);
const char   *cw_keyring_get_collection (CwKeyring        *self);

/* Stores the seed of @key for @patient_id (standard base64 patient ID). */
void          cw_keyring_store_async  (CwKeyring            *self,
                                       const char           *patient_id,
                                       CwSigningKey         *key,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
gboolean      cw_keyring_store_finish (CwKeyring            *self,
                                       GAsyncResult         *result,
                                       GError              **error);

/* Looks up the identity key of @patient_id. With @public_key, only the item
 * of that key matches and the seed found must derive exactly that key; with
 * %NULL, any item of the patient matches. The key returned is named
 * @key_name (a valid signed-note key name) and of type Ed25519. */
void          cw_keyring_lookup_async (CwKeyring            *self,
                                       const char           *patient_id,
                                       const guint8         *public_key,
                                       const char           *key_name,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
CwSigningKey *cw_keyring_lookup_finish (CwKeyring           *self,
                                        GAsyncResult        *result,
                                        GError             **error);

/* Removes the item of @public_key (or, with %NULL, every item) of
 * @patient_id. Fails with CW_KEYRING_ERROR_NOT_FOUND if there was none. */
void          cw_keyring_clear_async  (CwKeyring            *self,
                                       const char           *patient_id,
                                       const guint8         *public_key,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
gboolean      cw_keyring_clear_finish (CwKeyring            *self,
                                       GAsyncResult         *result,
                                       GError              **error);

/* Removes every item of @patient_id except the one of @keep_public_key
 * (after a recovery rotate the node takes no other key of the patient).
 * Returns how many were removed, or -1 with @error. */
void          cw_keyring_clear_others_async  (CwKeyring           *self,
                                              const char          *patient_id,
                                              const guint8        *keep_public_key,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gssize        cw_keyring_clear_others_finish (CwKeyring           *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
