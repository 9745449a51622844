/* test-invite.c: CwInvite (PROTOCOL.md §11) and the recovery code (§12):
 * a good invite round-trips through its note and its URI and verifies with
 * the clinic's key; a wrong key, a changed byte, unknown or repeated fields,
 * malformed URIs and oversized input are refused with their own errors;
 * recovery codes survive typing habits and catch typos. */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-invite.h"
#include "cw-note.h"
#include "cw-recovery-code.h"

#define EM_DASH "\xe2\x80\x94"

typedef struct {
  CwSigningKey *clinic;
  CwSigningKey *other;
  CwNodeProfile *profile;
  char *log_vkey;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSigningKey) log_key = NULL;
  g_autoptr(CwSigningKey) witness = NULL;
  g_autofree char *witness_vkey = NULL;
  const char *witnesses[2] = { NULL, NULL };

  f->clinic = cw_signing_key_generate ("gp-one", CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  f->other = cw_signing_key_generate ("gp-one", CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  log_key = cw_signing_key_generate ("consent.test/log", CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  witness = cw_signing_key_generate ("witness.test", CW_KEY_TYPE_COSIGNATURE_V1, &error);
  g_assert_no_error (error);
  f->log_vkey = cw_verifier_key_to_string (cw_signing_key_get_verifier (log_key));
  witness_vkey = cw_verifier_key_to_string (cw_signing_key_get_verifier (witness));
  witnesses[0] = witness_vkey;
  f->profile = cw_node_profile_new ("https://node.test:8443", "sha256pin=", f->log_vkey,
                                    witnesses, 1, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cw_signing_key_unref (f->clinic);
  cw_signing_key_unref (f->other);
  cw_node_profile_free (f->profile);
  g_free (f->log_vkey);
}

static char *
sign_new (Fixture              *f,
          const CwInviteGrant  *grant,
          CwSigningKey         *key)
{
  g_autoptr(CwInvite) invite = NULL;
  g_autoptr(GError) error = NULL;
  char *note;

  invite = cw_invite_new (f->profile, "gp-one", "ABCDE-FGHIJ-KLMNO-PQRST", 4102444800, grant,
                          &error);
  g_assert_no_error (error);
  note = cw_invite_sign (invite, key, &error);
  g_assert_no_error (error);
  return note;
}

static void
test_good (Fixture       *f,
           gconstpointer  data)
{
  const CwInviteGrant grant = { CW_SCOPE_SUMMARY | CW_SCOPE_ALLERGIES, CW_PURPOSE_TREAT,
                                CW_ACCESS_VIEW | CW_ACCESS_STORE, 365 };
  g_autofree char *note = sign_new (f, &grant, f->clinic);
  g_autofree char *uri = cw_invite_note_to_uri (note);
  g_autofree char *padded = g_strdup_printf ("  %s\n", uri);
  g_autoptr(CwInvite) from_note = NULL;
  g_autoptr(CwInvite) from_uri = NULL;
  g_autoptr(GError) error = NULL;
  const CwInviteGrant *parsed;
  const CwNodeProfile *profile;

  g_assert_true (g_str_has_prefix (note, CW_INVITE_HEADER "\nnode https://node.test:8443\n"));
  g_assert_nonnull (strstr (note, "\ngrant allergies,summary TREAT store,view 365\n\n" EM_DASH
                                  " gp-one "));
  g_assert_true (g_str_has_prefix (uri, "consentwallet:"));
  g_assert_null (strpbrk (uri + strlen ("consentwallet:"), "+/="));

  from_note = cw_invite_parse (note, strlen (note), &error);
  g_assert_no_error (error);
  from_uri = cw_invite_parse (padded, strlen (padded), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cw_invite_get_note (from_uri), ==, note);

  g_assert_false (cw_invite_is_verified (from_uri));
  g_assert_true (cw_invite_verify_signature (from_uri, cw_signing_key_get_public_key (f->clinic),
                                             &error));
  g_assert_no_error (error);
  g_assert_true (cw_invite_is_verified (from_uri));

  profile = cw_invite_get_node_profile (from_uri);
  g_assert_true (cw_node_profile_equal (profile, f->profile));
  g_assert_cmpstr (cw_invite_get_clinic (from_uri), ==, "gp-one");
  g_assert_cmpstr (cw_invite_get_code (from_uri), ==, "ABCDE-FGHIJ-KLMNO-PQRST");
  g_assert_cmpint (cw_invite_get_expires (from_uri), ==, 4102444800);
  parsed = cw_invite_get_proposed_grant (from_uri);
  g_assert_nonnull (parsed);
  g_assert_cmpint (parsed->scopes, ==, grant.scopes);
  g_assert_cmpint (parsed->purpose, ==, grant.purpose);
  g_assert_cmpint (parsed->access, ==, grant.access);
  g_assert_cmpuint (parsed->days, ==, 365);

  g_assert_true (cw_invite_check_expiry (from_uri, 4102444799, &error));
  g_assert_false (cw_invite_check_expiry (from_uri, 4102444800, &error));
  g_assert_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_EXPIRED);
}

static void
test_bad_signature (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *note = sign_new (f, NULL, f->other);
  g_autofree char *good = sign_new (f, NULL, f->clinic);
  g_autoptr(CwInvite) invite = NULL;
  g_autoptr(CwInvite) changed = NULL;
  g_autoptr(GError) error = NULL;
  char *code;

  /* Signed by a key that is not the clinic's directory key. */
  invite = cw_invite_parse (note, strlen (note), &error);
  g_assert_no_error (error);
  g_assert_false (cw_invite_verify_signature (invite, cw_signing_key_get_public_key (f->clinic),
                                              &error));
  g_assert_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_BAD_SIGNATURE);
  g_assert_false (cw_invite_is_verified (invite));
  g_clear_error (&error);

  /* One byte of the text changed after signing. */
  code = strstr (good, "code ABCDE");
  code[5] = 'Z';
  changed = cw_invite_parse (good, strlen (good), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cw_invite_get_code (changed), ==, "ZBCDE-FGHIJ-KLMNO-PQRST");
  g_assert_false (cw_invite_verify_signature (changed, cw_signing_key_get_public_key (f->clinic),
                                              &error));
  g_assert_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_BAD_SIGNATURE);
}

/* A note with @text signed by the clinic, parsed. */
static CwInvite *
parse_signed_text (Fixture     *f,
                   const char  *text,
                   GError     **error)
{
  g_autofree char *note = cw_note_sign (text, &f->clinic, 1, NULL);

  g_assert_nonnull (note);
  return cw_invite_parse (note, strlen (note), error);
}

static void
test_fields (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *base = g_strdup_printf (CW_INVITE_HEADER "\nnode https://n.test\nlog-key %s\n"
                                           "quorum 0\nclinic gp-one\ncode X1\n"
                                           "expires 2030-01-01T00:00:00Z\n", f->log_vkey);
  struct {
    const char *text;     /* appended to, or replacing, the base */
    gboolean replace;
    GQuark domain;
    int code;
  } cases[] = {
    { "", FALSE, 0, 0 },
    { "colour blue\n", FALSE, CW_INVITE_ERROR, CW_INVITE_ERROR_UNSUPPORTED },
    { "grant summary TREAT view 30\ngrant summary TREAT view 30\n", FALSE, CW_INVITE_ERROR,
      CW_INVITE_ERROR_MALFORMED },
    { "grant summary,allergies TREAT view 30\n", FALSE, CW_INVITE_ERROR, CW_INVITE_ERROR_MALFORMED },
    { "grant summary TREAT view 0\n", FALSE, CW_INVITE_ERROR, CW_INVITE_ERROR_MALFORMED },
    { "grant summary FUN view 3\n", FALSE, CW_INVITE_ERROR, CW_INVITE_ERROR_MALFORMED },
    { "tls-pin late\n", FALSE, CW_INVITE_ERROR, CW_INVITE_ERROR_MALFORMED },
    { "consentwallet.github.io/invite/v2\nnode https://n.test\n", TRUE, CW_INVITE_ERROR,
      CW_INVITE_ERROR_UNSUPPORTED },
    { CW_INVITE_HEADER "\nnode https://n.test\nquorum 0\n", TRUE, CW_INVITE_ERROR,
      CW_INVITE_ERROR_MALFORMED },
    { CW_INVITE_HEADER "\nnode http://n.test\n", TRUE, CW_INVITE_ERROR,
      CW_INVITE_ERROR_MALFORMED },
    /* Fuzzing found this one (SECURITY.md F4): the URL is written exactly. */
    { CW_INVITE_HEADER "\nnode httpS://n.test\n", TRUE, CW_INVITE_ERROR,
      CW_INVITE_ERROR_MALFORMED },
    { CW_INVITE_HEADER "\nnode https://user@n.test\n", TRUE, CW_INVITE_ERROR,
      CW_INVITE_ERROR_MALFORMED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = NULL;
      g_autoptr(CwInvite) invite = NULL;
      g_autoptr(GError) error = NULL;

      if (cases[i].replace)
        {
          g_autofree char *rest = g_strdup_printf ("log-key %s\nquorum 0\nclinic gp-one\ncode X1\n"
                                                   "expires 2030-01-01T00:00:00Z\n", f->log_vkey);

          text = g_str_has_suffix (cases[i].text, "quorum 0\n")
                 ? g_strdup (cases[i].text) : g_strconcat (cases[i].text, rest, NULL);
        }
      else
        {
          text = g_strconcat (base, cases[i].text, NULL);
        }
      g_test_message ("case %u", i);
      invite = parse_signed_text (f, text, &error);
      if (cases[i].domain == 0)
        {
          g_assert_no_error (error);
          g_assert_nonnull (invite);
          g_assert_null (cw_invite_get_proposed_grant (invite));
        }
      else
        {
          g_assert_error (error, cases[i].domain, cases[i].code);
          g_assert_null (invite);
        }
    }
}

static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *note = sign_new (f, NULL, f->clinic);
  g_autofree char *uri = cw_invite_note_to_uri (note);
  g_autofree char *unsigned_note = g_strndup (note, strstr (note, "\n\n") + 2 - note);
  g_autofree char *padded_uri = g_strconcat (uri, "=", NULL);
  g_autofree char *other_signer = NULL;
  const char *inputs[] = {
    "",
    "consentwallet:",
    "consentwallet:@@@@",
    "consentwallet:A",
    "https://example.org/",
    "hello\n\n" EM_DASH " gp-one AAAA\n",
    unsigned_note,
    padded_uri,
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(CwInvite) invite = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("input %u", i);
      invite = cw_invite_parse (inputs[i], strlen (inputs[i]), &error);
      g_assert_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_MALFORMED);
      g_assert_null (invite);
    }

  /* A NUL inside. */
  {
    g_autoptr(CwInvite) invite = NULL;
    g_autoptr(GError) error = NULL;

    invite = cw_invite_parse (note, strlen (note) + 1, &error);
    g_assert_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_MALFORMED);
  }

  /* Signed only by somebody else's name. */
  other_signer = g_strdup (note);
  memcpy (strstr (other_signer, EM_DASH " gp-one") + 4, "gp-two", 6);
  {
    g_autoptr(CwInvite) invite = NULL;
    g_autoptr(GError) error = NULL;

    invite = cw_invite_parse (other_signer, strlen (other_signer), &error);
    g_assert_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_BAD_SIGNATURE);
  }
}

static void
test_oversized (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *huge = g_strnfill (CW_INVITE_MAX_URI_LENGTH + 1, 'A');
  g_autofree char *huge_note = NULL;
  g_autofree char *huge_uri = NULL;
  g_autoptr(CwInvite) invite = NULL;
  g_autoptr(GError) error = NULL;
  GString *witnesses = g_string_new (NULL);

  memcpy (huge, "consentwallet:", 14);
  invite = cw_invite_parse (huge, strlen (huge), &error);
  g_assert_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* A URI within the limit whose note is over it cannot exist: base64url
   * of 4097 bytes is longer. A plain note over the limit is refused. */
  for (guint i = 0; i < 80; i++)
    g_string_append_printf (witnesses, "comment-%u %s\n", i, f->log_vkey);
  huge_note = g_strconcat (CW_INVITE_HEADER "\n", witnesses->str, "\n" EM_DASH " gp-one AAAA\n",
                           NULL);
  g_string_free (witnesses, TRUE);
  g_assert_cmpuint (strlen (huge_note), >, CW_INVITE_MAX_NOTE_LENGTH);
  invite = cw_invite_parse (huge_note, strlen (huge_note), &error);
  g_assert_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_TOO_LARGE);
  g_clear_error (&error);

  huge_uri = cw_invite_note_to_uri (huge_note);
  invite = cw_invite_parse (huge_uri, strlen (huge_uri), &error);
  g_assert_error (error, CW_INVITE_ERROR, CW_INVITE_ERROR_TOO_LARGE);
}

static void
test_recovery_code (void)
{
  guint8 seed[CW_SEED_SIZE];
  guint8 back[CW_SEED_SIZE];
  g_autoptr(GError) error = NULL;
  char *code;
  g_autofree char *relaxed = NULL;
  g_autofree char *typo = NULL;
  g_autofree char *swapped = NULL;

  randombytes_buf (seed, sizeof seed);
  code = cw_recovery_code_format (seed);
  g_assert_cmpuint (strlen (code), ==, CW_RECOVERY_CODE_LENGTH);
  for (guint i = 4; i < CW_RECOVERY_CODE_LENGTH; i += 5)
    g_assert_cmpint (code[i], ==, '-');

  g_assert_true (cw_recovery_code_parse (code, back, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (back, sizeof back, seed, sizeof seed);

  /* Lower case, spaces for dashes, O written as 0. */
  relaxed = g_ascii_strdown (code, -1);
  g_strdelimit (relaxed, "-", ' ');
  g_strdelimit (relaxed, "o", '0');
  g_assert_true (cw_recovery_code_parse (relaxed, back, &error));
  g_assert_cmpmem (back, sizeof back, seed, sizeof seed);

  /* Every single changed letter is caught. */
  typo = g_strdup (code);
  for (guint i = 0; i < CW_RECOVERY_CODE_LENGTH; i++)
    {
      char saved = typo[i];

      if (saved == '-')
        continue;
      typo[i] = saved == 'A' ? 'B' : 'A';
      g_assert_false (cw_recovery_code_parse (typo, back, &error));
      g_assert_error (error, CW_RECOVERY_CODE_ERROR, CW_RECOVERY_CODE_ERROR_CHECKSUM);
      g_clear_error (&error);
      typo[i] = saved;
    }

  /* Two neighbours swapped. */
  swapped = g_strdup (code);
  if (swapped[0] != swapped[1])
    {
      swapped[0] = code[1];
      swapped[1] = code[0];
      g_assert_false (cw_recovery_code_parse (swapped, back, &error));
      g_assert_error (error, CW_RECOVERY_CODE_ERROR, CW_RECOVERY_CODE_ERROR_CHECKSUM);
      g_clear_error (&error);
    }

  g_assert_false (cw_recovery_code_parse ("ABCD-EFGH", back, &error));
  g_assert_error (error, CW_RECOVERY_CODE_ERROR, CW_RECOVERY_CODE_ERROR_LENGTH);
  g_clear_error (&error);
  typo[0] = '9';
  g_assert_false (cw_recovery_code_parse (typo, back, &error));
  g_assert_error (error, CW_RECOVERY_CODE_ERROR, CW_RECOVERY_CODE_ERROR_CHARACTER);
  g_clear_error (&error);
  {
    g_autofree char *longer = g_strconcat (code, "-ABCD", NULL);

    g_assert_false (cw_recovery_code_parse (longer, back, &error));
    g_assert_error (error, CW_RECOVERY_CODE_ERROR, CW_RECOVERY_CODE_ERROR_LENGTH);
  }
  cw_secure_string_free (code);
}

int
main (int   argc,
      char *argv[])
{
  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/invite/good", Fixture, NULL, fixture_setup, test_good, fixture_teardown);
  g_test_add ("/invite/bad-signature", Fixture, NULL, fixture_setup, test_bad_signature,
              fixture_teardown);
  g_test_add ("/invite/fields", Fixture, NULL, fixture_setup, test_fields, fixture_teardown);
  g_test_add ("/invite/malformed", Fixture, NULL, fixture_setup, test_malformed,
              fixture_teardown);
  g_test_add ("/invite/oversized", Fixture, NULL, fixture_setup, test_oversized,
              fixture_teardown);
  g_test_add_func ("/recovery-code/format-and-parse", test_recovery_code);

  return g_test_run ();
}
