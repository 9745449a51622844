/* cw-backup.h: the passphrase-encrypted backup of a wallet identity, in the
 * file format of docs/PROTOCOL.md §10 (Argon2id from crypto_pwhash, then
 * XChaCha20-Poly1305 crypto_secretstream, both libsodium).
 *
 * A CwBackup holds what a new device needs to take over the identity: the
 * identity key (its seed, in sodium memory), the patient ID, the recovery
 * public key and the node configuration. Sealing and opening run the key
 * derivation in a worker thread; opening returns a complete CwBackup or an
 * error, never anything partial.
 */
#pragma once

#include <gio/gio.h>

#include "cw-key.h"
#include "cw-node-profile.h"

G_BEGIN_DECLS

#define CW_BACKUP_ERROR (cw_backup_error_quark ())

typedef enum {
  CW_BACKUP_ERROR_NOT_A_BACKUP,            /* the magic is not "CWBACKUP" */
  CW_BACKUP_ERROR_UNSUPPORTED_VERSION,     /* a format version we do not know */
  CW_BACKUP_ERROR_TRUNCATED,               /* shorter than its header says */
  CW_BACKUP_ERROR_TRAILING_DATA,           /* longer than its header says */
  CW_BACKUP_ERROR_DAMAGED,                 /* a checksum or authentication tag fails */
  CW_BACKUP_ERROR_UNSUPPORTED_PARAMETERS,  /* algorithm or limits out of range */
  CW_BACKUP_ERROR_WRONG_PASSPHRASE,        /* the file is intact but does not open */
  CW_BACKUP_ERROR_INVALID_CONTENTS,        /* it opens, but what is inside is unusable */
  CW_BACKUP_ERROR_INVALID_ARGUMENT,        /* e.g. an empty passphrase */
  CW_BACKUP_ERROR_NO_MEMORY,               /* the key derivation could not get its memory */
} CwBackupError;

#define CW_BACKUP_MAGIC "CWBACKUP"
#define CW_BACKUP_VERSION 1

GQuark          cw_backup_error_quark     (void);

#define CW_TYPE_BACKUP (cw_backup_get_type ())

G_DECLARE_FINAL_TYPE (CwBackup, cw_backup, CW, BACKUP, GObject)

/* @patient_id and @recovery_key: standard base64 of 32-byte public keys. */
CwBackup           *cw_backup_new                 (CwSigningKey        *identity_key,
                                                   const char          *patient_id,
                                                   const char          *recovery_key,
                                                   const CwNodeProfile  *node_profile);
CwSigningKey       *cw_backup_get_identity_key    (CwBackup            *self);
const char         *cw_backup_get_patient_id      (CwBackup            *self);
const char         *cw_backup_get_recovery_key    (CwBackup            *self);
const CwNodeProfile *cw_backup_get_node_profile     (CwBackup            *self);

/* Argon2id limits used by the next seal; crypto_pwhash_OPSLIMIT_MODERATE and
 * crypto_pwhash_MEMLIMIT_MODERATE unless changed (tests lower them). */
guint64             cw_backup_get_ops_limit       (CwBackup            *self);
void                cw_backup_set_ops_limit       (CwBackup            *self,
                                                   guint64              ops_limit);
guint64             cw_backup_get_mem_limit       (CwBackup            *self);
void                cw_backup_set_mem_limit       (CwBackup            *self,
                                                   guint64              mem_limit);

/* The backup file's bytes. */
void                cw_backup_seal_async          (CwBackup            *self,
                                                   const char          *passphrase,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GBytes             *cw_backup_seal_finish         (CwBackup            *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

void                cw_backup_open_async          (GBytes              *file,
                                                   const char          *passphrase,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
CwBackup           *cw_backup_open_finish         (GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
