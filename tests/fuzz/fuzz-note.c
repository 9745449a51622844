/* fuzz-note.c: cw_note_open() on arbitrary bytes, against a fixed key set:
 * two real Ed25519 keys, a cosignature/v1 witness key and FUZZ_ANY_KEY,
 * whose signatures are accepted unchecked so that inputs get past the
 * cryptography. */
#include "config.h"

#include "fuzz-common.h"

#include "cw-cosignature.h"
#include "cw-note.h"

static CwNoteVerifiers *verifiers;

static gboolean
accept_any (CwVerifierKey *key,
            const guint8  *text,
            gsize          text_len,
            const guint8  *sig,
            gsize          sig_len,
            gpointer       user_data)
{
  return sig_len == CW_SIGNATURE_SIZE;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(CwSigningKey) log_key = NULL;
  g_autoptr(CwSigningKey) witness = NULL;
  g_autoptr(CwSigningKey) any = NULL;
  g_autoptr(CwVerifierKey) peter = NULL;

  fuzz_init ();
  log_key = fuzz_log_key ();
  witness = fuzz_witness_key (1);
  any = fuzz_any_key ();
  peter = cw_verifier_key_new_from_string ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                                           NULL);
  verifiers = cw_note_verifiers_new ();
  if (peter == NULL ||
      !cw_note_verifiers_add (verifiers, peter, NULL) ||
      !cw_note_verifiers_add (verifiers, cw_signing_key_get_verifier (log_key), NULL) ||
      !cw_cosignature_add_verifier (verifiers, cw_signing_key_get_verifier (witness), NULL) ||
      !cw_note_verifiers_add_full (verifiers, cw_signing_key_get_verifier (any),
                                   accept_any, NULL, NULL, NULL))
    abort ();

  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(CwNote) note = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;
  gsize text_len;
  guint n, n_unverified;

  note = cw_note_open ((const char *) data, size, verifiers, &error);
  if (note == NULL)
    {
      FUZZ_ASSERT (error != NULL && error->domain == CW_NOTE_ERROR);
      return 0;
    }
  FUZZ_ASSERT (error == NULL);

  /* The text is a prefix of the input, valid note text, followed by the
   * blank line. */
  text = cw_note_get_text (note);
  text_len = strlen (text);
  FUZZ_ASSERT (text_len > 0 && text_len + 1 < size);
  FUZZ_ASSERT (memcmp (text, data, text_len) == 0);
  FUZZ_ASSERT (data[text_len] == '\n' && text[text_len - 1] == '\n');
  FUZZ_ASSERT (cw_note_text_is_valid (text, text_len, NULL));

  n = cw_note_get_n_signatures (note);
  n_unverified = cw_note_get_n_unverified (note);
  FUZZ_ASSERT (n >= 1);
  FUZZ_ASSERT (n + n_unverified <= CW_NOTE_MAX_SIGNATURES);

  /* Every signature, verified or not, is one of the input's lines. */
  for (guint i = 0; i < n + n_unverified; i++)
    {
      CwNoteSignature *sig = i < n ? cw_note_get_signature (note, i)
                                   : cw_note_get_unverified (note, i - n);
      GBytes *bytes = cw_note_signature_get_signature (sig);
      gsize sig_len;
      const guint8 *sig_data = g_bytes_get_data (bytes, &sig_len);
      g_autofree char *line = NULL;

      FUZZ_ASSERT ((i < n) == (cw_note_signature_get_key (sig) != NULL));
      line = cw_note_format_signature_line (cw_note_signature_get_name (sig),
                                            cw_note_signature_get_key_id (sig),
                                            sig_data, sig_len);
      FUZZ_ASSERT (line != NULL);
      FUZZ_ASSERT (fuzz_contains (data + text_len, size - text_len, line));
      if (i < n)
        FUZZ_ASSERT (cw_note_find_signature (note, cw_note_signature_get_key (sig)) != NULL);
    }

  return 0;
}
