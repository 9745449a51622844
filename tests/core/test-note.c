/* test-note.c: C2SP signed notes (https://c2sp.org/signed-note) against the
 * shared known-answer vectors, malformed notes and single bit flips.
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "cw-key.h"
#include "cw-note.h"

#define PETER_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define PETER_SKEY "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define ENOCH_VKEY "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
#define ENOCH_LINE "\xe2\x80\x94 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
#define EXAMPLE_VKEY "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
#define SUMDB_VKEY "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
#define PETER_TEXT "If you think cryptography is the answer to your problem,\n" \
                   "then you don't know what your problem is.\n"
#define EM_DASH "\xe2\x80\x94"

static char *
read_vector (const char *name)
{
  const char *dir = g_getenv ("CW_TESTVECTORS_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_nonnull (dir);
  path = g_build_filename (dir, "signed-note", name, NULL);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static CwVerifierKey *
verifier_from_string (const char *text)
{
  g_autoptr(GError) error = NULL;
  CwVerifierKey *key = cw_verifier_key_new_from_string (text, &error);

  g_assert_no_error (error);
  return key;
}

/* A verifier set holding the keys given as Go verifier key strings. */
static CwNoteVerifiers *
verifiers_new (const char *first,
               ...)
{
  CwNoteVerifiers *verifiers = cw_note_verifiers_new ();
  va_list args;

  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    {
      g_autoptr(CwVerifierKey) key = verifier_from_string (s);
      g_autoptr(GError) error = NULL;

      cw_note_verifiers_add (verifiers, key, &error);
      g_assert_no_error (error);
    }
  va_end (args);

  return verifiers;
}

static void
assert_rejected (const char      *msg,
                 gsize            len,
                 CwNoteVerifiers *verifiers,
                 int              code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwNote) note = cw_note_open (msg, len, verifiers, &error);

  g_assert_null (note);
  g_assert_error (error, CW_NOTE_ERROR, code);
}

static void
test_vectors_verify (void)
{
  const struct {
    const char *file;
    const char *vkey;
    const char *text;
  } cases[] = {
    { "peterneumann.note", PETER_VKEY, PETER_TEXT },
    { "c2sp-example.note", EXAMPLE_VKEY, "This is an example message.\n" },
    { "sumdb-checkpoint.note", SUMDB_VKEY,
      "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *msg = read_vector (cases[i].file);
      g_autoptr(CwNoteVerifiers) verifiers = verifiers_new (cases[i].vkey, NULL);
      g_autoptr(CwVerifierKey) key = verifier_from_string (cases[i].vkey);
      g_autoptr(GError) error = NULL;
      g_autoptr(CwNote) note = NULL;
      CwNoteSignature *sig;

      note = cw_note_open (msg, strlen (msg), verifiers, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (cw_note_get_text (note), ==, cases[i].text);
      g_assert_cmpuint (cw_note_get_n_signatures (note), ==, 1);
      g_assert_cmpuint (cw_note_get_n_unverified (note), ==, 0);

      sig = cw_note_get_signature (note, 0);
      g_assert_cmpstr (cw_note_signature_get_name (sig), ==, cw_verifier_key_get_name (key));
      g_assert_cmphex (cw_note_signature_get_key_id (sig), ==, cw_verifier_key_get_key_id (key));
      g_assert_cmpuint (g_bytes_get_size (cw_note_signature_get_signature (sig)), ==, CW_SIGNATURE_SIZE);
      g_assert_nonnull (cw_note_signature_get_key (sig));
      g_assert_true (cw_note_find_signature (note, key) == sig);
    }
}

static void
test_vectors_reproduce_signature (void)
{
  g_autofree char *expected = read_vector ("peterneumann.note");
  g_autoptr(CwSigningKey) signer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *signed_note = NULL;

  signer = cw_signing_key_new_from_string (PETER_SKEY, &error);
  g_assert_no_error (error);

  signed_note = cw_note_sign (PETER_TEXT, &signer, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (signed_note, ==, expected);
}

static void
test_vectors_two_signatures (void)
{
  g_autofree char *peter = read_vector ("peterneumann.note");
  g_autofree char *msg = g_strconcat (peter, ENOCH_LINE, NULL);
  g_autoptr(CwNoteVerifiers) both = verifiers_new (PETER_VKEY, ENOCH_VKEY, NULL);
  g_autoptr(CwNoteVerifiers) enoch_only = verifiers_new (ENOCH_VKEY, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwNote) note = NULL;
  g_autoptr(CwNote) partial = NULL;

  note = cw_note_open (msg, strlen (msg), both, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cw_note_get_text (note), ==, PETER_TEXT);
  g_assert_cmpuint (cw_note_get_n_signatures (note), ==, 2);
  g_assert_cmpstr (cw_note_signature_get_name (cw_note_get_signature (note, 0)), ==, "PeterNeumann");
  g_assert_cmpstr (cw_note_signature_get_name (cw_note_get_signature (note, 1)), ==, "EnochRoot");

  /* With only one key known, the other signature is kept as unverified. */
  partial = cw_note_open (msg, strlen (msg), enoch_only, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cw_note_get_n_signatures (partial), ==, 1);
  g_assert_cmpuint (cw_note_get_n_unverified (partial), ==, 1);
  g_assert_cmpstr (cw_note_signature_get_name (cw_note_get_unverified (partial, 0)), ==, "PeterNeumann");
  g_assert_cmphex (cw_note_signature_get_key_id (cw_note_get_unverified (partial, 0)), ==, 0xc74f20a3);
  g_assert_null (cw_note_signature_get_key (cw_note_get_unverified (partial, 0)));
}

/* The signature part of the PeterNeumann signature line, after the name. */
static const char *
peter_sig_b64 (const char *note)
{
  const char *p = strstr (note, EM_DASH " PeterNeumann ");

  g_assert_nonnull (p);
  return p + strlen (EM_DASH " PeterNeumann ");
}

static void
test_malformed (void)
{
  g_autofree char *peter = read_vector ("peterneumann.note");
  g_autoptr(CwNoteVerifiers) verifiers = verifiers_new (PETER_VKEY, NULL);
  g_autofree char *sig_line_end = g_strdup (peter_sig_b64 (peter));
  g_autofree char *with_space = g_strconcat (PETER_TEXT "\n" EM_DASH " Peter Neumann ", sig_line_end, NULL);
  g_autofree char *with_plus = g_strconcat (PETER_TEXT "\n" EM_DASH " Peter+Neumann ", sig_line_end, NULL);
  g_autofree char *with_nbsp = g_strconcat (PETER_TEXT "\n" EM_DASH " Peter\xc2\xa0Neumann ", sig_line_end, NULL);
  g_autofree char *trailing = g_strconcat (peter, "not a signature\n", NULL);
  g_autofree char *hyphen = g_strconcat (PETER_TEXT "\n- PeterNeumann ", sig_line_end, NULL);
  g_autofree char *no_space = g_strconcat (PETER_TEXT "\n" EM_DASH "PeterNeumann ", sig_line_end, NULL);
  g_autofree char *control = g_strdup (peter);
  g_autofree char *bad_utf8 = g_strdup (peter);
  g_autofree char *tab = g_strdup (peter);
  g_autofree char *cr = g_strdup (peter);
  gsize len = strlen (peter);

  /* No final newline. */
  assert_rejected (peter, len - 1, verifiers, CW_NOTE_ERROR_MALFORMED);
  control[5] = 0x01;
  assert_rejected (control, len, verifiers, CW_NOTE_ERROR_MALFORMED);
  bad_utf8[5] = (char) 0xff;
  assert_rejected (bad_utf8, len, verifiers, CW_NOTE_ERROR_MALFORMED);
  tab[5] = '\t';
  assert_rejected (tab, len, verifiers, CW_NOTE_ERROR_MALFORMED);
  cr[len - 1] = '\r';
  assert_rejected (cr, len, verifiers, CW_NOTE_ERROR_MALFORMED);
  /* A NUL byte is a control character too. */
  assert_rejected (peter, len + 1, verifiers, CW_NOTE_ERROR_MALFORMED);
  assert_rejected (with_space, strlen (with_space), verifiers, CW_NOTE_ERROR_MALFORMED);
  assert_rejected (with_plus, strlen (with_plus), verifiers, CW_NOTE_ERROR_MALFORMED);
  assert_rejected (with_nbsp, strlen (with_nbsp), verifiers, CW_NOTE_ERROR_MALFORMED);
  assert_rejected (trailing, strlen (trailing), verifiers, CW_NOTE_ERROR_MALFORMED);
  assert_rejected (hyphen, strlen (hyphen), verifiers, CW_NOTE_ERROR_MALFORMED);
  assert_rejected (no_space, strlen (no_space), verifiers, CW_NOTE_ERROR_MALFORMED);
  /* No blank line, no signatures, blank line at the very end. */
  assert_rejected (PETER_TEXT, strlen (PETER_TEXT), verifiers, CW_NOTE_ERROR_MALFORMED);
  assert_rejected (PETER_TEXT "\n", strlen (PETER_TEXT "\n"), verifiers, CW_NOTE_ERROR_MALFORMED);
  assert_rejected ("", 0, verifiers, CW_NOTE_ERROR_MALFORMED);
}

static void
test_malformed_signature (void)
{
  g_autoptr(CwNoteVerifiers) verifiers = verifiers_new (PETER_VKEY, NULL);
  const char *bad[] = {
    /* Empty signature, then four bytes only (a key ID and nothing else). */
    PETER_TEXT "\n" EM_DASH " PeterNeumann \n",
    PETER_TEXT "\n" EM_DASH " PeterNeumann x08gow==\n",
    /* Missing padding, non-zero pad bits, characters outside the alphabet. */
    PETER_TEXT "\n" EM_DASH " PeterNeumann x08go/Z\n",
    PETER_TEXT "\n" EM_DASH " PeterNeumann x08go/ZJkx==\n",
    PETER_TEXT "\n" EM_DASH " PeterNeumann x08go/ZJ*A==\n",
    /* A space after the signature, an empty name. */
    PETER_TEXT "\n" EM_DASH " PeterNeumann x08go/ZJkuBS \n",
    PETER_TEXT "\n" EM_DASH "  x08go/ZJkuBS\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_rejected (bad[i], strlen (bad[i]), verifiers, CW_NOTE_ERROR_MALFORMED);
}

static void
test_no_known_key (void)
{
  g_autofree char *peter = read_vector ("peterneumann.note");
  g_autoptr(CwNoteVerifiers) other = verifiers_new (EXAMPLE_VKEY, NULL);
  g_autoptr(CwNoteVerifiers) none = cw_note_verifiers_new ();

  assert_rejected (peter, strlen (peter), other, CW_NOTE_ERROR_UNVERIFIED);
  assert_rejected (peter, strlen (peter), none, CW_NOTE_ERROR_UNVERIFIED);
}

/* A key sharing the name but not the key ID is a different key: its
 * signature is ignored, not checked. */
static void
test_same_name_other_key (void)
{
  g_autoptr(CwSigningKey) impostor = NULL;
  g_autoptr(CwVerifierKey) peter_key = NULL;
  g_autoptr(CwNoteVerifiers) verifiers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *peter = read_vector ("peterneumann.note");
  g_autoptr(CwNote) note = NULL;

  impostor = cw_signing_key_generate ("PeterNeumann", CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  verifiers = cw_note_verifiers_new ();
  cw_note_verifiers_add (verifiers, cw_signing_key_get_verifier (impostor), &error);
  g_assert_no_error (error);

  assert_rejected (peter, strlen (peter), verifiers, CW_NOTE_ERROR_UNVERIFIED);

  /* Once the right key is known too, the impostor does no harm. */
  peter_key = verifier_from_string (PETER_VKEY);
  cw_note_verifiers_add (verifiers, peter_key, &error);
  g_assert_no_error (error);
  note = cw_note_open (peter, strlen (peter), verifiers, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cw_note_get_n_signatures (note), ==, 1);
}

static void
test_known_key_fails (void)
{
  g_autofree char *peter = read_vector ("peterneumann.note");
  g_autofree char *msg = g_strconcat (peter, ENOCH_LINE, NULL);
  g_autoptr(CwNoteVerifiers) both = verifiers_new (PETER_VKEY, ENOCH_VKEY, NULL);
  char *p;

  /* Corrupt one base64 character of the EnochRoot signature (after its key
   * ID) to another valid one: PeterNeumann still verifies, yet the note as a
   * whole must be rejected. */
  p = strstr (msg, "EnochRoot rwz+eBzm");
  g_assert_nonnull (p);
  p += strlen ("EnochRoot rwz+eBz");
  *p = *p == 'm' ? 'n' : 'm';
  assert_rejected (msg, strlen (msg), both, CW_NOTE_ERROR_INVALID_SIGNATURE);
}

static void
test_unknown_signers_kept (void)
{
  g_autofree char *peter = read_vector ("peterneumann.note");
  g_autofree char *msg = g_strconcat (peter, ENOCH_LINE, ENOCH_LINE, NULL);
  g_autoptr(CwNoteVerifiers) verifiers = verifiers_new (PETER_VKEY, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwNote) note = NULL;

  note = cw_note_open (msg, strlen (msg), verifiers, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cw_note_get_n_signatures (note), ==, 1);
  /* The repeated identical line is kept once. */
  g_assert_cmpuint (cw_note_get_n_unverified (note), ==, 1);
  g_assert_cmpstr (cw_note_signature_get_name (cw_note_get_unverified (note, 0)), ==, "EnochRoot");
  g_assert_cmphex (cw_note_signature_get_key_id (cw_note_get_unverified (note, 0)), ==, 0xaf0cfe78);
}

static char *
repeat_line (const char *head,
             const char *line,
             guint       n)
{
  GString *s = g_string_new (head);

  for (guint i = 0; i < n; i++)
    g_string_append (s, line);

  return g_string_free (s, FALSE);
}

static void
test_signature_cap (void)
{
  g_autofree char *peter = read_vector ("peterneumann.note");
  g_autofree char *at_cap = repeat_line (peter, ENOCH_LINE, CW_NOTE_MAX_SIGNATURES - 1);
  g_autofree char *over_cap = repeat_line (peter, ENOCH_LINE, CW_NOTE_MAX_SIGNATURES);
  g_autoptr(CwNoteVerifiers) verifiers = verifiers_new (PETER_VKEY, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwNote) note = NULL;

  note = cw_note_open (at_cap, strlen (at_cap), verifiers, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cw_note_get_n_signatures (note), ==, 1);

  assert_rejected (over_cap, strlen (over_cap), verifiers, CW_NOTE_ERROR_MALFORMED);
}

/* Every single bit flip anywhere in a signed note makes it unusable. */
static void
test_bit_flips (void)
{
  g_autofree char *orig = read_vector ("peterneumann.note");
  g_autoptr(CwNoteVerifiers) verifiers = verifiers_new (PETER_VKEY, NULL);
  gsize len = strlen (orig);
  g_autofree char *msg = g_malloc (len);

  for (gsize i = 0; i < len * 8; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CwNote) note = NULL;

      memcpy (msg, orig, len);
      msg[i / 8] ^= 1 << (i % 8);
      note = cw_note_open (msg, len, verifiers, &error);
      if (note != NULL)
        g_error ("Note with bit %" G_GSIZE_FORMAT " flipped was accepted", i);
      g_assert_nonnull (error);
    }
}

static CwSigningKey *
generate (const char *name,
          CwKeyType   type)
{
  g_autoptr(GError) error = NULL;
  CwSigningKey *key = cw_signing_key_generate (name, type, &error);

  g_assert_no_error (error);
  return key;
}

static void
test_sign_and_open (void)
{
  g_autoptr(CwSigningKey) a = generate ("a.example/one", CW_KEY_TYPE_ED25519);
  g_autoptr(CwSigningKey) b = generate ("b.example/two", CW_KEY_TYPE_ED25519);
  CwSigningKey *signers[] = { a, b };
  /* Blank lines inside the text and at its end: the last blank line splits. */
  const char *texts[] = { "hello\n", "\n", "para one\n\npara two\n", "ends blank\n\n", "Grüße — ✓\n" };
  g_autoptr(CwNoteVerifiers) verifiers = cw_note_verifiers_new ();
  g_autoptr(GError) error = NULL;

  cw_note_verifiers_add (verifiers, cw_signing_key_get_verifier (a), &error);
  g_assert_no_error (error);
  cw_note_verifiers_add (verifiers, cw_signing_key_get_verifier (b), &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *msg = cw_note_sign (texts[i], signers, G_N_ELEMENTS (signers), &error);
      g_autoptr(CwNote) note = NULL;

      g_assert_no_error (error);
      note = cw_note_open (msg, strlen (msg), verifiers, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (cw_note_get_text (note), ==, texts[i]);
      g_assert_cmpuint (cw_note_get_n_signatures (note), ==, 2);
      g_assert_true (cw_note_signature_get_key (cw_note_get_signature (note, 0)) ==
                     cw_signing_key_get_verifier (a));
      g_assert_nonnull (cw_note_find_signature (note, cw_signing_key_get_verifier (b)));
    }
}

static void
test_sign_rejects (void)
{
  g_autoptr(CwSigningKey) a = generate ("a.example/one", CW_KEY_TYPE_ED25519);
  g_autoptr(CwSigningKey) w = generate ("w.example/witness", CW_KEY_TYPE_COSIGNATURE_V1);
  const char *bad_texts[] = { "", "no newline", "tab\there\n", "bad \xff utf8\n" };

  for (guint i = 0; i < G_N_ELEMENTS (bad_texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *msg = cw_note_sign (bad_texts[i], &a, 1, &error);

      g_assert_null (msg);
      g_assert_true (g_error_matches (error, CW_NOTE_ERROR, CW_NOTE_ERROR_INVALID_TEXT) ||
                     g_error_matches (error, CW_NOTE_ERROR, CW_NOTE_ERROR_MALFORMED));
    }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *msg = cw_note_sign ("text\n", &w, 1, &error);

    g_assert_null (msg);
    g_assert_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_UNSUPPORTED_KEY);
  }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *msg = cw_note_sign ("text\n", NULL, 0, &error);

    g_assert_null (msg);
    g_assert_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_INVALID_TEXT);
  }
}

static void
test_verifiers (void)
{
  g_autoptr(CwSigningKey) w = generate ("w.example/witness", CW_KEY_TYPE_COSIGNATURE_V1);
  g_autoptr(CwVerifierKey) peter = verifier_from_string (PETER_VKEY);
  g_autoptr(CwVerifierKey) peter_again = verifier_from_string (PETER_VKEY);
  g_autoptr(CwNoteVerifiers) verifiers = cw_note_verifiers_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (cw_note_verifiers_add (verifiers, peter, &error));
  g_assert_no_error (error);
  g_assert_false (cw_note_verifiers_add (verifiers, peter_again, &error));
  g_assert_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_DUPLICATE_KEY);
  g_clear_error (&error);

  g_assert_false (cw_note_verifiers_add (verifiers, cw_signing_key_get_verifier (w), &error));
  g_assert_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_UNSUPPORTED_KEY);
  g_assert_cmpuint (cw_note_verifiers_get_size (verifiers), ==, 1);
}

typedef struct {
  guint  calls;
  char  *text;
  gsize  sig_len;
} PluggedState;

static gboolean
plugged_verify_cb (CwVerifierKey *key,
                   const guint8  *text,
                   gsize          text_len,
                   const guint8  *sig,
                   gsize          sig_len,
                   gpointer       user_data)
{
  PluggedState *state = user_data;

  state->calls++;
  g_free (state->text);
  state->text = g_strndup ((const char *) text, text_len);
  state->sig_len = sig_len;
  return sig_len == 3 && memcmp (sig, "abc", 3) == 0;
}

/* Other signature types plug in their own verifier; it sees the note text
 * and the signature bytes after the key ID. */
static void
test_plugged_verifier (void)
{
  g_autoptr(CwSigningKey) w = generate ("w.example/witness", CW_KEY_TYPE_COSIGNATURE_V1);
  CwVerifierKey *key = cw_signing_key_get_verifier (w);
  g_autoptr(CwNoteVerifiers) verifiers = cw_note_verifiers_new ();
  g_autofree char *good_line = cw_note_format_signature_line ("w.example/witness",
                                                              cw_verifier_key_get_key_id (key),
                                                              (const guint8 *) "abc", 3);
  g_autofree char *bad_line = cw_note_format_signature_line ("w.example/witness",
                                                             cw_verifier_key_get_key_id (key),
                                                             (const guint8 *) "abd", 3);
  g_autofree char *good = g_strconcat ("body\n\n", good_line, NULL);
  g_autofree char *bad = g_strconcat ("body\n\n", bad_line, NULL);
  PluggedState state = { 0, NULL, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CwNote) note = NULL;

  cw_note_verifiers_add_full (verifiers, key, plugged_verify_cb, &state, NULL, &error);
  g_assert_no_error (error);

  note = cw_note_open (good, strlen (good), verifiers, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (state.calls, ==, 1);
  g_assert_cmpstr (state.text, ==, "body\n");
  g_assert_cmpuint (state.sig_len, ==, 3);
  g_assert_true (cw_note_signature_get_key (cw_note_get_signature (note, 0)) == key);

  assert_rejected (bad, strlen (bad), verifiers, CW_NOTE_ERROR_INVALID_SIGNATURE);
  g_free (state.text);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/note/vectors/verify", test_vectors_verify);
  g_test_add_func ("/note/vectors/reproduce-signature", test_vectors_reproduce_signature);
  g_test_add_func ("/note/vectors/two-signatures", test_vectors_two_signatures);
  g_test_add_func ("/note/open/malformed", test_malformed);
  g_test_add_func ("/note/open/malformed-signature", test_malformed_signature);
  g_test_add_func ("/note/open/no-known-key", test_no_known_key);
  g_test_add_func ("/note/open/same-name-other-key", test_same_name_other_key);
  g_test_add_func ("/note/open/known-key-fails", test_known_key_fails);
  g_test_add_func ("/note/open/unknown-signers-kept", test_unknown_signers_kept);
  g_test_add_func ("/note/open/signature-cap", test_signature_cap);
  g_test_add_func ("/note/open/bit-flips", test_bit_flips);
  g_test_add_func ("/note/sign/round-trip", test_sign_and_open);
  g_test_add_func ("/note/sign/rejects", test_sign_rejects);
  g_test_add_func ("/note/verifiers/add", test_verifiers);
  g_test_add_func ("/note/verifiers/plugged", test_plugged_verifier);

  return g_test_run ();
}
