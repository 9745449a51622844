/* cw-key.c: Ed25519 keys with C2SP signed-note key IDs and Go key strings.
 *
 * https://c2sp.org/signed-note (key IDs, verifier key encoding) and
 * https://c2sp.org/tlog-cosignature (key type 0x04).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-key.h"

#define GO_PRIVATE_PREFIX "PRIVATE+KEY+"

struct _CwVerifierKey
{
  gatomicrefcount ref_count;
  char *name;
  CwKeyType type;
  guint32 key_id;
  guint8 public_key[CW_PUBLIC_KEY_SIZE];
};

struct _CwSigningKey
{
  gatomicrefcount ref_count;
  CwVerifierKey *verifier;
  /* libsodium's 64-byte secret key (seed || public key), in guarded memory. */
  guint8 *secret;
};

G_DEFINE_QUARK (cw-key-error-quark, cw_key_error)

static gboolean
key_type_is_known (int type)
{
  return type == CW_KEY_TYPE_ED25519 || type == CW_KEY_TYPE_COSIGNATURE_V1;
}

gboolean
cw_key_name_is_valid (const char *name)
{
  const char *p;

  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL))
    return FALSE;

  for (p = name; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '+' || g_unichar_isspace (c) || g_unichar_iscntrl (c) ||
          g_unichar_type (c) == G_UNICODE_SPACE_SEPARATOR)
        return FALSE;
    }

  return TRUE;
}

guint32
cw_key_id_compute (const char   *name,
                   CwKeyType     type,
                   const guint8  public_key[CW_PUBLIC_KEY_SIZE])
{
  crypto_hash_sha256_state st;
  guint8 sep[2] = { '\n', (guint8) type };
  guint8 digest[CW_HASH_SIZE];

  crypto_hash_sha256_init (&st);
  crypto_hash_sha256_update (&st, (const guint8 *) name, strlen (name));
  crypto_hash_sha256_update (&st, sep, sizeof sep);
  crypto_hash_sha256_update (&st, public_key, CW_PUBLIC_KEY_SIZE);
  crypto_hash_sha256_final (&st, digest);

  return (guint32) digest[0] << 24 | (guint32) digest[1] << 16 |
         (guint32) digest[2] << 8 | digest[3];
}

char *
cw_key_fingerprint (const guint8 public_key[CW_PUBLIC_KEY_SIZE])
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  guint8 digest[CW_HASH_SIZE];
  GString *out = g_string_new (NULL);
  guint64 acc = 0;
  guint bits = 0, n_chars = 0;

  cw_sha256 (public_key, CW_PUBLIC_KEY_SIZE, digest);

  /* 15 bytes are exactly 24 base32 characters. */
  for (guint i = 0; i < 15; i++)
    {
      acc = acc << 8 | digest[i];
      bits += 8;
      while (bits >= 5)
        {
          bits -= 5;
          if (n_chars > 0 && n_chars % 4 == 0)
            g_string_append_c (out, '-');
          g_string_append_c (out, alphabet[(acc >> bits) & 31]);
          n_chars++;
        }
    }

  return g_string_free (out, FALSE);
}

/* Verifier keys */

CwVerifierKey *
cw_verifier_key_new (const char    *name,
                     CwKeyType      type,
                     const guint8   public_key[CW_PUBLIC_KEY_SIZE],
                     GError       **error)
{
  CwVerifierKey *self;

  if (!cw_key_name_is_valid (name))
    {
      g_set_error (error, CW_KEY_ERROR, CW_KEY_ERROR_INVALID,
                   _("Invalid key name “%s”: it must be non-empty UTF-8 without spaces or “+”"),
                   name ? name : "");
      return NULL;
    }

  if (!key_type_is_known (type))
    {
      g_set_error (error, CW_KEY_ERROR, CW_KEY_ERROR_UNSUPPORTED,
                   _("Unsupported key type 0x%02x"), (guint) type);
      return NULL;
    }

  self = g_new0 (CwVerifierKey, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->name = g_strdup (name);
  self->type = type;
  memcpy (self->public_key, public_key, CW_PUBLIC_KEY_SIZE);
  self->key_id = cw_key_id_compute (name, type, public_key);

  return self;
}

/* Splits "<name>+<8 hex>+<base64>" at its first two '+': names have none,
 * base64 may. */
static gboolean
split_key_string (const char  *text,
                  char       **name,
                  guint32     *key_id,
                  GBytes     **key_bytes,
                  GError     **error)
{
  const char *plus1, *plus2;
  guint8 id_bytes[4];
  g_autoptr(GBytes) bytes = NULL;

  plus1 = strchr (text, '+');
  if (plus1 == NULL || plus1 == text)
    goto malformed;
  plus2 = strchr (plus1 + 1, '+');
  if (plus2 == NULL)
    goto malformed;

  if (!cw_hex_decode_fixed (plus1 + 1, plus2 - plus1 - 1, id_bytes, sizeof id_bytes, NULL))
    goto malformed;

  bytes = cw_base64_decode (plus2 + 1, -1, NULL);
  if (bytes == NULL)
    goto malformed;

  *name = g_strndup (text, plus1 - text);
  *key_id = (guint32) id_bytes[0] << 24 | (guint32) id_bytes[1] << 16 |
            (guint32) id_bytes[2] << 8 | id_bytes[3];
  *key_bytes = g_steal_pointer (&bytes);
  return TRUE;

malformed:
  g_set_error_literal (error, CW_KEY_ERROR, CW_KEY_ERROR_INVALID,
                       _("Malformed key: expected <name>+<8 hex digits>+<base64 key>"));
  return FALSE;
}

CwVerifierKey *
cw_verifier_key_new_from_string (const char  *text,
                                 GError     **error)
{
  g_autofree char *name = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CwVerifierKey) key = NULL;
  const guint8 *data;
  gsize len;
  guint32 key_id;

  g_return_val_if_fail (text != NULL, NULL);

  if (!split_key_string (text, &name, &key_id, &bytes, error))
    return NULL;

  data = g_bytes_get_data (bytes, &len);
  if (len != 1 + CW_PUBLIC_KEY_SIZE)
    {
      g_set_error (error, CW_KEY_ERROR, CW_KEY_ERROR_INVALID,
                   _("Key “%s” has %zu bytes, expected 33"), name, len);
      return NULL;
    }

  key = cw_verifier_key_new (name, data[0], data + 1, error);
  if (key == NULL)
    return NULL;

  if (key->key_id != key_id)
    {
      g_set_error (error, CW_KEY_ERROR, CW_KEY_ERROR_MISMATCH,
                   _("Key ID of “%s” does not match its public key"), name);
      return NULL;
    }

  return g_steal_pointer (&key);
}

CwVerifierKey *
cw_verifier_key_ref (CwVerifierKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cw_verifier_key_unref (CwVerifierKey *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_free (self->name);
      g_free (self);
    }
}

const char *
cw_verifier_key_get_name (CwVerifierKey *self)
{
  return self->name;
}

CwKeyType
cw_verifier_key_get_key_type (CwVerifierKey *self)
{
  return self->type;
}

guint32
cw_verifier_key_get_key_id (CwVerifierKey *self)
{
  return self->key_id;
}

const guint8 *
cw_verifier_key_get_public_key (CwVerifierKey *self)
{
  return self->public_key;
}

char *
cw_verifier_key_to_string (CwVerifierKey *self)
{
  guint8 raw[1 + CW_PUBLIC_KEY_SIZE];
  g_autofree char *b64 = NULL;

  raw[0] = (guint8) self->type;
  memcpy (raw + 1, self->public_key, CW_PUBLIC_KEY_SIZE);
  b64 = cw_base64_encode (raw, sizeof raw);

  return g_strdup_printf ("%s+%08x+%s", self->name, self->key_id, b64);
}

gboolean
cw_verifier_key_verify (CwVerifierKey *self,
                        const guint8  *msg,
                        gsize          msg_len,
                        const guint8   sig[CW_SIGNATURE_SIZE])
{
  return crypto_sign_verify_detached (sig, msg, msg_len, self->public_key) == 0;
}

/* Signing keys */

CwSigningKey *
cw_signing_key_new_from_seed (const char    *name,
                              CwKeyType      type,
                              const guint8   seed[CW_SEED_SIZE],
                              GError       **error)
{
  g_autoptr(CwSigningKey) self = NULL;
  guint8 public_key[CW_PUBLIC_KEY_SIZE];

  if (sodium_init () < 0)
    {
      g_set_error_literal (error, CW_KEY_ERROR, CW_KEY_ERROR_NO_MEMORY,
                           _("The cryptography library could not start"));
      return NULL;
    }

  self = g_new0 (CwSigningKey, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->secret = sodium_malloc (crypto_sign_SECRETKEYBYTES);
  if (self->secret == NULL)
    {
      g_set_error_literal (error, CW_KEY_ERROR, CW_KEY_ERROR_NO_MEMORY,
                           _("Could not allocate secure memory for a secret key"));
      return NULL;
    }

  crypto_sign_seed_keypair (public_key, self->secret, seed);
  self->verifier = cw_verifier_key_new (name, type, public_key, error);
  if (self->verifier == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

CwSigningKey *
cw_signing_key_generate (const char  *name,
                         CwKeyType    type,
                         GError     **error)
{
  guint8 *seed;
  CwSigningKey *self;

  if (sodium_init () < 0 || (seed = sodium_malloc (CW_SEED_SIZE)) == NULL)
    {
      g_set_error_literal (error, CW_KEY_ERROR, CW_KEY_ERROR_NO_MEMORY,
                           _("Could not allocate secure memory for a secret key"));
      return NULL;
    }

  randombytes_buf (seed, CW_SEED_SIZE);
  self = cw_signing_key_new_from_seed (name, type, seed, error);
  sodium_free (seed);

  return self;
}

CwSigningKey *
cw_signing_key_new_from_string (const char  *text,
                                GError     **error)
{
  g_autofree char *name = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CwSigningKey) key = NULL;
  const guint8 *data;
  gsize len;
  guint32 key_id;

  g_return_val_if_fail (text != NULL, NULL);

  if (!g_str_has_prefix (text, GO_PRIVATE_PREFIX))
    {
      g_set_error_literal (error, CW_KEY_ERROR, CW_KEY_ERROR_INVALID,
                           _("Malformed signer key: expected "
                             "PRIVATE+KEY+<name>+<key ID>+<base64>"));
      return NULL;
    }

  if (!split_key_string (text + strlen (GO_PRIVATE_PREFIX), &name, &key_id, &bytes, error))
    return NULL;

  data = g_bytes_get_data (bytes, &len);
  if (len != 1 + CW_SEED_SIZE)
    {
      sodium_memzero ((void *) data, len);
      g_set_error (error, CW_KEY_ERROR, CW_KEY_ERROR_INVALID,
                   _("Signer key “%s” has %zu bytes, expected 33"), name, len);
      return NULL;
    }

  key = cw_signing_key_new_from_seed (name, data[0], data + 1, error);
  sodium_memzero ((void *) data, len);
  if (key == NULL)
    return NULL;

  if (cw_signing_key_get_key_id (key) != key_id)
    {
      g_set_error (error, CW_KEY_ERROR, CW_KEY_ERROR_MISMATCH,
                   _("Key ID of signer key “%s” does not match its key"), name);
      return NULL;
    }

  return g_steal_pointer (&key);
}

CwSigningKey *
cw_signing_key_ref (CwSigningKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cw_signing_key_unref (CwSigningKey *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      /* sodium_free() wipes the memory before releasing it. */
      g_clear_pointer (&self->secret, sodium_free);
      g_clear_pointer (&self->verifier, cw_verifier_key_unref);
      g_free (self);
    }
}

const char *
cw_signing_key_get_name (CwSigningKey *self)
{
  return self->verifier->name;
}

CwKeyType
cw_signing_key_get_key_type (CwSigningKey *self)
{
  return self->verifier->type;
}

guint32
cw_signing_key_get_key_id (CwSigningKey *self)
{
  return self->verifier->key_id;
}

const guint8 *
cw_signing_key_get_public_key (CwSigningKey *self)
{
  return self->verifier->public_key;
}

const guint8 *
cw_signing_key_peek_seed (CwSigningKey *self)
{
  /* libsodium keeps the seed as the first half of the secret key. */
  return self->secret;
}

CwVerifierKey *
cw_signing_key_get_verifier (CwSigningKey *self)
{
  return self->verifier;
}

char *
cw_signing_key_to_string (CwSigningKey *self)
{
  guint8 *raw;
  char *b64, *out;
  gsize b64_len, out_size;

  raw = sodium_malloc (1 + CW_SEED_SIZE);
  if (raw == NULL)
    return NULL;
  raw[0] = (guint8) self->verifier->type;
  memcpy (raw + 1, self->secret, CW_SEED_SIZE);

  b64_len = sodium_base64_ENCODED_LEN (1 + CW_SEED_SIZE, sodium_base64_VARIANT_ORIGINAL);
  b64 = sodium_malloc (b64_len);
  sodium_bin2base64 (b64, b64_len, raw, 1 + CW_SEED_SIZE, sodium_base64_VARIANT_ORIGINAL);
  sodium_free (raw);

  out_size = strlen (GO_PRIVATE_PREFIX) + strlen (self->verifier->name) + 1 + 8 + 1 + b64_len;
  out = sodium_malloc (out_size);
  g_snprintf (out, out_size, GO_PRIVATE_PREFIX "%s+%08x+%s",
              self->verifier->name, self->verifier->key_id, b64);
  sodium_free (b64);

  return out;
}

void
cw_signing_key_sign (CwSigningKey *self,
                     const guint8 *msg,
                     gsize         msg_len,
                     guint8        sig_out[CW_SIGNATURE_SIZE])
{
  crypto_sign_detached (sig_out, NULL, msg, msg_len, self->secret);
}

void
cw_secure_string_free (char *str)
{
  if (str != NULL)
    sodium_free (str);
}
