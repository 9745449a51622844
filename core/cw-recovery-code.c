/* cw-recovery-code.c: the recovery code (PROTOCOL.md §12): base32 (RFC
 * 4648 §6, no padding) of seed || first 3 bytes of SHA-256("cw-recovery"
 * || seed). Everything that holds the seed lives in sodium memory. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "cw-recovery-code.h"

G_DEFINE_QUARK (cw-recovery-code-error-quark, cw_recovery_code_error)

#define CHECKSUM_SIZE 3
#define PAYLOAD_SIZE (CW_SEED_SIZE + CHECKSUM_SIZE)   /* 35 bytes = 280 bits = 56 symbols */

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static void
compute_checksum (const guint8 *seed,
                  guint8        out[CHECKSUM_SIZE])
{
  static const char domain[] = "cw-recovery";
  crypto_hash_sha256_state state;
  guint8 digest[crypto_hash_sha256_BYTES];

  /* A domain prefix, so the checksum is no prefix of the seed's plain hash. */
  crypto_hash_sha256_init (&state);
  crypto_hash_sha256_update (&state, (const guint8 *) domain, strlen (domain));
  crypto_hash_sha256_update (&state, seed, CW_SEED_SIZE);
  crypto_hash_sha256_final (&state, digest);
  memcpy (out, digest, CHECKSUM_SIZE);
  sodium_memzero (&state, sizeof state);
  sodium_memzero (digest, sizeof digest);
}

char *
cw_recovery_code_format (const guint8 seed[CW_SEED_SIZE])
{
  guint8 *payload = sodium_malloc (PAYLOAD_SIZE);
  char *code = sodium_malloc (CW_RECOVERY_CODE_LENGTH + 1);
  gsize written = 0;

  memcpy (payload, seed, CW_SEED_SIZE);
  compute_checksum (seed, payload + CW_SEED_SIZE);
  /* 35 bytes are exactly 56 symbols: 5 bytes give 8 symbols, no padding. */
  for (guint group = 0; group < PAYLOAD_SIZE / 5; group++)
    {
      const guint8 *b = payload + group * 5;
      guint64 bits = ((guint64) b[0] << 32) | ((guint64) b[1] << 24) | ((guint64) b[2] << 16) |
                     ((guint64) b[3] << 8) | b[4];

      for (int s = 7; s >= 0; s--)
        {
          guint symbol = group * 8 + (7 - s);

          if (symbol > 0 && symbol % 4 == 0)
            code[written++] = '-';
          code[written++] = alphabet[(bits >> (s * 5)) & 0x1f];
        }
      sodium_memzero (&bits, sizeof bits);
    }
  code[written] = '\0';
  sodium_free (payload);
  return code;
}

gboolean
cw_recovery_code_parse (const char  *text,
                        guint8       seed_out[CW_SEED_SIZE],
                        GError     **error)
{
  guint8 *values = sodium_malloc (CW_RECOVERY_CODE_SYMBOLS);
  guint8 *payload = sodium_malloc (PAYLOAD_SIZE);
  guint8 checksum[CHECKSUM_SIZE];
  gsize n = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (text != NULL, FALSE);

  for (const char *p = text; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);
      const char *found;

      if (c == ' ' || c == '-' || c == '\t' || c == '\n')
        continue;
      /* Digits base32 leaves out, read as the letters they look like. */
      c = c == '0' ? 'O' : c == '1' ? 'I' : c == '8' ? 'B' : c;
      found = c != '\0' ? strchr (alphabet, c) : NULL;
      if (found == NULL)
        {
          g_set_error (error, CW_RECOVERY_CODE_ERROR, CW_RECOVERY_CODE_ERROR_CHARACTER,
                       _("A recovery code has only the letters A–Z and the digits 2–7; "
                         "character %u is not one of them."), (guint) (p - text) + 1);
          goto out;
        }
      if (n == CW_RECOVERY_CODE_SYMBOLS)
        {
          n++;
          break;
        }
      values[n++] = (guint8) (found - alphabet);
    }
  if (n != CW_RECOVERY_CODE_SYMBOLS)
    {
      g_set_error (error, CW_RECOVERY_CODE_ERROR, CW_RECOVERY_CODE_ERROR_LENGTH,
                   /* TRANSLATORS: %s is “more” or “fewer” */
                   _("A recovery code has %d letters and digits (14 groups of four); this has %s."),
                   CW_RECOVERY_CODE_SYMBOLS, n > CW_RECOVERY_CODE_SYMBOLS ? _("more") : _("fewer"));
      goto out;
    }

  for (guint group = 0; group < PAYLOAD_SIZE / 5; group++)
    {
      guint64 bits = 0;

      for (guint s = 0; s < 8; s++)
        bits = (bits << 5) | values[group * 8 + s];
      for (guint k = 0; k < 5; k++)
        payload[group * 5 + k] = (bits >> (8 * (4 - k))) & 0xff;
      sodium_memzero (&bits, sizeof bits);
    }
  compute_checksum (payload, checksum);
  if (sodium_memcmp (checksum, payload + CW_SEED_SIZE, CHECKSUM_SIZE) != 0)
    {
      g_set_error_literal (error, CW_RECOVERY_CODE_ERROR, CW_RECOVERY_CODE_ERROR_CHECKSUM,
                           _("This recovery code is mistyped: its check letters do not match. "
                             "Compare each group with what you wrote down."));
      goto out;
    }
  memcpy (seed_out, payload, CW_SEED_SIZE);
  ok = TRUE;

out:
  if (!ok)
    sodium_memzero (seed_out, CW_SEED_SIZE);
  sodium_free (values);
  sodium_free (payload);
  return ok;
}
