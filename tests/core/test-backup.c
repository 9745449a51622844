/* test-backup.c: identity backups (PROTOCOL.md §10): round trips, and every
 * way a file can be wrong giving its own error and nothing partial. */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "cw-backup.h"
#include "cw-encoding.h"

#define PASSPHRASE "correct horse battery staple"

typedef struct {
  GAsyncResult *result;
} Waiter;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Waiter *waiter)
{
  while (waiter->result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return waiter->result;
}

static GBytes *
seal (CwBackup    *backup,
      const char  *passphrase,
      GError     **error)
{
  Waiter waiter = { NULL };
  g_autoptr(GAsyncResult) result = NULL;

  cw_backup_seal_async (backup, passphrase, NULL, done_cb, &waiter);
  result = wait_for (&waiter);
  return cw_backup_seal_finish (backup, result, error);
}

static CwBackup *
open_file (GBytes        *file,
           const char    *passphrase,
           GCancellable  *cancellable,
           GError       **error)
{
  Waiter waiter = { NULL };
  g_autoptr(GAsyncResult) result = NULL;

  cw_backup_open_async (file, passphrase, cancellable, done_cb, &waiter);
  result = wait_for (&waiter);
  return cw_backup_open_finish (result, error);
}

static char *
random_public_key (void)
{
  guint8 key[CW_PUBLIC_KEY_SIZE];

  randombytes_buf (key, sizeof key);
  return cw_base64_encode (key, sizeof key);
}

static char *
verifier_string (const char *name,
                 CwKeyType   type)
{
  g_autoptr(CwSigningKey) key = cw_signing_key_generate (name, type, NULL);

  return cw_verifier_key_to_string (cw_signing_key_get_verifier (key));
}

/* A backup with cheap key derivation, and @n_witnesses witness keys (many
 * make the plaintext span several chunks). */
static CwBackup *
make_backup (guint n_witnesses)
{
  g_autoptr(CwSigningKey) key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, NULL);
  g_autoptr(GPtrArray) witnesses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CwNodeProfile) config = NULL;
  g_autofree char *patient = random_public_key ();
  g_autofree char *recovery = random_public_key ();
  g_autofree char *log_key = verifier_string ("consent.example.org/log", CW_KEY_TYPE_ED25519);
  CwBackup *backup;

  for (guint i = 0; i < n_witnesses; i++)
    {
      g_autofree char *name = g_strdup_printf ("witness-%u.example.org", i);

      g_ptr_array_add (witnesses, verifier_string (name, CW_KEY_TYPE_COSIGNATURE_V1));
    }
  g_ptr_array_add (witnesses, NULL);

  config = cw_node_profile_new ("https://node.example.org", "sha256/AAAA", log_key,
                               (const char * const *) witnesses->pdata, MIN (n_witnesses, 2), NULL);
  g_assert_nonnull (config);
  backup = cw_backup_new (key, patient, recovery, config);
  cw_backup_set_ops_limit (backup, crypto_pwhash_OPSLIMIT_MIN);
  cw_backup_set_mem_limit (backup, crypto_pwhash_MEMLIMIT_MIN);

  return backup;
}

static void
assert_same (CwBackup *a,
             CwBackup *b)
{
  CwSigningKey *ka = cw_backup_get_identity_key (a);
  CwSigningKey *kb = cw_backup_get_identity_key (b);

  g_assert_cmpmem (cw_signing_key_peek_seed (ka), CW_SEED_SIZE, cw_signing_key_peek_seed (kb), CW_SEED_SIZE);
  g_assert_cmpmem (cw_signing_key_get_public_key (ka), CW_PUBLIC_KEY_SIZE,
                   cw_signing_key_get_public_key (kb), CW_PUBLIC_KEY_SIZE);
  g_assert_cmpstr (cw_signing_key_get_name (ka), ==, cw_signing_key_get_name (kb));
  g_assert_cmpstr (cw_backup_get_patient_id (a), ==, cw_backup_get_patient_id (b));
  g_assert_cmpstr (cw_backup_get_recovery_key (a), ==, cw_backup_get_recovery_key (b));
  g_assert_true (cw_node_profile_equal (cw_backup_get_node_profile (a), cw_backup_get_node_profile (b)));
}

static void
assert_open_fails (GBytes        *file,
                   const char    *passphrase,
                   CwBackupError  code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwBackup) opened = open_file (file, passphrase, NULL, &error);

  g_assert_error (error, CW_BACKUP_ERROR, (gint) code);
  g_assert_null (opened);
  g_assert_nonnull (error->message);
}

static gboolean
contains (GBytes       *haystack,
          const void   *needle,
          gsize         len)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (haystack, &size);

  for (gsize i = 0; i + len <= size; i++)
    if (memcmp (data + i, needle, len) == 0)
      return TRUE;

  return FALSE;
}

static void
test_round_trip_moderate (void)
{
  g_autoptr(CwBackup) backup = make_backup (3);
  g_autoptr(CwBackup) opened = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize len;

  /* The defaults a user gets. */
  cw_backup_set_ops_limit (backup, crypto_pwhash_OPSLIMIT_MODERATE);
  cw_backup_set_mem_limit (backup, crypto_pwhash_MEMLIMIT_MODERATE);
  file = seal (backup, PASSPHRASE, &error);
  g_assert_no_error (error);

  data = g_bytes_get_data (file, &len);
  g_assert_cmpmem (data, 8, "CWBACKUP", 8);
  g_assert_cmpint (data[8], ==, 1);

  opened = open_file (file, PASSPHRASE, NULL, &error);
  g_assert_no_error (error);
  assert_same (backup, opened);
}

static void
test_round_trip_chunks (void)
{
  const guint counts[] = { 0, 1, 120 };

  for (gsize i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_autoptr(CwBackup) backup = make_backup (counts[i]);
      g_autoptr(CwBackup) opened = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) file = seal (backup, PASSPHRASE, &error);
      g_autoptr(GBytes) again = NULL;

      g_assert_no_error (error);
      if (counts[i] == 120)
        g_assert_cmpuint (g_bytes_get_size (file), >, 2 * 4096);
      opened = open_file (file, PASSPHRASE, NULL, &error);
      g_assert_no_error (error);
      assert_same (backup, opened);

      /* A fresh salt and stream header every time. */
      again = seal (backup, PASSPHRASE, &error);
      g_assert_no_error (error);
      g_assert_false (g_bytes_equal (file, again));
    }
}

static void
test_secrets_not_in_file (void)
{
  g_autoptr(CwBackup) backup = make_backup (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) file = seal (backup, PASSPHRASE, &error);
  const guint8 *seed = cw_signing_key_peek_seed (cw_backup_get_identity_key (backup));
  g_autofree char *seed_hex = cw_hex_encode (seed, CW_SEED_SIZE);
  g_autofree char *seed_b64 = cw_base64_encode (seed, CW_SEED_SIZE);

  g_assert_no_error (error);
  g_assert_false (contains (file, PASSPHRASE, strlen (PASSPHRASE)));
  g_assert_false (contains (file, seed, CW_SEED_SIZE));
  g_assert_false (contains (file, seed_hex, strlen (seed_hex)));
  g_assert_false (contains (file, seed_b64, strlen (seed_b64) - 1));
  /* Nor anything else in the clear: the patient ID is inside too. */
  g_assert_false (contains (file, cw_backup_get_patient_id (backup), 43));
}

static void
test_wrong_passphrase (void)
{
  g_autoptr(CwBackup) backup = make_backup (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) file = seal (backup, PASSPHRASE, &error);

  g_assert_no_error (error);
  assert_open_fails (file, "correct horse battery stapler", CW_BACKUP_ERROR_WRONG_PASSPHRASE);
  assert_open_fails (file, "x", CW_BACKUP_ERROR_WRONG_PASSPHRASE);
  assert_open_fails (file, "", CW_BACKUP_ERROR_INVALID_ARGUMENT);
}

static void
test_empty_passphrase (void)
{
  g_autoptr(CwBackup) backup = make_backup (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) file = seal (backup, "", &error);

  g_assert_error (error, CW_BACKUP_ERROR, CW_BACKUP_ERROR_INVALID_ARGUMENT);
  g_assert_null (file);
}

static void
test_truncated (void)
{
  g_autoptr(CwBackup) backup = make_backup (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) file = seal (backup, PASSPHRASE, &error);
  gsize len = g_bytes_get_size (file);

  g_assert_no_error (error);
  for (gsize n = 0; n < len; n++)
    {
      g_autoptr(GBytes) prefix = g_bytes_new_from_bytes (file, 0, n);

      assert_open_fails (prefix, PASSPHRASE, CW_BACKUP_ERROR_TRUNCATED);
    }
}

static void
test_trailing_data (void)
{
  g_autoptr(CwBackup) backup = make_backup (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) file = seal (backup, PASSPHRASE, &error);
  const gsize extra[] = { 1, 32, 1000 };

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (extra); i++)
    {
      g_autoptr(GByteArray) longer = g_byte_array_new ();
      g_autoptr(GBytes) bytes = NULL;

      g_byte_array_append (longer, g_bytes_get_data (file, NULL), g_bytes_get_size (file));
      for (gsize j = 0; j < extra[i]; j++)
        g_byte_array_append (longer, (const guint8 *) "\0", 1);
      bytes = g_byte_array_free_to_bytes (g_steal_pointer (&longer));
      assert_open_fails (bytes, PASSPHRASE, CW_BACKUP_ERROR_TRAILING_DATA);
    }
}

static GBytes *
modified (GBytes *file,
          gsize   offset,
          guint8  xor_mask)
{
  gsize len = g_bytes_get_size (file);
  guint8 *copy = g_memdup2 (g_bytes_get_data (file, NULL), len);

  copy[offset] ^= xor_mask;
  return g_bytes_new_take (copy, len);
}

static void
test_magic_and_version (void)
{
  g_autoptr(CwBackup) backup = make_backup (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) file = seal (backup, PASSPHRASE, &error);
  g_autoptr(GBytes) magic = modified (file, 7, 'P' ^ 'Q');
  g_autoptr(GBytes) version = modified (file, 8, 1 ^ 2);
  g_autoptr(GBytes) other = g_bytes_new_static ("{\"not\": \"a backup\"}", 19);

  g_assert_no_error (error);
  assert_open_fails (magic, PASSPHRASE, CW_BACKUP_ERROR_NOT_A_BACKUP);
  assert_open_fails (other, PASSPHRASE, CW_BACKUP_ERROR_NOT_A_BACKUP);
  assert_open_fails (version, PASSPHRASE, CW_BACKUP_ERROR_UNSUPPORTED_VERSION);
}

static void
test_every_bit_flip (void)
{
  g_autoptr(CwBackup) backup = make_backup (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) file = seal (backup, PASSPHRASE, &error);
  gsize len = g_bytes_get_size (file);

  g_assert_no_error (error);
  g_assert_cmpuint (len, <, 1024);
  for (gsize i = 0; i < len; i++)
    for (guint bit = 0; bit < 8; bit++)
      {
        g_autoptr(GBytes) flipped = modified (file, i, 1 << bit);
        CwBackupError expected = i < 8 ? CW_BACKUP_ERROR_NOT_A_BACKUP
                               : i == 8 ? CW_BACKUP_ERROR_UNSUPPORTED_VERSION
                               : CW_BACKUP_ERROR_DAMAGED;

        assert_open_fails (flipped, PASSPHRASE, expected);
      }
}

/* Rewrites the header checksum (bytes 75..106) and the file checksum, as a
 * forger would: the authenticated encryption must still catch it. */
static GBytes *
forged (GBytes *file,
        gsize   offset,
        guint8  xor_mask)
{
  gsize len = g_bytes_get_size (file);
  guint8 *copy = g_memdup2 (g_bytes_get_data (file, NULL), len);

  copy[offset] ^= xor_mask;
  crypto_generichash (copy + 75, 32, copy, 75, NULL, 0);
  crypto_generichash (copy + len - 32, 32, copy, len - 32, NULL, 0);
  return g_bytes_new_take (copy, len);
}

static void
test_forged (void)
{
  g_autoptr(CwBackup) backup = make_backup (120);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) file = seal (backup, PASSPHRASE, &error);
  gsize len = g_bytes_get_size (file);
  g_autoptr(GBytes) last_chunk = NULL;
  g_autoptr(GBytes) first_chunk = NULL;
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GBytes) ops = NULL;

  g_assert_no_error (error);
  /* Inside the last chunk's ciphertext. */
  last_chunk = forged (file, len - 40, 0x01);
  assert_open_fails (last_chunk, PASSPHRASE, CW_BACKUP_ERROR_DAMAGED);
  /* The first chunk cannot be told from a wrong key. */
  first_chunk = forged (file, 107 + 4 + 10, 0x01);
  assert_open_fails (first_chunk, PASSPHRASE, CW_BACKUP_ERROR_WRONG_PASSPHRASE);
  /* The header is associated data of the first chunk. */
  salt = forged (file, 27, 0x80);
  assert_open_fails (salt, PASSPHRASE, CW_BACKUP_ERROR_WRONG_PASSPHRASE);
  /* Limits beyond what a reader accepts (ops limit byte 11..18, big-endian). */
  ops = forged (file, 17, 0x40);
  assert_open_fails (ops, PASSPHRASE, CW_BACKUP_ERROR_UNSUPPORTED_PARAMETERS);
}

/* A file sealed correctly around @plain, as cw-backup.c writes one, with
 * the cheapest key derivation: for contents that cw_backup_seal_async()
 * would never write. */
static GBytes *
seal_plaintext (const guint8 *plain,
                gsize         plain_len,
                const char   *passphrase)
{
  crypto_secretstream_xchacha20poly1305_state state;
  guint8 key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  gsize clen = plain_len + crypto_secretstream_xchacha20poly1305_ABYTES;
  gsize len = 107 + 4 + clen + 32;
  guint8 *out = g_malloc0 (len);

  memcpy (out, CW_BACKUP_MAGIC, 8);
  out[8] = CW_BACKUP_VERSION;
  out[9] = 1;
  out[10] = 1;
  for (guint i = 0; i < 8; i++)
    {
      out[11 + i] = (guint8) ((guint64) crypto_pwhash_OPSLIMIT_MIN >> (56 - 8 * i));
      out[19 + i] = (guint8) ((guint64) crypto_pwhash_MEMLIMIT_MIN >> (56 - 8 * i));
      out[67 + i] = (guint8) ((guint64) len >> (56 - 8 * i));
    }
  randombytes_buf (out + 27, 16);
  g_assert_cmpint (crypto_pwhash (key, sizeof key, passphrase, strlen (passphrase), out + 27,
                                  crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
                                  crypto_pwhash_ALG_ARGON2ID13), ==, 0);
  crypto_secretstream_xchacha20poly1305_init_push (&state, out + 43, key);
  crypto_generichash (out + 75, 32, out, 75, NULL, 0);
  for (guint i = 0; i < 4; i++)
    out[107 + i] = (guint8) (clen >> (24 - 8 * i));
  crypto_secretstream_xchacha20poly1305_push (&state, out + 111, NULL, plain, plain_len, out, 107,
                                              crypto_secretstream_xchacha20poly1305_TAG_FINAL);
  crypto_generichash (out + len - 32, 32, out, len - 32, NULL, 0);
  return g_bytes_new_take (out, len);
}

/* Found by tests/fuzz/fuzz-backup (tests/fuzz/regressions/backup/): a seed
 * with no JSON after it, or only white space, made json-glib hand back no
 * root node, which went on to a critical warning; json-glib alone also
 * accepted bytes after a scalar ("0{...}") and leaked what it had built. */
static void
test_contents_not_json (void)
{
  const char *texts[] = { "", " \n", "0{\"key_name\":\"patient\"}", "{\"a\":1,\"a\":2}" };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      gsize len = CW_SEED_SIZE + strlen (texts[i]);
      g_autofree guint8 *plain = g_malloc (len);
      g_autoptr(GBytes) file = NULL;

      memset (plain, 0x44, CW_SEED_SIZE);
      memcpy (plain + CW_SEED_SIZE, texts[i], len - CW_SEED_SIZE);
      file = seal_plaintext (plain, len, PASSPHRASE);
      assert_open_fails (file, PASSPHRASE, CW_BACKUP_ERROR_INVALID_CONTENTS);
    }
}

static void
test_cancelled (void)
{
  g_autoptr(CwBackup) backup = make_backup (1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) file = seal (backup, PASSPHRASE, &error);
  g_autoptr(CwBackup) opened = NULL;

  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  opened = open_file (file, PASSPHRASE, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (opened);
}

int
main (int argc, char *argv[])
{
  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/backup/round-trip/moderate", test_round_trip_moderate);
  g_test_add_func ("/backup/round-trip/chunks", test_round_trip_chunks);
  g_test_add_func ("/backup/secrets-not-in-file", test_secrets_not_in_file);
  g_test_add_func ("/backup/wrong-passphrase", test_wrong_passphrase);
  g_test_add_func ("/backup/empty-passphrase", test_empty_passphrase);
  g_test_add_func ("/backup/truncated", test_truncated);
  g_test_add_func ("/backup/trailing-data", test_trailing_data);
  g_test_add_func ("/backup/magic-and-version", test_magic_and_version);
  g_test_add_func ("/backup/every-bit-flip", test_every_bit_flip);
  g_test_add_func ("/backup/forged", test_forged);
  g_test_add_func ("/backup/cancelled", test_cancelled);
  g_test_add_func ("/backup/contents-not-json", test_contents_not_json);

  return g_test_run ();
}
