/* cw-backup.c: sealing and opening identity backups in the format of
 * docs/PROTOCOL.md §10: Argon2id (libsodium crypto_pwhash) and
 * XChaCha20-Poly1305 crypto_secretstream, with BLAKE2b checksums that tell
 * a damaged file from a wrong passphrase.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#include "cw-backup.h"
#include "cw-canonical-json.h"
#include "cw-encoding.h"

/* Byte layout of the header; see PROTOCOL.md §10. */
#define MAGIC_LEN 8
#define OFF_VERSION 8
#define OFF_KDF 9
#define OFF_CIPHER 10
#define OFF_OPS 11
#define OFF_MEM 19
#define OFF_SALT 27
#define SALT_LEN 16
#define OFF_STREAM 43
#define STREAM_LEN crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define OFF_LENGTH 67
#define OFF_HEADER_SUM 75
#define SUM_LEN 32
#define HEADER_LEN (OFF_HEADER_SUM + SUM_LEN)

#define KDF_ARGON2ID13 1
#define CIPHER_SECRETSTREAM 1
#define KEY_LEN crypto_secretstream_xchacha20poly1305_KEYBYTES
#define TAG_LEN crypto_secretstream_xchacha20poly1305_ABYTES
/* Plaintext per chunk when writing; readers accept up to MAX_CHUNK. */
#define CHUNK_LEN 4096
#define MAX_CHUNK 65536
#define MIN_FILE_LEN (HEADER_LEN + 4 + TAG_LEN + SUM_LEN)

/* Limits a reader accepts: enough room to raise them, not enough for a
 * crafted file to take the machine down. */
#define OPS_MIN crypto_pwhash_OPSLIMIT_MIN
#define OPS_MAX 64
#define MEM_MIN crypto_pwhash_MEMLIMIT_MIN
#define MEM_MAX (G_GUINT64_CONSTANT (4) * 1024 * 1024 * 1024)

struct _CwBackup
{
  GObject parent_instance;

  CwSigningKey *identity_key;
  char *patient_id;
  char *recovery_key;
  CwNodeProfile *node_profile;
  guint64 ops_limit;
  guint64 mem_limit;
};

enum {
  PROP_0,
  PROP_PATIENT_ID,
  PROP_RECOVERY_KEY,
  PROP_NODE_PROFILE,
  PROP_OPS_LIMIT,
  PROP_MEM_LIMIT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CwBackup, cw_backup, G_TYPE_OBJECT)

G_DEFINE_QUARK (cw-backup-error-quark, cw_backup_error)

/* Secure buffers: sodium_malloc'd, wiped and freed by sodium_free. */
typedef guint8 CwSecureBytes;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwSecureBytes, sodium_free)

typedef struct {
  char *passphrase;   /* sodium memory */
  gsize passphrase_len;
  GBytes *file;       /* opening only */
  guint64 ops_limit;  /* sealing only */
  guint64 mem_limit;
} Job;

static void
job_free (Job *job)
{
  g_clear_pointer (&job->passphrase, sodium_free);
  g_clear_pointer (&job->file, g_bytes_unref);
  g_free (job);
}

static Job *
job_new (const char  *passphrase,
         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  Job *job;
  gsize len = strlen (passphrase);

  if (len == 0)
    {
      g_set_error_literal (error, CW_BACKUP_ERROR, CW_BACKUP_ERROR_INVALID_ARGUMENT,
                           _("The passphrase is empty. Enter the passphrase of the backup."));
      return NULL;
    }

  job = g_new0 (Job, 1);
  if (sodium_init () < 0 || (job->passphrase = sodium_malloc (len + 1)) == NULL)
    {
      job_free (job);
      g_set_error_literal (error, CW_BACKUP_ERROR, CW_BACKUP_ERROR_NO_MEMORY,
                           _("Secure memory for the passphrase could not be allocated. "
                             "Close other programs and try again."));
      return NULL;
    }
  memcpy (job->passphrase, passphrase, len + 1);
  job->passphrase_len = len;

  return job;
}

static void
put_be32 (guint8  *p,
          guint32  v)
{
  v = GUINT32_TO_BE (v);
  memcpy (p, &v, 4);
}

static void
put_be64 (guint8  *p,
          guint64  v)
{
  v = GUINT64_TO_BE (v);
  memcpy (p, &v, 8);
}

static guint32
get_be32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return GUINT32_FROM_BE (v);
}

static guint64
get_be64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, 8);
  return GUINT64_FROM_BE (v);
}

static gboolean
limits_are_valid (guint64 ops,
                  guint64 mem)
{
  return ops >= OPS_MIN && ops <= OPS_MAX && mem >= MEM_MIN && mem <= MEM_MAX && mem <= G_MAXSIZE;
}

static gboolean
derive_key (const Job     *job,
            const guint8  *salt,
            guint64        ops,
            guint64        mem,
            guint8        *key,
            GError       **error)
{
  if (crypto_pwhash (key, KEY_LEN, job->passphrase, job->passphrase_len, salt,
                     ops, (size_t) mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error (error, CW_BACKUP_ERROR, CW_BACKUP_ERROR_NO_MEMORY,
                   _("The backup key could not be derived: it needs %" PRIu64 " MiB of memory. "
                     "Close other programs and try again."), mem / (1024 * 1024));
      return FALSE;
    }

  return TRUE;
}

static char *
contents_to_json (CwBackup *self,
                  gsize    *len)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "key_name");
  json_builder_add_string_value (builder, cw_signing_key_get_name (self->identity_key));
  json_builder_set_member_name (builder, "patient");
  json_builder_add_string_value (builder, self->patient_id);
  json_builder_set_member_name (builder, "recovery_key");
  json_builder_add_string_value (builder, self->recovery_key);
  json_builder_set_member_name (builder, "node");
  json_builder_add_value (builder, cw_node_profile_to_json (self->node_profile));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, len);
}

static void
seal_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CwBackup *self = source_object;
  Job *job = task_data;
  g_autoptr(CwSecureBytes) key = NULL;
  g_autoptr(CwSecureBytes) plain = NULL;
  g_autoptr(CwSecureBytes) state = NULL;
  g_autofree char *json = NULL;
  GError *error = NULL;
  gsize json_len = 0, plain_len, n_chunks, total, pos;
  guint8 *out;

  json = contents_to_json (self, &json_len);
  plain_len = CW_SEED_SIZE + json_len;
  n_chunks = (plain_len + CHUNK_LEN - 1) / CHUNK_LEN;
  total = HEADER_LEN + n_chunks * (4 + TAG_LEN) + plain_len + SUM_LEN;

  key = sodium_malloc (KEY_LEN);
  plain = sodium_malloc (plain_len);
  state = sodium_malloc (sizeof (crypto_secretstream_xchacha20poly1305_state));
  if (key == NULL || plain == NULL || state == NULL)
    {
      g_task_return_new_error (task, CW_BACKUP_ERROR, CW_BACKUP_ERROR_NO_MEMORY,
                               _("Secure memory for the backup could not be allocated. "
                                 "Close other programs and try again."));
      return;
    }
  memcpy (plain, cw_signing_key_peek_seed (self->identity_key), CW_SEED_SIZE);
  memcpy (plain + CW_SEED_SIZE, json, json_len);

  out = g_malloc0 (total);
  memcpy (out, CW_BACKUP_MAGIC, MAGIC_LEN);
  out[OFF_VERSION] = CW_BACKUP_VERSION;
  out[OFF_KDF] = KDF_ARGON2ID13;
  out[OFF_CIPHER] = CIPHER_SECRETSTREAM;
  put_be64 (out + OFF_OPS, job->ops_limit);
  put_be64 (out + OFF_MEM, job->mem_limit);
  randombytes_buf (out + OFF_SALT, SALT_LEN);

  if (!derive_key (job, out + OFF_SALT, job->ops_limit, job->mem_limit, key, &error))
    {
      g_free (out);
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      g_free (out);
      return;
    }

  crypto_secretstream_xchacha20poly1305_init_push ((gpointer) state, out + OFF_STREAM, key);
  put_be64 (out + OFF_LENGTH, total);
  crypto_generichash (out + OFF_HEADER_SUM, SUM_LEN, out, OFF_HEADER_SUM, NULL, 0);

  pos = HEADER_LEN;
  for (gsize i = 0, done = 0; i < n_chunks; i++)
    {
      gsize len = MIN (CHUNK_LEN, plain_len - done);
      gboolean last = i + 1 == n_chunks;

      put_be32 (out + pos, len + TAG_LEN);
      pos += 4;
      /* The first chunk authenticates the whole header as associated data. */
      crypto_secretstream_xchacha20poly1305_push ((gpointer) state, out + pos, NULL,
                                                  plain + done, len,
                                                  i == 0 ? out : NULL, i == 0 ? HEADER_LEN : 0,
                                                  last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                                       : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
      pos += len + TAG_LEN;
      done += len;
    }
  crypto_generichash (out + pos, SUM_LEN, out, pos, NULL, 0);
  g_assert (pos + SUM_LEN == total);

  g_task_return_pointer (task, g_bytes_new_take (out, total), (GDestroyNotify) g_bytes_unref);
}

void
cw_backup_seal_async (CwBackup            *self,
                      const char          *passphrase,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  Job *job;

  g_return_if_fail (CW_IS_BACKUP (self));
  g_return_if_fail (passphrase != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_backup_seal_async);

  if ((job = job_new (passphrase, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  job->ops_limit = self->ops_limit;
  job->mem_limit = self->mem_limit;
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, seal_thread);
}

GBytes *
cw_backup_seal_finish (CwBackup      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (CW_IS_BACKUP (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_backup_seal_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GError *
backup_error (CwBackupError code)
{
  switch (code)
    {
    case CW_BACKUP_ERROR_NOT_A_BACKUP:
      return g_error_new_literal (CW_BACKUP_ERROR, code,
                                  _("This file is not a Consent Wallet backup. Choose the backup file you saved."));
    case CW_BACKUP_ERROR_UNSUPPORTED_VERSION:
      return g_error_new_literal (CW_BACKUP_ERROR, code,
                                  _("This backup was made by a newer version of Consent Wallet. "
                                    "Update Consent Wallet and try again."));
    case CW_BACKUP_ERROR_TRUNCATED:
      return g_error_new_literal (CW_BACKUP_ERROR, code,
                                  _("The backup file is incomplete; it may not have been copied in full. "
                                    "Copy it again from where you keep it."));
    case CW_BACKUP_ERROR_TRAILING_DATA:
      return g_error_new_literal (CW_BACKUP_ERROR, code,
                                  _("The backup file has extra data after its end. "
                                    "Copy it again from where you keep it."));
    case CW_BACKUP_ERROR_DAMAGED:
      return g_error_new_literal (CW_BACKUP_ERROR, code,
                                  _("The backup file is damaged: its contents do not match its checksums. "
                                    "Use another copy of the backup."));
    case CW_BACKUP_ERROR_UNSUPPORTED_PARAMETERS:
      return g_error_new_literal (CW_BACKUP_ERROR, code,
                                  _("The backup file uses encryption settings this version does not accept. "
                                    "Update Consent Wallet, or use another copy of the backup."));
    case CW_BACKUP_ERROR_WRONG_PASSPHRASE:
      return g_error_new_literal (CW_BACKUP_ERROR, code,
                                  _("The passphrase does not open this backup. Check it and try again."));
    case CW_BACKUP_ERROR_INVALID_CONTENTS:
    default:
      return g_error_new_literal (CW_BACKUP_ERROR, CW_BACKUP_ERROR_INVALID_CONTENTS,
                                  _("The backup opened, but what it contains is not a valid "
                                    "identity. Use another copy of the backup."));
    }
}

static gboolean
fail (GError        **error,
      CwBackupError   code)
{
  g_propagate_error (error, backup_error (code));
  return FALSE;
}

/* Checks everything that needs no passphrase; on success *out_plain_len is
 * the total plaintext length. */
static gboolean
check_file (const guint8  *data,
            gsize          len,
            gsize         *out_plain_len,
            GError       **error)
{
  guint8 sum[SUM_LEN];
  guint64 total;
  gsize pos, plain_len = 0;

  if (len < MAGIC_LEN)
    {
      g_propagate_error (error, backup_error (memcmp (data, CW_BACKUP_MAGIC, len) == 0
                                              ? CW_BACKUP_ERROR_TRUNCATED
                                              : CW_BACKUP_ERROR_NOT_A_BACKUP));
      return FALSE;
    }
  if (memcmp (data, CW_BACKUP_MAGIC, MAGIC_LEN) != 0)
    return fail (error, CW_BACKUP_ERROR_NOT_A_BACKUP);
  if (len <= OFF_VERSION)
    return fail (error, CW_BACKUP_ERROR_TRUNCATED);
  if (data[OFF_VERSION] != CW_BACKUP_VERSION)
    return fail (error, CW_BACKUP_ERROR_UNSUPPORTED_VERSION);
  if (len < HEADER_LEN)
    return fail (error, CW_BACKUP_ERROR_TRUNCATED);

  crypto_generichash (sum, SUM_LEN, data, OFF_HEADER_SUM, NULL, 0);
  if (sodium_memcmp (sum, data + OFF_HEADER_SUM, SUM_LEN) != 0)
    return fail (error, CW_BACKUP_ERROR_DAMAGED);

  if (data[OFF_KDF] != KDF_ARGON2ID13 || data[OFF_CIPHER] != CIPHER_SECRETSTREAM ||
      !limits_are_valid (get_be64 (data + OFF_OPS), get_be64 (data + OFF_MEM)))
    return fail (error, CW_BACKUP_ERROR_UNSUPPORTED_PARAMETERS);

  total = get_be64 (data + OFF_LENGTH);
  if (total < MIN_FILE_LEN)
    return fail (error, CW_BACKUP_ERROR_DAMAGED);
  if (len < total)
    return fail (error, CW_BACKUP_ERROR_TRUNCATED);
  if (len > total)
    return fail (error, CW_BACKUP_ERROR_TRAILING_DATA);

  crypto_generichash (sum, SUM_LEN, data, len - SUM_LEN, NULL, 0);
  if (sodium_memcmp (sum, data + len - SUM_LEN, SUM_LEN) != 0)
    return fail (error, CW_BACKUP_ERROR_DAMAGED);

  /* Intact as written; the chunk framing must now add up exactly. */
  for (pos = HEADER_LEN; pos < len - SUM_LEN;)
    {
      guint32 clen;

      if (len - SUM_LEN - pos < 4)
        return fail (error, CW_BACKUP_ERROR_DAMAGED);
      clen = get_be32 (data + pos);
      pos += 4;
      if (clen < TAG_LEN || clen > MAX_CHUNK + TAG_LEN || clen > len - SUM_LEN - pos)
        return fail (error, CW_BACKUP_ERROR_DAMAGED);
      pos += clen;
      plain_len += clen - TAG_LEN;
    }
  if (pos != len - SUM_LEN || plain_len < CW_SEED_SIZE)
    return fail (error, CW_BACKUP_ERROR_DAMAGED);

  *out_plain_len = plain_len;
  return TRUE;
}

static gboolean
decrypt (const Job      *job,
         const guint8   *data,
         gsize           len,
         guint8         *plain,
         GError        **error)
{
  g_autoptr(CwSecureBytes) key = sodium_malloc (KEY_LEN);
  g_autoptr(CwSecureBytes) state = sodium_malloc (sizeof (crypto_secretstream_xchacha20poly1305_state));
  gsize pos = HEADER_LEN, done = 0;

  if (key == NULL || state == NULL)
    {
      g_set_error_literal (error, CW_BACKUP_ERROR, CW_BACKUP_ERROR_NO_MEMORY,
                           _("Secure memory for the backup could not be allocated. "
                             "Close other programs and try again."));
      return FALSE;
    }

  if (!derive_key (job, data + OFF_SALT, get_be64 (data + OFF_OPS), get_be64 (data + OFF_MEM),
                   key, error))
    return FALSE;
  if (crypto_secretstream_xchacha20poly1305_init_pull ((gpointer) state, data + OFF_STREAM, key) != 0)
    return fail (error, CW_BACKUP_ERROR_DAMAGED);

  while (pos < len - SUM_LEN)
    {
      guint32 clen = get_be32 (data + pos);
      gboolean first = pos == HEADER_LEN;
      unsigned long long plen = 0;
      unsigned char tag = 0;

      pos += 4;
      if (crypto_secretstream_xchacha20poly1305_pull ((gpointer) state, plain + done, &plen, &tag,
                                                      data + pos, clen,
                                                      first ? data : NULL, first ? HEADER_LEN : 0) != 0)
        {
          /* The checksums held, so a first chunk that fails to open means
           * the key is wrong; a later one means deliberate tampering. */
          g_propagate_error (error, backup_error (first ? CW_BACKUP_ERROR_WRONG_PASSPHRASE
                                                        : CW_BACKUP_ERROR_DAMAGED));
          return FALSE;
        }
      pos += clen;
      done += plen;

      if ((pos == len - SUM_LEN) != (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) ||
          (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL &&
           tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE))
        return fail (error, CW_BACKUP_ERROR_DAMAGED);
    }

  return TRUE;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gboolean
is_public_key (const char *text)
{
  guint8 key[CW_PUBLIC_KEY_SIZE];

  return text != NULL && cw_base64_decode_fixed (text, -1, key, sizeof key, NULL);
}

static CwBackup *
contents_from_plain (const guint8  *plain,
                     gsize          plain_len,
                     GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(CwSigningKey) key = NULL;
  g_autoptr(CwNodeProfile) config = NULL;
  const char *json = (const char *) plain + CW_SEED_SIZE;
  gsize json_len = plain_len - CW_SEED_SIZE;
  JsonObject *object;
  const char *patient, *recovery, *name;

  /* Strict JSON (UTF-8, no duplicate members, bounded depth) before
   * json-glib, which alone returns no root for blank text and accepts, and
   * leaks, bytes after a scalar such as "0{...}". */
  root = cw_canonical_json_parse_strict ((const guint8 *) json, json_len, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    goto invalid;

  object = json_node_get_object (root);
  name = member_string (object, "key_name");
  patient = member_string (object, "patient");
  recovery = member_string (object, "recovery_key");
  if (!cw_key_name_is_valid (name) || !is_public_key (patient) || !is_public_key (recovery))
    goto invalid;

  config = cw_node_profile_from_json (json_object_get_member (object, "node"), NULL);
  key = cw_signing_key_new_from_seed (name, CW_KEY_TYPE_ED25519, plain, NULL);
  if (config == NULL || key == NULL)
    goto invalid;

  return cw_backup_new (key, patient, recovery, config);

invalid:
  g_propagate_error (error, backup_error (CW_BACKUP_ERROR_INVALID_CONTENTS));
  return NULL;
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(CwSecureBytes) plain = NULL;
  GError *error = NULL;
  const guint8 *data;
  gsize len, plain_len = 0;
  CwBackup *backup;

  data = g_bytes_get_data (job->file, &len);
  if (data == NULL)
    data = (const guint8 *) "";

  if (!check_file (data, len, &plain_len, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  if ((plain = sodium_malloc (plain_len)) == NULL)
    {
      g_task_return_new_error (task, CW_BACKUP_ERROR, CW_BACKUP_ERROR_NO_MEMORY,
                               _("Secure memory for the backup could not be allocated. "
                                 "Close other programs and try again."));
      return;
    }
  if (!decrypt (job, data, len, plain, &error) ||
      (backup = contents_from_plain (plain, plain_len, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, backup, g_object_unref);
}

void
cw_backup_open_async (GBytes              *file,
                      const char          *passphrase,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  Job *job;

  g_return_if_fail (file != NULL);
  g_return_if_fail (passphrase != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_backup_open_async);

  if ((job = job_new (passphrase, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  job->file = g_bytes_ref (file);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, open_thread);
}

CwBackup *
cw_backup_open_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_backup_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

CwBackup *
cw_backup_new (CwSigningKey       *identity_key,
               const char         *patient_id,
               const char         *recovery_key,
               const CwNodeProfile *node_profile)
{
  CwBackup *self;

  g_return_val_if_fail (identity_key != NULL, NULL);
  g_return_val_if_fail (is_public_key (patient_id), NULL);
  g_return_val_if_fail (is_public_key (recovery_key), NULL);
  g_return_val_if_fail (node_profile != NULL, NULL);

  self = g_object_new (CW_TYPE_BACKUP,
                       "patient-id", patient_id,
                       "recovery-key", recovery_key,
                       "node-profile", node_profile,
                       NULL);
  self->identity_key = cw_signing_key_ref (identity_key);

  return self;
}

CwSigningKey *
cw_backup_get_identity_key (CwBackup *self)
{
  g_return_val_if_fail (CW_IS_BACKUP (self), NULL);

  return self->identity_key;
}

const char *
cw_backup_get_patient_id (CwBackup *self)
{
  g_return_val_if_fail (CW_IS_BACKUP (self), NULL);

  return self->patient_id;
}

const char *
cw_backup_get_recovery_key (CwBackup *self)
{
  g_return_val_if_fail (CW_IS_BACKUP (self), NULL);

  return self->recovery_key;
}

const CwNodeProfile *
cw_backup_get_node_profile (CwBackup *self)
{
  g_return_val_if_fail (CW_IS_BACKUP (self), NULL);

  return self->node_profile;
}

guint64
cw_backup_get_ops_limit (CwBackup *self)
{
  g_return_val_if_fail (CW_IS_BACKUP (self), 0);

  return self->ops_limit;
}

void
cw_backup_set_ops_limit (CwBackup *self,
                         guint64   ops_limit)
{
  g_return_if_fail (CW_IS_BACKUP (self));
  g_return_if_fail (ops_limit >= OPS_MIN && ops_limit <= OPS_MAX);

  if (self->ops_limit == ops_limit)
    return;

  self->ops_limit = ops_limit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPS_LIMIT]);
}

guint64
cw_backup_get_mem_limit (CwBackup *self)
{
  g_return_val_if_fail (CW_IS_BACKUP (self), 0);

  return self->mem_limit;
}

void
cw_backup_set_mem_limit (CwBackup *self,
                         guint64   mem_limit)
{
  g_return_if_fail (CW_IS_BACKUP (self));
  g_return_if_fail (mem_limit >= MEM_MIN && mem_limit <= MEM_MAX);

  if (self->mem_limit == mem_limit)
    return;

  self->mem_limit = mem_limit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEM_LIMIT]);
}

static void
cw_backup_finalize (GObject *object)
{
  CwBackup *self = CW_BACKUP (object);

  g_clear_pointer (&self->identity_key, cw_signing_key_unref);
  g_clear_pointer (&self->patient_id, g_free);
  g_clear_pointer (&self->recovery_key, g_free);
  g_clear_pointer (&self->node_profile, cw_node_profile_free);

  G_OBJECT_CLASS (cw_backup_parent_class)->finalize (object);
}

static void
cw_backup_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CwBackup *self = CW_BACKUP (object);

  switch (prop_id)
    {
    case PROP_PATIENT_ID:
      g_value_set_string (value, self->patient_id);
      break;
    case PROP_RECOVERY_KEY:
      g_value_set_string (value, self->recovery_key);
      break;
    case PROP_NODE_PROFILE:
      g_value_set_boxed (value, self->node_profile);
      break;
    case PROP_OPS_LIMIT:
      g_value_set_uint64 (value, self->ops_limit);
      break;
    case PROP_MEM_LIMIT:
      g_value_set_uint64 (value, self->mem_limit);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_backup_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CwBackup *self = CW_BACKUP (object);

  switch (prop_id)
    {
    case PROP_PATIENT_ID:
      self->patient_id = g_value_dup_string (value);
      break;
    case PROP_RECOVERY_KEY:
      self->recovery_key = g_value_dup_string (value);
      break;
    case PROP_NODE_PROFILE:
      self->node_profile = g_value_dup_boxed (value);
      break;
    case PROP_OPS_LIMIT:
      cw_backup_set_ops_limit (self, g_value_get_uint64 (value));
      break;
    case PROP_MEM_LIMIT:
      cw_backup_set_mem_limit (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_backup_class_init (CwBackupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cw_backup_finalize;
  object_class->get_property = cw_backup_get_property;
  object_class->set_property = cw_backup_set_property;

  properties[PROP_PATIENT_ID] =
    g_param_spec_string ("patient-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RECOVERY_KEY] =
    g_param_spec_string ("recovery-key", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NODE_PROFILE] =
    g_param_spec_boxed ("node-profile", NULL, NULL, CW_TYPE_NODE_PROFILE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_OPS_LIMIT] =
    g_param_spec_uint64 ("ops-limit", NULL, NULL,
                         OPS_MIN, OPS_MAX, crypto_pwhash_OPSLIMIT_MODERATE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MEM_LIMIT] =
    g_param_spec_uint64 ("mem-limit", NULL, NULL,
                         MEM_MIN, MEM_MAX, crypto_pwhash_MEMLIMIT_MODERATE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_backup_init (CwBackup *self)
{
  self->ops_limit = crypto_pwhash_OPSLIMIT_MODERATE;
  self->mem_limit = crypto_pwhash_MEMLIMIT_MODERATE;
}
