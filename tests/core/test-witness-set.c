/* test-witness-set.c: witness set notes (core/cw-witness-set.h): a set
 * signed by the log and a quorum of the current witnesses is accepted;
 * one signed by the log alone, by too few witnesses, without the log,
 * for another log, with an old version, altered after signing, or
 * malformed is refused with its own error. */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "cw-witness-set.h"

#define ORIGIN "consent.test/log"

typedef struct {
  CwSigningKey *log;
  CwSigningKey *cosigners[3];   /* tlog-cosignature/v1 keys */
  CwSigningKey *set_signers[3]; /* the same keys as Ed25519, for sets */
  char *witness_keys[4];
  CwNodeProfile *current;       /* witnesses 0 and 1, quorum 2 */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log_key = NULL;
  const char *current[3] = { NULL, NULL, NULL };

  f->log = cw_signing_key_generate (ORIGIN, CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("witness-%u.test", i);

      f->cosigners[i] = cw_signing_key_generate (name, CW_KEY_TYPE_COSIGNATURE_V1, &error);
      g_assert_no_error (error);
      f->set_signers[i] = cw_signing_key_new_from_seed (name, CW_KEY_TYPE_ED25519,
                                                        cw_signing_key_peek_seed (f->cosigners[i]),
                                                        &error);
      g_assert_no_error (error);
      f->witness_keys[i] = cw_verifier_key_to_string (cw_signing_key_get_verifier (f->cosigners[i]));
    }
  log_key = cw_verifier_key_to_string (cw_signing_key_get_verifier (f->log));
  current[0] = f->witness_keys[0];
  current[1] = f->witness_keys[1];
  f->current = cw_node_profile_new ("https://127.0.0.1:1", NULL, log_key, current, 2, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->log, cw_signing_key_unref);
  for (guint i = 0; i < 3; i++)
    {
      g_clear_pointer (&f->cosigners[i], cw_signing_key_unref);
      g_clear_pointer (&f->set_signers[i], cw_signing_key_unref);
      g_clear_pointer (&f->witness_keys[i], g_free);
    }
  g_clear_pointer (&f->current, cw_node_profile_free);
}

/* The set {witness 1, witness 2}, quorum 2, at @version for @origin. */
static char *
new_set_text (Fixture    *f,
              const char *origin,
              guint64     version)
{
  const char *keys[3] = { f->witness_keys[1], f->witness_keys[2], NULL };
  g_autoptr(GError) error = NULL;
  char *text = cw_witness_set_format (origin, version, 2, keys, &error);

  g_assert_no_error (error);
  return text;
}

/* @text signed by each key in order. */
static char *
sign_with (const char    *text,
           CwSigningKey **keys,
           guint          n)
{
  g_autofree char *note = g_strdup (text);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      char *next = cw_witness_set_add_signature (note, keys[i], &error);

      g_assert_no_error (error);
      g_free (note);
      note = next;
    }
  return g_steal_pointer (&note);
}

static void
expect_refused (Fixture           *f,
                const char        *note,
                CwWitnessSetError  code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwWitnessSet) set = cw_witness_set_verify (note, strlen (note), f->current, 1, &error);

  g_assert_null (set);
  g_assert_error (error, CW_WITNESS_SET_ERROR, (gint) code);
  g_test_message ("refused: %s", error->message);
}

static void
test_accepted (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *text = new_set_text (f, ORIGIN, 2);
  CwSigningKey *signers[] = { f->log, f->set_signers[0], f->set_signers[1] };
  g_autofree char *note = sign_with (text, signers, G_N_ELEMENTS (signers));
  g_autoptr(GError) error = NULL;
  g_autoptr(CwWitnessSet) set = NULL;

  set = cw_witness_set_verify (note, strlen (note), f->current, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (set->origin, ==, ORIGIN);
  g_assert_cmpuint (set->version, ==, 2);
  g_assert_cmpuint (set->quorum, ==, 2);
  g_assert_cmpuint (g_strv_length (set->witness_keys), ==, 2);
  g_assert_cmpstr (set->witness_keys[0], ==, f->witness_keys[1]);
  g_assert_cmpstr (set->witness_keys[1], ==, f->witness_keys[2]);
}

static void
test_log_only (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *text = new_set_text (f, ORIGIN, 2);
  CwSigningKey *signers[] = { f->log };
  g_autofree char *note = sign_with (text, signers, 1);

  expect_refused (f, note, CW_WITNESS_SET_ERROR_NO_QUORUM);
}

static void
test_too_few_witnesses (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *text = new_set_text (f, ORIGIN, 2);
  /* Witness 2 is in the new set but not trusted yet: it counts nothing. */
  CwSigningKey *signers[] = { f->log, f->set_signers[0], f->set_signers[2] };
  g_autofree char *note = sign_with (text, signers, G_N_ELEMENTS (signers));

  expect_refused (f, note, CW_WITNESS_SET_ERROR_NO_QUORUM);
}

static void
test_cosignature_key_is_not_a_set_signature (Fixture       *f,
                                             gconstpointer  data)
{
  g_autofree char *text = new_set_text (f, ORIGIN, 2);
  g_autoptr(GError) error = NULL;
  char *note;

  /* cw_note_sign signs Ed25519 only: a type 0x04 key cannot sign a set. */
  note = cw_witness_set_add_signature (text, f->cosigners[0], &error);
  g_assert_null (note);
  g_assert_nonnull (error);
}

static void
test_witnesses_without_log (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *text = new_set_text (f, ORIGIN, 2);
  CwSigningKey *signers[] = { f->set_signers[0], f->set_signers[1] };
  g_autofree char *note = sign_with (text, signers, G_N_ELEMENTS (signers));

  expect_refused (f, note, CW_WITNESS_SET_ERROR_NOT_LOG_SIGNED);
}

static void
test_other_log (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *text = new_set_text (f, "other.test/log", 2);
  CwSigningKey *signers[] = { f->log, f->set_signers[0], f->set_signers[1] };
  g_autofree char *note = sign_with (text, signers, G_N_ELEMENTS (signers));

  expect_refused (f, note, CW_WITNESS_SET_ERROR_WRONG_LOG);
}

static void
test_old_version (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *text = new_set_text (f, ORIGIN, 1);
  CwSigningKey *signers[] = { f->log, f->set_signers[0], f->set_signers[1] };
  g_autofree char *note = sign_with (text, signers, G_N_ELEMENTS (signers));

  expect_refused (f, note, CW_WITNESS_SET_ERROR_OLD_VERSION);
}

static void
test_altered (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *text = new_set_text (f, ORIGIN, 2);
  CwSigningKey *signers[] = { f->log, f->set_signers[0], f->set_signers[1] };
  g_autofree char *note = sign_with (text, signers, G_N_ELEMENTS (signers));
  char *quorum = strstr (note, "quorum 2\n");

  g_assert_nonnull (quorum);
  quorum[strlen ("quorum ")] = '1';
  expect_refused (f, note, CW_WITNESS_SET_ERROR_BAD_SIGNATURE);
}

static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  const char *texts[] = {
    "consentwallet.org/witness-set/v1\norigin " ORIGIN "\nversion 2\nquorum 1\n",
    "consentwallet.org/witness-set/v2\norigin " ORIGIN "\nversion 2\nquorum 1\nwitness x\n",
    "consentwallet.org/witness-set/v1\norigin " ORIGIN "\nversion -2\nquorum 1\nwitness x\n",
    "consentwallet.org/witness-set/v1\norigin " ORIGIN "\nversion 2\nquorum 3\nwitness @KEY@\n",
    "consentwallet.org/witness-set/v1\norigin " ORIGIN "\nversion 2\nquorum 1\nwitness @KEY@\nwitness @KEY@\n",
    "consentwallet.org/witness-set/v1\norigin " ORIGIN "\nversion 2\nquorum 1\nwitnesses @KEY@\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      /* "@KEY@" stands for a valid witness key. */
      g_auto(GStrv) parts = g_strsplit (texts[i], "@KEY@", -1);
      g_autofree char *text = g_strjoinv (f->witness_keys[1], parts);
      CwSigningKey *signers[] = { f->log, f->set_signers[0], f->set_signers[1] };
      g_autofree char *note = sign_with (text, signers, G_N_ELEMENTS (signers));

      expect_refused (f, note, CW_WITNESS_SET_ERROR_MALFORMED);
    }

  /* An Ed25519 key where a cosigning key belongs. */
  {
    const char *keys[] = { NULL, NULL };
    g_autofree char *log_key = cw_verifier_key_to_string (cw_signing_key_get_verifier (f->log));
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;

    keys[0] = log_key;
    text = cw_witness_set_format (ORIGIN, 2, 1, keys, &error);
    g_assert_null (text);
    g_assert_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED);
  }
}

/* A set is looked at before it is checked: its text, whoever signed it,
 * and whether it lists exactly the witnesses and quorum in use. */
static void
test_parse_note_and_matches (Fixture       *f,
                             gconstpointer  data)
{
  const char *same_keys[3] = { f->witness_keys[1], f->witness_keys[0], NULL };
  g_autofree char *same = NULL;
  g_autofree char *other = new_set_text (f, ORIGIN, 3);
  g_autofree char *note = NULL;
  g_autoptr(CwWitnessSet) set = NULL;
  g_autoptr(CwWitnessSet) other_set = NULL;
  g_autoptr(CwWitnessSet) other_quorum = NULL;
  g_autoptr(GError) error = NULL;
  CwSigningKey *signers[] = { f->log };

  /* The current two witnesses in the other order, quorum 2. */
  same = cw_witness_set_format (ORIGIN, 4, 2, same_keys, &error);
  g_assert_no_error (error);
  note = sign_with (same, signers, G_N_ELEMENTS (signers));
  set = cw_witness_set_parse_note (note, strlen (note), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (set->version, ==, 4);
  g_assert_true (cw_witness_set_matches (set, f->current));

  g_clear_pointer (&note, g_free);
  note = sign_with (other, signers, G_N_ELEMENTS (signers));
  other_set = cw_witness_set_parse_note (note, strlen (note), &error);
  g_assert_no_error (error);
  g_assert_false (cw_witness_set_matches (other_set, f->current));

  g_clear_pointer (&same, g_free);
  same = cw_witness_set_format (ORIGIN, 4, 1, same_keys, &error);
  g_assert_no_error (error);
  other_quorum = cw_witness_set_parse_text (same, &error);
  g_assert_no_error (error);
  g_assert_false (cw_witness_set_matches (other_quorum, f->current));

  /* Not a signed note: no blank line, or a NUL inside. */
  g_assert_null (cw_witness_set_parse_note (same, strlen (same), &error));
  g_assert_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_null (cw_witness_set_parse_note (note, strlen (note) + 1, &error));
  g_assert_error (error, CW_WITNESS_SET_ERROR, CW_WITNESS_SET_ERROR_MALFORMED);
}

int
main (int   argc,
      char *argv[])
{
  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/witness-set/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("accepted", test_accepted);
  ADD ("log-only", test_log_only);
  ADD ("too-few-witnesses", test_too_few_witnesses);
  ADD ("cosignature-key", test_cosignature_key_is_not_a_set_signature);
  ADD ("witnesses-without-log", test_witnesses_without_log);
  ADD ("other-log", test_other_log);
  ADD ("old-version", test_old_version);
  ADD ("altered", test_altered);
  ADD ("malformed", test_malformed);
  ADD ("parse-note-and-matches", test_parse_note_and_matches);
#undef ADD

  return g_test_run ();
}
