/* test-cosignature.c: tlog-cosignature/v1 witness cosignatures
 * (https://c2sp.org/tlog-cosignature): signing, verifying, time and key type.
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "cw-cosignature.h"
#include "cw-key.h"
#include "cw-note.h"

#define BODY "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
#define TIME 1679315147

static CwSigningKey *
key_from_seed (const char *name,
               CwKeyType   type,
               guint8      fill)
{
  g_autoptr(GError) error = NULL;
  guint8 seed[CW_SEED_SIZE];
  CwSigningKey *key;

  memset (seed, fill, sizeof seed);
  key = cw_signing_key_new_from_seed (name, type, seed, &error);
  g_assert_no_error (error);
  return key;
}

static void
test_signed_message (void)
{
  g_autoptr(GBytes) msg = cw_cosignature_signed_message (TIME, BODY, strlen (BODY));
  const char *expected = "cosignature/v1\ntime 1679315147\n" BODY;

  g_assert_cmpmem (g_bytes_get_data (msg, NULL), g_bytes_get_size (msg),
                   expected, strlen (expected));

  /* Zero has no leading zeros to strip; the top of the range is written out. */
  g_clear_pointer (&msg, g_bytes_unref);
  msg = cw_cosignature_signed_message (0, "x\n", 2);
  g_assert_cmpmem (g_bytes_get_data (msg, NULL), g_bytes_get_size (msg),
                   "cosignature/v1\ntime 0\nx\n", 24);
}

static void
test_sign_verify (void)
{
  g_autoptr(CwSigningKey) w = key_from_seed ("witness.example.com/w1", CW_KEY_TYPE_COSIGNATURE_V1, 7);
  CwVerifierKey *v = cw_signing_key_get_verifier (w);
  guint8 sig[CW_COSIGNATURE_SIZE];
  g_autoptr(GBytes) msg = NULL;
  g_autoptr(GError) error = NULL;
  guint64 t = 0;

  g_assert_true (cw_cosignature_sign (w, BODY, strlen (BODY), TIME, sig, &error));
  g_assert_no_error (error);

  /* Timestamp first, big-endian. */
  g_assert_cmpmem (sig, 8, "\x00\x00\x00\x00\x64\x18\x50\xcb", 8);

  /* The Ed25519 part signs exactly the documented message. */
  msg = cw_cosignature_signed_message (TIME, BODY, strlen (BODY));
  g_assert_true (cw_verifier_key_verify (v, g_bytes_get_data (msg, NULL),
                                         g_bytes_get_size (msg), sig + 8));

  g_assert_true (cw_cosignature_verify (v, BODY, strlen (BODY), sig, sizeof sig, &t, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (t, ==, TIME);
}

static void
test_wrong_time (void)
{
  g_autoptr(CwSigningKey) w = key_from_seed ("witness.example.com/w1", CW_KEY_TYPE_COSIGNATURE_V1, 7);
  CwVerifierKey *v = cw_signing_key_get_verifier (w);
  guint8 sig[CW_COSIGNATURE_SIZE];
  g_autoptr(GError) error = NULL;

  g_assert_true (cw_cosignature_sign (w, BODY, strlen (BODY), TIME, sig, &error));
  g_assert_no_error (error);

  /* One second later: the signature no longer matches. */
  sig[7]++;
  g_assert_false (cw_cosignature_verify (v, BODY, strlen (BODY), sig, sizeof sig, NULL, &error));
  g_assert_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_INVALID);
  g_clear_error (&error);

  /* Beyond 2^63 - 1 is refused before any signature check. */
  sig[0] = 0x80;
  g_assert_false (cw_cosignature_verify (v, BODY, strlen (BODY), sig, sizeof sig, NULL, &error));
  g_assert_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_INVALID_TIME);
  g_clear_error (&error);

  g_assert_false (cw_cosignature_sign (w, BODY, strlen (BODY), CW_COSIGNATURE_MAX_TIME + 1, sig, &error));
  g_assert_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_INVALID_TIME);
  g_clear_error (&error);

  g_assert_true (cw_cosignature_sign (w, BODY, strlen (BODY), CW_COSIGNATURE_MAX_TIME, sig, &error));
  g_assert_no_error (error);
  g_assert_true (cw_cosignature_verify (v, BODY, strlen (BODY), sig, sizeof sig, NULL, &error));
  g_assert_no_error (error);
}

static void
test_wrong_body_or_size (void)
{
  g_autoptr(CwSigningKey) w = key_from_seed ("witness.example.com/w1", CW_KEY_TYPE_COSIGNATURE_V1, 7);
  CwVerifierKey *v = cw_signing_key_get_verifier (w);
  const char *other = "example.com/behind-the-sofa\n20852164\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  guint8 sig[CW_COSIGNATURE_SIZE];
  g_autoptr(GError) error = NULL;

  g_assert_true (cw_cosignature_sign (w, BODY, strlen (BODY), TIME, sig, &error));
  g_assert_no_error (error);

  g_assert_false (cw_cosignature_verify (v, other, strlen (other), sig, sizeof sig, NULL, &error));
  g_assert_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (cw_cosignature_verify (v, BODY, strlen (BODY), sig, sizeof sig - 1, NULL, &error));
  g_assert_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_MALFORMED);
  g_clear_error (&error);

  /* A plain Ed25519 note signature (no timestamp) is not a cosignature. */
  g_assert_false (cw_cosignature_verify (v, BODY, strlen (BODY), sig + 8, CW_SIGNATURE_SIZE, NULL, &error));
  g_assert_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_MALFORMED);
  g_clear_error (&error);

  g_assert_false (cw_cosignature_sign (w, "no newline", 10, TIME, sig, &error));
  g_assert_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_INVALID_BODY);
}

static void
test_wrong_key_type (void)
{
  g_autoptr(CwSigningKey) plain = key_from_seed ("witness.example.com/w1", CW_KEY_TYPE_ED25519, 7);
  g_autoptr(CwSigningKey) w = key_from_seed ("witness.example.com/w1", CW_KEY_TYPE_COSIGNATURE_V1, 7);
  g_autoptr(CwNoteVerifiers) verifiers = cw_note_verifiers_new ();
  guint8 sig[CW_COSIGNATURE_SIZE];
  g_autoptr(GError) error = NULL;

  /* Same seed and name, other type byte: a different key ID. */
  g_assert_cmphex (cw_signing_key_get_key_id (plain), !=, cw_signing_key_get_key_id (w));

  g_assert_false (cw_cosignature_sign (plain, BODY, strlen (BODY), TIME, sig, &error));
  g_assert_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_WRONG_KEY_TYPE);
  g_clear_error (&error);

  g_assert_true (cw_cosignature_sign (w, BODY, strlen (BODY), TIME, sig, &error));
  g_assert_no_error (error);
  g_assert_false (cw_cosignature_verify (cw_signing_key_get_verifier (plain), BODY, strlen (BODY),
                                         sig, sizeof sig, NULL, &error));
  g_assert_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_WRONG_KEY_TYPE);
  g_clear_error (&error);

  g_assert_false (cw_cosignature_add_verifier (verifiers, cw_signing_key_get_verifier (plain), &error));
  g_assert_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_WRONG_KEY_TYPE);
}

/* A cosignature line appended to a log-signed note opens as an ordinary
 * signature line once the witness key is plugged in. */
static void
test_in_note (void)
{
  g_autoptr(CwSigningKey) log = key_from_seed ("example.com/behind-the-sofa", CW_KEY_TYPE_ED25519, 1);
  g_autoptr(CwSigningKey) w = key_from_seed ("witness.example.com/w1", CW_KEY_TYPE_COSIGNATURE_V1, 7);
  g_autoptr(CwSigningKey) plain = key_from_seed ("witness.example.com/w1", CW_KEY_TYPE_ED25519, 7);
  g_autoptr(CwNoteVerifiers) verifiers = cw_note_verifiers_new ();
  g_autoptr(CwNoteVerifiers) wrong_type = cw_note_verifiers_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *logged = NULL;
  g_autofree char *line = NULL;
  g_autofree char *msg = NULL;
  g_autoptr(CwNote) note = NULL;
  g_autoptr(CwNote) note2 = NULL;
  CwNoteSignature *sig;
  guint64 t = 0;

  logged = cw_note_sign (BODY, &log, 1, &error);
  g_assert_no_error (error);
  line = cw_cosignature_sign_line (w, BODY, strlen (BODY), TIME, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "\xe2\x80\x94 witness.example.com/w1 "));
  msg = g_strconcat (logged, line, NULL);

  cw_note_verifiers_add (verifiers, cw_signing_key_get_verifier (log), &error);
  g_assert_no_error (error);
  cw_cosignature_add_verifier (verifiers, cw_signing_key_get_verifier (w), &error);
  g_assert_no_error (error);

  note = cw_note_open (msg, strlen (msg), verifiers, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cw_note_get_n_signatures (note), ==, 2);
  sig = cw_note_find_signature (note, cw_signing_key_get_verifier (w));
  g_assert_nonnull (sig);
  g_assert_true (cw_cosignature_get_timestamp (sig, &t, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (t, ==, TIME);

  /* The log's own signature has no timestamp. */
  g_assert_false (cw_cosignature_get_timestamp (cw_note_find_signature (note, cw_signing_key_get_verifier (log)),
                                                &t, &error));
  g_assert_error (error, CW_COSIGNATURE_ERROR, CW_COSIGNATURE_ERROR_MALFORMED);
  g_clear_error (&error);

  /* A verifier holding the same key as type 0x01 has another key ID, so the
   * cosignature is an unknown signer to it, not a failed Ed25519 signature. */
  cw_note_verifiers_add (wrong_type, cw_signing_key_get_verifier (log), &error);
  g_assert_no_error (error);
  cw_note_verifiers_add (wrong_type, cw_signing_key_get_verifier (plain), &error);
  g_assert_no_error (error);
  note2 = cw_note_open (msg, strlen (msg), wrong_type, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cw_note_get_n_signatures (note2), ==, 1);
  g_assert_cmpuint (cw_note_get_n_unverified (note2), ==, 1);
}

/* A cosignature made at one time but relabelled with another fails in a note
 * too, and rejects the whole note. */
static void
test_in_note_wrong_time (void)
{
  g_autoptr(CwSigningKey) log = key_from_seed ("example.com/behind-the-sofa", CW_KEY_TYPE_ED25519, 1);
  g_autoptr(CwSigningKey) w = key_from_seed ("witness.example.com/w1", CW_KEY_TYPE_COSIGNATURE_V1, 7);
  g_autoptr(CwNoteVerifiers) verifiers = cw_note_verifiers_new ();
  g_autoptr(GError) error = NULL;
  guint8 sig[CW_COSIGNATURE_SIZE];
  g_autofree char *logged = NULL;
  g_autofree char *line = NULL;
  g_autofree char *msg = NULL;
  g_autoptr(CwNote) note = NULL;

  logged = cw_note_sign (BODY, &log, 1, &error);
  g_assert_no_error (error);
  cw_cosignature_sign (w, BODY, strlen (BODY), TIME, sig, &error);
  g_assert_no_error (error);
  sig[7] ^= 1;
  line = cw_note_format_signature_line ("witness.example.com/w1", cw_signing_key_get_key_id (w),
                                        sig, sizeof sig);
  msg = g_strconcat (logged, line, NULL);

  cw_note_verifiers_add (verifiers, cw_signing_key_get_verifier (log), &error);
  g_assert_no_error (error);
  cw_cosignature_add_verifier (verifiers, cw_signing_key_get_verifier (w), &error);
  g_assert_no_error (error);

  note = cw_note_open (msg, strlen (msg), verifiers, &error);
  g_assert_null (note);
  g_assert_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_INVALID_SIGNATURE);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cosignature/signed-message", test_signed_message);
  g_test_add_func ("/cosignature/sign-verify", test_sign_verify);
  g_test_add_func ("/cosignature/wrong-time", test_wrong_time);
  g_test_add_func ("/cosignature/wrong-body-or-size", test_wrong_body_or_size);
  g_test_add_func ("/cosignature/wrong-key-type", test_wrong_key_type);
  g_test_add_func ("/cosignature/in-note", test_in_note);
  g_test_add_func ("/cosignature/in-note-wrong-time", test_in_note_wrong_time);

  return g_test_run ();
}
