/* test-node-invite.c: `consent-node invite` writing the clinic's signed
 * invite: the URI on standard output, the .cwinvite file, the QR code PNG
 * that zbarimg (zbar-tools) decodes back to exactly the URI, the printable
 * PDF sheet, the node profile inside, and refusals that register no code. */
#define _GNU_SOURCE
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cw-invite.h"
#include "cw-tls-pin.h"
#include "node-test-tx.h"

typedef struct {
  TxNode node;
  char *out;
  char *key_path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  tx_node_setup (&f->node);
  f->out = g_build_filename (f->node.tmpdir, "out", NULL);
  g_assert_cmpint (g_mkdir (f->out, 0700), ==, 0);
  f->key_path = g_strdup_printf ("%s/gp-one.key", f->node.tmpdir);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tx_node_teardown (&f->node);
  g_free (f->out);
  g_free (f->key_path);
}

static guint64
pending_invites (Fixture *f)
{
  g_autoptr(NodeRun) run = node_test_run ("status", "--dir", f->node.dir, NULL);
  g_autofree char *value = node_test_get_field (run->out, "pending-invites");

  g_assert_cmpint (run->exit_status, ==, 0);
  return g_ascii_strtoull (value, NULL, 10);
}

/* zbarimg's decoding of @png, or NULL (test skipped) without zbarimg. */
static char *
decode_qr (const char *png)
{
  g_autofree char *zbarimg = g_find_program_in_path ("zbarimg");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  if (zbarimg == NULL)
    return NULL;
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, zbarimg, "--quiet", "--raw", png, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  /* zbarimg ends each symbol with a newline. */
  g_assert_true (g_str_has_suffix (out, "\n"));
  out[strlen (out) - 1] = '\0';
  return out;
}

static void
test_files (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(NodeRun) run = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *file = g_build_filename (f->out, "gp-one-invite.cwinvite", NULL);
  g_autofree char *png = g_build_filename (f->out, "gp-one-invite-qr.png", NULL);
  g_autofree char *pdf = g_build_filename (f->out, "gp-one-invite-sheet.pdf", NULL);
  g_autofree char *note = NULL;
  g_autofree char *sheet = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *log_key = NULL;
  g_autoptr(CwInvite) invite = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(GError) error = NULL;
  const CwInviteGrant *grant;
  const CwNodeProfile *profile;
  gsize sheet_len = 0;

  run = node_test_run ("invite", "--dir", f->node.dir, "--provider", "gp-one", "--key",
                       f->key_path, "--url", "https://127.0.0.1:8443", "--out-dir", f->out,
                       "--sheet", "--grant-scopes", "summary,vitals", "--grant-purpose",
                       "CAREMGT", "--grant-access", "view,store", "--grant-days", "90", NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  lines = g_strsplit (run->out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpuint (strlen (lines[0]), ==, 23);
  g_assert_true (g_str_has_prefix (lines[1], "consentwallet:"));
  g_assert_cmpint (node_test_file_mode (file), ==, 0600);

  /* The file is the signed note the URI carries, and it verifies with the
   * clinic's directory key. */
  g_file_get_contents (file, &note, NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree char *uri = cw_invite_note_to_uri (note);

    g_assert_cmpstr (uri, ==, lines[1]);
  }
  invite = cw_invite_parse (lines[1], strlen (lines[1]), &error);
  g_assert_no_error (error);
  g_assert_true (cw_invite_verify_signature (invite,
                                             cw_signing_key_get_public_key (f->node.gp_key),
                                             &error));
  g_assert_false (cw_invite_verify_signature (invite,
                                              cw_signing_key_get_public_key (f->node.lab_key),
                                              NULL));
  g_assert_cmpstr (cw_invite_get_code (invite), ==, lines[0]);
  g_assert_cmpstr (cw_invite_get_clinic (invite), ==, "gp-one");
  grant = cw_invite_get_proposed_grant (invite);
  g_assert_nonnull (grant);
  g_assert_cmpint (grant->scopes, ==, CW_SCOPE_SUMMARY | CW_SCOPE_VITALS);
  g_assert_cmpint (grant->purpose, ==, CW_PURPOSE_CAREMGT);
  g_assert_cmpint (grant->access, ==, CW_ACCESS_VIEW | CW_ACCESS_STORE);
  g_assert_cmpuint (grant->days, ==, 90);

  /* The node profile is the node's own: its TLS pin and log key. */
  profile = cw_invite_get_node_profile (invite);
  cert = g_tls_certificate_new_from_file (f->node.cert_path, &error);
  g_assert_no_error (error);
  pin = cw_tls_pin_for_certificate (cert, &error);
  g_assert_no_error (error);
  log_key = cw_verifier_key_to_string (f->node.log_key);
  g_assert_cmpstr (profile->url, ==, "https://127.0.0.1:8443");
  g_assert_cmpstr (profile->tls_pin, ==, pin);
  g_assert_cmpstr (profile->log_key, ==, log_key);
  g_assert_cmpuint (profile->quorum, ==, 0);

  /* The printable sheet is a one-page PDF (binary: no string search). */
  g_file_get_contents (pdf, &sheet, &sheet_len, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (sheet, "%PDF-"));
  g_assert_nonnull (memmem (sheet, sheet_len, "/Count 1", 8));

  decoded = decode_qr (png);
  if (decoded == NULL)
    {
      g_test_skip ("zbarimg (zbar-tools) is not installed");
      return;
    }
  g_assert_cmpstr (decoded, ==, lines[1]);
}

static void
test_refusals (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *existing = g_build_filename (f->out, "gp-one-invite-qr.png", NULL);
  guint64 before = pending_invites (f);
  const char *usage[][4] = {
    { "--sheet", NULL },
    { "--grant-scopes", "summary,nonsense", "--grant-purpose", "TREAT" },
    { "--grant-scopes", "summary", "--grant-purpose", "FUN" },
    { "--grant-purpose", "TREAT", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (usage); i++)
    {
      const char *args[16] = { "invite", "--dir", f->node.dir, "--provider", "gp-one", "--key",
                               f->key_path, "--url", "https://127.0.0.1:8443" };
      g_autoptr(NodeRun) run = NULL;

      for (guint j = 0; j < 4 && usage[i][j] != NULL; j++)
        args[9 + j] = usage[i][j];
      run = node_test_runv (args);
      g_assert_cmpint (run->exit_status, ==, 2);
      g_assert_cmpstr (run->out, ==, "");
    }

  /* Files already there are never replaced, and no code is made. */
  g_assert_true (g_file_set_contents (existing, "not mine", -1, NULL));
  {
    g_autoptr(NodeRun) run = node_test_run ("invite", "--dir", f->node.dir, "--provider",
                                            "gp-one", "--key", f->key_path, "--url",
                                            "https://127.0.0.1:8443", "--out-dir", f->out, NULL);
    g_autofree char *kept = NULL;

    g_assert_cmpint (run->exit_status, ==, 1);
    g_assert_cmpstr (run->out, ==, "");
    g_assert_true (g_file_get_contents (existing, &kept, NULL, NULL));
    g_assert_cmpstr (kept, ==, "not mine");
  }
  g_assert_cmpuint (pending_invites (f), ==, before);

  /* An ephemeral listen port and no --url: the code only, as before. */
  {
    g_autoptr(NodeRun) run = node_test_run ("invite", "--dir", f->node.dir, "--provider",
                                            "gp-one", "--key", f->key_path, NULL);

    g_assert_cmpint (run->exit_status, ==, 0);
    g_assert_cmpuint (strlen (run->out), ==, 24);
    g_assert_nonnull (strstr (run->err, "No invite was made"));
  }
  g_assert_cmpuint (pending_invites (f), ==, before + 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/node-invite/files", Fixture, NULL, fixture_setup, test_files, fixture_teardown);
  g_test_add ("/node-invite/refusals", Fixture, NULL, fixture_setup, test_refusals,
              fixture_teardown);

  return g_test_run ();
}
