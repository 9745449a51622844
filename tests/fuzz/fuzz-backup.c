/* fuzz-backup.c: opening backup files (PROTOCOL.md §10) through the public
 * cw_backup_open_async().
 *
 * The file carries its own Argon2id limits, and readers accept the smallest
 * ones libsodium allows (1 pass, 8 KiB), so the whole reading path runs
 * without the cost of the writers' limits. Input, by the low bit of the
 * first byte:
 *
 * 0: the rest is a file. The harness lowers valid Argon2id limits to the
 *    cheapest ones, and by flag bits 1, 2 and 3 fixes the stated length, the
 *    header checksum and the file checksum, so that the fuzzer reaches the
 *    chunk framing and decryption past the checksums it cannot forge.
 * 1: the second byte picks a chunk size and the rest is the plaintext (seed
 *    and JSON), sealed here correctly under FUZZ_PASSPHRASE, so that the
 *    fuzzer reaches the contents parsing. Flag bit 1 ends the stream without
 *    TAG_FINAL, bit 2 puts TAG_FINAL on the first chunk too.
 *
 * sodium_malloc() and sodium_free() are replaced here by plain heap blocks,
 * which AddressSanitizer checks: its redzones catch an overflow of a secure
 * buffer at the first byte past it, where sodium's guard page catches it
 * only at the end of the page, and a guarded block costs a handful of
 * system calls (mmap, mprotect, mlock, madvise, munmap) per allocation,
 * which held this harness to about 1,300 runs a second.
 */
#include "config.h"

#include "fuzz-common.h"

#include "cw-backup.h"

#define FUZZ_PASSPHRASE "fuzz"

/* The layout of PROTOCOL.md §10. */
#define OFF_OPS 11
#define OFF_MEM 19
#define OFF_SALT 27
#define OFF_STREAM 43
#define OFF_LENGTH 67
#define OFF_HEADER_SUM 75
#define SUM_LEN 32
#define HEADER_LEN 107
#define TAG_LEN crypto_secretstream_xchacha20poly1305_ABYTES

#define OPS crypto_pwhash_OPSLIMIT_MIN
#define MEM crypto_pwhash_MEMLIMIT_MIN

/* The block's size is kept in front of it, for the wipe. */
#define BLOCK_HEADER 16

void *
sodium_malloc (size_t size)
{
  guint8 *block = malloc (BLOCK_HEADER + size);

  if (block == NULL)
    return NULL;
  memcpy (block, &size, sizeof size);
  /* As sodium does: no caller may count on zeroed memory. */
  memset (block + BLOCK_HEADER, 0xdb, size);
  return block + BLOCK_HEADER;
}

void
sodium_free (void *ptr)
{
  guint8 *block;
  size_t size;

  if (ptr == NULL)
    return;
  block = (guint8 *) ptr - BLOCK_HEADER;
  memcpy (&size, block, sizeof size);
  sodium_memzero (ptr, size);
  free (block);
}

static guint8 sealed_key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
static const guint8 salt[16] = { 0x5a, };

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  if (crypto_pwhash (sealed_key, sizeof sealed_key, FUZZ_PASSPHRASE, strlen (FUZZ_PASSPHRASE),
                     salt, OPS, MEM, crypto_pwhash_ALG_ARGON2ID13) != 0)
    abort ();

  return 0;
}

static void
put_be (guint8  *p,
        guint64  value,
        guint    n)
{
  for (guint i = 0; i < n; i++)
    p[i] = (guint8) (value >> (8 * (n - 1 - i)));
}

static guint64
get_be64 (const guint8 *p)
{
  guint64 value = 0;

  for (guint i = 0; i < 8; i++)
    value = value << 8 | p[i];

  return value;
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
task_gone_cb (gpointer  data,
              GObject  *where_the_object_was)
{
  g_atomic_int_set ((int *) data, TRUE);
}

static CwBackup *
open_file (const guint8  *file,
           gsize          len,
           GError       **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (file, len);
  GAsyncResult *result = NULL;
  CwBackup *backup;
  int task_gone = FALSE;

  cw_backup_open_async (bytes, FUZZ_PASSPHRASE, NULL, done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  /* The worker thread may still hold the task for a moment: wait until it
   * is freed, so that every run ends with what it allocated freed and
   * libFuzzer's per-run leak check (which runs LeakSanitizer whenever the
   * counts of malloc and free differ) stays quiet unless there is a leak. */
  g_object_weak_ref (G_OBJECT (result), task_gone_cb, &task_gone);
  backup = cw_backup_open_finish (result, error);
  g_object_unref (result);
  while (!g_atomic_int_get (&task_gone))
    g_thread_yield ();

  return backup;
}

static void
fuzz_raw (guint8        flags,
          const guint8 *data,
          gsize         size)
{
  g_autofree guint8 *file = g_memdup2 (data, size);
  g_autoptr(CwBackup) backup = NULL;
  g_autoptr(GError) error = NULL;

  if (size >= HEADER_LEN)
    {
      guint64 ops = get_be64 (file + OFF_OPS);
      guint64 mem = get_be64 (file + OFF_MEM);

      /* Keep the out-of-range values: refusing them is under test. */
      if (ops >= 1 && ops <= 64)
        put_be (file + OFF_OPS, OPS, 8);
      if (mem >= 8192 && mem <= G_GUINT64_CONSTANT (4) * 1024 * 1024 * 1024)
        put_be (file + OFF_MEM, MEM, 8);
      if (flags & 2)
        put_be (file + OFF_LENGTH, size, 8);
      if (flags & 4)
        crypto_generichash (file + OFF_HEADER_SUM, SUM_LEN, file, OFF_HEADER_SUM, NULL, 0);
      if ((flags & 8) && size >= HEADER_LEN + SUM_LEN)
        crypto_generichash (file + size - SUM_LEN, SUM_LEN, file, size - SUM_LEN, NULL, 0);
    }

  /* The seeds include a genuine file sealed under FUZZ_PASSPHRASE. */
  backup = open_file (file, size, &error);
  if (backup == NULL)
    FUZZ_ASSERT (error != NULL && error->domain == CW_BACKUP_ERROR);
  else
    FUZZ_ASSERT (cw_backup_get_node_profile (backup) != NULL);
}

static void
fuzz_sealed (guint8        flags,
             const guint8 *data,
             gsize         size)
{
  crypto_secretstream_xchacha20poly1305_state state;
  g_autoptr(GByteArray) file = g_byte_array_new ();
  g_autoptr(CwBackup) backup = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *plain;
  gsize plain_len, chunk_len, done = 0;
  guint8 header[HEADER_LEN] = { 0, };
  guint8 sum[SUM_LEN];
  gboolean tags_ok = TRUE;

  if (size < 1)
    return;
  chunk_len = 1 + (gsize) data[0] * 16;
  plain = data + 1;
  plain_len = size - 1;

  memcpy (header, CW_BACKUP_MAGIC, 8);
  header[8] = CW_BACKUP_VERSION;
  header[9] = 1;
  header[10] = 1;
  put_be (header + OFF_OPS, OPS, 8);
  put_be (header + OFF_MEM, MEM, 8);
  memcpy (header + OFF_SALT, salt, sizeof salt);
  crypto_secretstream_xchacha20poly1305_init_push (&state, header + OFF_STREAM, sealed_key);
  {
    gsize n_chunks = MAX (1, (plain_len + chunk_len - 1) / chunk_len);

    put_be (header + OFF_LENGTH, HEADER_LEN + n_chunks * (4 + TAG_LEN) + plain_len + SUM_LEN, 8);
  }
  crypto_generichash (header + OFF_HEADER_SUM, SUM_LEN, header, OFF_HEADER_SUM, NULL, 0);
  g_byte_array_append (file, header, sizeof header);

  do
    {
      gsize len = MIN (chunk_len, plain_len - done);
      gboolean first = done == 0;
      gboolean last = done + len == plain_len;
      guint8 tag = crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
      guint8 length[4];
      gsize pos;

      if ((last && !(flags & 2)) || (first && (flags & 4)))
        tag = crypto_secretstream_xchacha20poly1305_TAG_FINAL;
      if (last != (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL))
        tags_ok = FALSE;
      put_be (length, len + TAG_LEN, 4);
      g_byte_array_append (file, length, 4);
      pos = file->len;
      g_byte_array_set_size (file, pos + len + TAG_LEN);
      crypto_secretstream_xchacha20poly1305_push (&state, file->data + pos, NULL, plain + done, len,
                                                  first ? header : NULL, first ? HEADER_LEN : 0, tag);
      done += len;
    }
  while (done < plain_len);

  crypto_generichash (sum, SUM_LEN, file->data, file->len, NULL, 0);
  g_byte_array_append (file, sum, SUM_LEN);

  backup = open_file (file->data, file->len, &error);
  if (backup == NULL)
    {
      FUZZ_ASSERT (error != NULL && error->domain == CW_BACKUP_ERROR);
      FUZZ_ASSERT (error->code != CW_BACKUP_ERROR_WRONG_PASSPHRASE);
      return;
    }

  FUZZ_ASSERT (plain_len >= CW_SEED_SIZE && tags_ok);
  FUZZ_ASSERT (memcmp (cw_signing_key_peek_seed (cw_backup_get_identity_key (backup)), plain,
                       CW_SEED_SIZE) == 0);
  FUZZ_ASSERT (cw_backup_get_patient_id (backup) != NULL);
  FUZZ_ASSERT (cw_backup_get_recovery_key (backup) != NULL);
  FUZZ_ASSERT (cw_backup_get_node_profile (backup) != NULL);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  if (size < 1)
    return 0;

  if (data[0] & 1)
    fuzz_sealed (data[0], data + 1, size - 1);
  else
    fuzz_raw (data[0], data + 1, size - 1);

  return 0;
}
