/* test-cli-invite.c: clinic onboarding with signed invites and recovery
 * with the recovery code, through the real consent-wallet-cli against a
 * real consent-node over HTTPS and real gnome-keyrings on private buses:
 * enroll from a consentwallet: URI and from a .cwinvite file, the proposed
 * grant, joining a second clinic, forged, foreign-signed, expired, reused
 * and wrong-node invites refused with nothing left behind, a restore on a
 * new device after which the node refuses the old key, and backup restores
 * killed at random moments that leave all or nothing. */
#include "config.h"

#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <string.h>

#include <sodium.h>

#include "cli-test-util.h"
#include "cw-encoding.h"
#include "cw-node-fault.h"
#include "cw-invite.h"
#include "cw-keyring.h"
#include "cw-recovery-code.h"
#include "cw-tls-pin.h"

/* Device A's bus is this process's session bus, so its keyring items can
 * be counted here. */
static CliDevice device_a;
static CliDevice device_b;

typedef struct {
  CliNode node;
  char *dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  cli_node_setup (&f->node);
  f->dir = g_build_filename (f->node.node.tmpdir, "cli", NULL);
  g_assert_cmpint (g_mkdir (f->dir, 0700), ==, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cli_node_teardown (&f->node);
  g_free (f->dir);
}

static char *
wallet_path (Fixture    *f,
             const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

/* `consent-node invite` for gp-one with the running node's URL; the extra
 * arguments are appended. Returns the URI (second line of the output). */
static char *
make_invite (Fixture    *f,
             const char *first_extra,
             ...)
{
  g_autofree char *key_path = g_strdup_printf ("%s/gp-one.key", f->node.node.tmpdir);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(NodeRun) run = NULL;
  g_auto(GStrv) lines = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, (char *) "invite");
  g_ptr_array_add (args, (char *) "--dir");
  g_ptr_array_add (args, f->node.node.dir);
  g_ptr_array_add (args, (char *) "--provider");
  g_ptr_array_add (args, (char *) "gp-one");
  g_ptr_array_add (args, (char *) "--key");
  g_ptr_array_add (args, key_path);
  g_ptr_array_add (args, (char *) "--url");
  g_ptr_array_add (args, f->node.node.server->url);
  va_start (ap, first_extra);
  for (arg = first_extra; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  run = node_test_runv ((const char * const *) args->pdata);
  g_assert_cmpint (run->exit_status, ==, 0);
  lines = g_strsplit (run->out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 2);
  g_assert_true (g_str_has_prefix (lines[1], "consentwallet:"));
  return g_strdup (lines[1]);
}

/* Items of the wallet's keyring schema on device A. */
static guint
count_keyring_items (void)
{
  const SecretSchema schema = {
    CW_KEYRING_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    { { "patient", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
  };
  g_autoptr(GError) error = NULL;
  GList *items;
  guint n;

  items = secret_password_search_sync (&schema, SECRET_SEARCH_ALL, NULL, &error, NULL);
  g_assert_no_error (error);
  n = g_list_length (items);
  g_list_free_full (items, g_object_unref);
  return n;
}

static void
assert_not_enrolled (CliDevice  *device,
                     const char *wallet)
{
  g_autoptr(CliRun) run = cli_run (device, wallet, "--json", "status", NULL);
  g_autoptr(JsonNode) status = cli_run_json (run, 0);

  g_assert_false (json_object_get_boolean_member (json_node_get_object (status), "enrolled"));
}

static guint
count_grants (CliDevice  *device,
              const char *wallet)
{
  g_autoptr(CliRun) run = cli_run (device, wallet, "--json", "grants", NULL);
  g_autoptr(JsonNode) grants = cli_run_json (run, 0);

  return json_array_get_length (json_node_get_array (grants));
}

static void
test_enroll_from_uri (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *uri = make_invite (f, "--grant-scopes", "allergies,summary", "--grant-purpose",
                                      "TREAT", "--grant-days", "30", NULL);
  g_autofree char *wallet = wallet_path (f, "uri");
  g_autoptr(CliRun) run = NULL;
  g_autoptr(JsonNode) answer = NULL;
  JsonObject *object;
  JsonObject *proposed;
  guint before = count_keyring_items ();

  run = cli_run (&device_a, wallet, "--json", "enroll", "--accept-proposed-grant", uri, NULL);
  answer = cli_run_json (run, 0);
  object = json_node_get_object (answer);
  g_assert_cmpstr (json_object_get_string_member (object, "clinic"), ==, "gp-one");
  g_assert_cmpstr (json_object_get_string_member (object, "node"), ==, f->node.node.server->url);
  g_assert_false (json_object_get_boolean_member (object, "joined"));
  g_assert_cmpuint (strlen (json_object_get_string_member (object, "recovery_code")), ==,
                    CW_RECOVERY_CODE_LENGTH);
  proposed = json_object_get_object_member (object, "proposed_grant");
  g_assert_cmpstr (json_object_get_string_member (proposed, "purpose"), ==, "TREAT");
  g_assert_cmpint (json_object_get_int_member (proposed, "days"), ==, 30);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (proposed, "scopes")), ==,
                    2);
  g_assert_true (json_object_has_member (object, "grant_id"));
  g_assert_cmpuint (count_keyring_items (), ==, before + 1);
  /* The proposed grant was signed, logged and verified. */
  g_assert_cmpuint (count_grants (&device_a, wallet), ==, 1);
}

/* A proposal with a sensitive category is never accepted in one step:
 * --accept-proposed-grant is refused before anything is made or sent; the
 * same invite enrolls without it, and nothing is granted. */
static void
test_sensitive_proposal (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *uri = make_invite (f, "--grant-scopes", "summary,mental-health",
                                      "--grant-purpose", "TREAT", "--grant-days", "30", NULL);
  g_autofree char *wallet = wallet_path (f, "sensitive");
  g_autoptr(CliRun) run = NULL;
  guint before = count_keyring_items ();

  run = cli_run (&device_a, wallet, "enroll", "--accept-proposed-grant", uri, NULL);
  g_assert_cmpint (run->status, ==, 2);
  if (strstr (run->err, "includes your mental health: sensitive") == NULL)
    g_error ("no mention of the sensitive category in: %s", run->err);
  assert_not_enrolled (&device_a, wallet);
  g_assert_cmpuint (count_keyring_items (), ==, before);
  g_clear_pointer (&run, cli_run_free);

  run = cli_run (&device_a, wallet, "enroll", uri, NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpuint (count_grants (&device_a, wallet), ==, 0);
}

static void
test_enroll_from_file (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *out = wallet_path (f, "out");
  g_autofree char *uri = NULL;
  g_autofree char *file = NULL;
  g_autofree char *wallet = wallet_path (f, "file");
  g_autofree char *note = NULL;
  g_autoptr(CliRun) run = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  g_assert_cmpint (g_mkdir (out, 0700), ==, 0);
  uri = make_invite (f, "--out-dir", out, NULL);
  file = g_build_filename (out, "gp-one-invite.cwinvite", NULL);
  g_file_get_contents (file, &note, NULL, &error);
  g_assert_no_error (error);
  /* The file is the note the URI carries. */
  {
    g_autofree char *from_note = cw_invite_note_to_uri (note);

    g_assert_cmpstr (from_note, ==, uri);
  }

  run = cli_run (&device_a, wallet, "--json", "enroll", file, NULL);
  answer = cli_run_json (run, 0);
  object = json_node_get_object (answer);
  g_assert_cmpstr (json_object_get_string_member (object, "clinic"), ==, "gp-one");
  g_assert_true (json_object_has_member (object, "recovery_code"));
  g_assert_false (json_object_has_member (object, "proposed_grant"));
  g_clear_pointer (&run, cli_run_free);

  /* Plain text too; an invite without a grant cannot accept one. */
  run = cli_run (&device_a, wallet, "status", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "gp-one"));
}

/* An invite made and signed here with @signer, for @clinic's code @code. */
static char *
craft_invite_pinned (Fixture       *f,
                     const char    *pin,
                     const char    *log_key,
                     const char    *code,
                     gint64         expires,
                     CwSigningKey  *signer)
{
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(CwInvite) invite = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;

  profile = cw_node_profile_new (f->node.node.server->url, pin, log_key, NULL, 0, &error);
  g_assert_no_error (error);
  invite = cw_invite_new (profile, "gp-one", code, expires, NULL, &error);
  g_assert_no_error (error);
  note = cw_invite_sign (invite, signer, &error);
  g_assert_no_error (error);
  return cw_invite_note_to_uri (note);
}

static char *
craft_invite (Fixture       *f,
              const char    *log_key,
              const char    *code,
              gint64         expires,
              CwSigningKey  *signer)
{
  return craft_invite_pinned (f, f->node.pin, log_key, code, expires, signer);
}

static void
expect_refused (Fixture    *f,
                const char *name,
                const char *invite,
                int         status,
                const char *message)
{
  g_autofree char *wallet = wallet_path (f, name);
  g_autoptr(CliRun) run = NULL;
  guint before = count_keyring_items ();

  run = cli_run (&device_a, wallet, "enroll", invite, NULL);
  g_assert_cmpint (run->status, ==, status);
  if (strstr (run->err, message) == NULL)
    g_error ("“%s” not in: %s", message, run->err);
  /* Nothing behind: no identity in the store, no keyring item. */
  assert_not_enrolled (&device_a, wallet);
  g_assert_cmpuint (count_keyring_items (), ==, before);
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *good = make_invite (f, NULL);
  g_autofree char *code = tx_node_invite (&f->node.node, "gp-one");
  g_autofree char *text = NULL;
  g_autofree char *tampered = NULL;
  g_autofree char *foreign = NULL;
  g_autofree char *expired = NULL;
  g_autofree char *wrong_log = NULL;
  g_autofree char *other_log = NULL;
  g_autofree char *wrong_pin = NULL;
  g_autofree char *file = wallet_path (f, "big.cwinvite");
  g_autofree char *big = g_strnfill (100000, 'A');
  g_autoptr(CwSigningKey) stranger = NULL;
  g_autoptr(GBytes) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *wallet = wallet_path (f, "first");
  g_autoptr(CliRun) run = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  char *line;

  /* A field changed after signing. */
  decoded = cw_base64url_decode (good + strlen ("consentwallet:"), -1, &error);
  g_assert_no_error (error);
  text = g_strndup (g_bytes_get_data (decoded, NULL), g_bytes_get_size (decoded));
  line = strstr (text, "\ncode ");
  g_assert_nonnull (line);
  line[6] = line[6] == 'A' ? 'B' : 'A';
  tampered = cw_invite_note_to_uri (text);
  expect_refused (f, "tampered", tampered, 1, "not signed by the key of clinic “gp-one”");

  /* Signed by another provider's key under gp-one's name. */
  foreign = craft_invite (f, f->node.log_key, code, now + 3600, f->node.node.lab_key);
  expect_refused (f, "foreign", foreign, 1, "not signed by the key of clinic “gp-one”");

  /* Expired, though signed by the clinic with a live code. */
  expired = craft_invite (f, f->node.log_key, code, now - 60, f->node.node.gp_key);
  expect_refused (f, "expired", expired, 1, "This invite expired on");

  /* A log key that is not the node's. */
  stranger = cw_signing_key_generate (TX_TEST_ORIGIN, CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  other_log = cw_verifier_key_to_string (cw_signing_key_get_verifier (stranger));
  wrong_log = craft_invite (f, other_log, code, now + 3600, f->node.node.gp_key);
  expect_refused (f, "wrong-log", wrong_log, 1, "log key");

  /* A TLS pin that is not the node's certificate key. */
  wrong_pin = craft_invite_pinned (f, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", f->node.log_key,
                                   code, now + 3600, f->node.node.gp_key);
  expect_refused (f, "wrong-pin", wrong_pin, 1, "not the pinned one");

  /* Not an invite at all, and far too big. */
  expect_refused (f, "malformed", "consentwallet:not*base64url", 1, "not a valid invite");
  g_file_set_contents (file, big, -1, &error);
  g_assert_no_error (error);
  expect_refused (f, "oversized", file, 1, "too long to be an invite");

  /* No keyring to keep the key in: refused before the code is used, so
   * the same invite works once a keyring is there. */
  {
    CliDevice no_keyring = device_a;
    g_autofree char *nk_wallet = wallet_path (f, "no-keyring");
    g_autoptr(CliRun) nk = NULL;

    no_keyring.address = (char *) "unix:path=/nonexistent/bus";
    nk = cli_run (&no_keyring, nk_wallet, "enroll", good, NULL);
    g_assert_cmpint (nk->status, ==, 1);
    g_assert_nonnull (strstr (nk->err, "keyring"));
    assert_not_enrolled (&device_a, nk_wallet);
  }

  /* Used once, then refused by the node. */
  run = cli_run (&device_a, wallet, "enroll", good, NULL);
  g_assert_cmpint (run->status, ==, 0);
  expect_refused (f, "reused", good, 1, "already used");
}

static void
test_join (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *first = make_invite (f, NULL);
  g_autofree char *second = make_invite (f, "--grant-scopes", "vitals", "--grant-purpose",
                                         "CAREMGT", NULL);
  g_autofree char *wallet = wallet_path (f, "join");
  g_autoptr(CliRun) run = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(CwNodeProfile) elsewhere = NULL;
  g_autoptr(CwInvite) foreign = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  g_autofree char *foreign_uri = NULL;
  g_autofree char *code = tx_node_invite (&f->node.node, "gp-one");
  g_autofree char *patient = NULL;
  JsonObject *object;
  guint items;

  run = cli_run (&device_a, wallet, "--json", "enroll", first, NULL);
  answer = cli_run_json (run, 0);
  patient = g_strdup (json_object_get_string_member (json_node_get_object (answer),
                                                     "patient_id"));
  g_clear_pointer (&run, cli_run_free);
  g_clear_pointer (&answer, json_node_unref);
  items = count_keyring_items ();

  /* The same identity joins: no new key, no recovery code, the grant
   * offered and accepted. */
  run = cli_run (&device_a, wallet, "--json", "enroll", "--accept-proposed-grant", second, NULL);
  answer = cli_run_json (run, 0);
  object = json_node_get_object (answer);
  g_assert_true (json_object_get_boolean_member (object, "joined"));
  g_assert_cmpstr (json_object_get_string_member (object, "patient_id"), ==, patient);
  g_assert_false (json_object_has_member (object, "recovery_code"));
  g_assert_true (json_object_has_member (object, "grant_id"));
  g_assert_cmpuint (count_keyring_items (), ==, items);
  g_assert_cmpuint (count_grants (&device_a, wallet), ==, 1);
  g_clear_pointer (&run, cli_run_free);

  /* An invite for another node is refused before anything is fetched. */
  elsewhere = cw_node_profile_new ("https://127.0.0.1:9", f->node.pin, f->node.log_key, NULL, 0,
                                   &error);
  g_assert_no_error (error);
  foreign = cw_invite_new (elsewhere, "gp-one", code, g_get_real_time () / G_USEC_PER_SEC + 600,
                           NULL, &error);
  g_assert_no_error (error);
  note = cw_invite_sign (foreign, f->node.node.gp_key, &error);
  g_assert_no_error (error);
  foreign_uri = cw_invite_note_to_uri (note);
  run = cli_run (&device_a, wallet, "enroll", foreign_uri, NULL);
  g_assert_cmpint (run->status, ==, 1);
  g_assert_nonnull (strstr (run->err, "for another node"));
}

static void
test_recovery (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *uri = make_invite (f, NULL);
  g_autofree char *wallet_a = wallet_path (f, "recover-a");
  g_autofree char *wallet_b = wallet_path (f, "recover-b");
  g_autofree char *wallet_c = wallet_path (f, "recover-c");
  g_autofree char *patient = NULL;
  g_autofree char *code = NULL;
  g_autofree char *typo = NULL;
  g_autoptr(CliRun) run = NULL;
  g_autoptr(JsonNode) answer = NULL;
  JsonObject *object;

  run = cli_run (&device_a, wallet_a, "--json", "enroll", uri, NULL);
  answer = cli_run_json (run, 0);
  patient = g_strdup (json_object_get_string_member (json_node_get_object (answer), "patient_id"));
  code = g_strdup (json_object_get_string_member (json_node_get_object (answer), "recovery_code"));
  g_clear_pointer (&run, cli_run_free);
  g_clear_pointer (&answer, json_node_unref);
  run = cli_run (&device_a, wallet_a, "grant", "--provider", "gp-one", "--scopes", "summary",
                 "--purpose", "TREAT", "--for", "30d", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_clear_pointer (&run, cli_run_free);

  /* A mistyped code is caught before anything happens. */
  typo = g_strdup (code);
  typo[0] = typo[0] == 'A' ? 'B' : 'A';
  run = cli_run (&device_b, wallet_b, "restore", "--recovery-code", typo, "--patient-id", patient,
                 "--invite", uri, NULL);
  g_assert_cmpint (run->status, ==, 2);
  g_assert_nonnull (strstr (run->err, "mistyped"));
  g_clear_pointer (&run, cli_run_free);
  assert_not_enrolled (&device_b, wallet_b);
  g_assert_cmpuint (cli_device_count_keys (&device_b, patient), ==, 0);

  /* Device B: fresh HOME, keyring and data dir; no patient ID typed: the
   * node finds the patient by the recovery key. */
  run = cli_run (&device_b, wallet_b, "--json", "restore", "--recovery-code", code,
                 "--invite", uri, NULL);
  answer = cli_run_json (run, 0);
  object = json_node_get_object (answer);
  g_assert_cmpstr (json_object_get_string_member (object, "patient_id"), ==, patient);
  /* enroll, grant, rotate */
  g_assert_cmpint (json_object_get_int_member (object, "transactions"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (object, "recovery_code"), !=, code);
  g_clear_pointer (&run, cli_run_free);

  /* The old grant is there, a new one is confirmed. */
  g_assert_cmpuint (count_grants (&device_b, wallet_b), ==, 1);
  run = cli_run (&device_b, wallet_b, "grant", "--provider", "lab-two", "--scopes", "lab-results",
                 "--purpose", "TREAT", "--for", "30d", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "verified"));
  g_clear_pointer (&run, cli_run_free);
  g_assert_cmpuint (count_grants (&device_b, wallet_b), ==, 2);
  run = cli_run (&device_b, wallet_b, "verify", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_clear_pointer (&run, cli_run_free);

  /* Device A's old key is refused by the node now. */
  run = cli_run (&device_a, wallet_a, "grant", "--provider", "gp-one", "--scopes", "vitals",
                 "--purpose", "TREAT", "--for", "30d", NULL);
  g_assert_cmpint (run->status, ==, 1);
  g_assert_nonnull (strstr (run->err, "bad_signature"));
  g_clear_pointer (&run, cli_run_free);

  /* So is the old recovery code, with the patient ID or without. */
  run = cli_run (&device_b, wallet_c, "restore", "--recovery-code", code, "--patient-id", patient,
                 "--invite", uri, NULL);
  g_assert_cmpint (run->status, ==, 1);
  g_assert_nonnull (strstr (run->err, "does not know this recovery code"));
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_b, wallet_c, "restore", "--recovery-code", code, "--invite", uri, NULL);
  g_assert_cmpint (run->status, ==, 1);
  g_assert_nonnull (strstr (run->err, "does not know this recovery code"));
  g_clear_pointer (&run, cli_run_free);
  assert_not_enrolled (&device_b, wallet_c);
}

/* The node stops dead after it stored the rotate and before it answered
 * (CW_NODE_FAULT=after-persist): the wallet cannot know whether the rotate
 * counts, so it keeps the new key and shows the new code; once the node is
 * back (it signs what it stored), the restore run again with that code
 * finishes the job, and the old code is refused. */
static void
test_recovery_interrupted (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *uri = make_invite (f, NULL);
  g_autofree char *wallet_a = wallet_path (f, "interrupted-a");
  g_autofree char *wallet_b = wallet_path (f, "interrupted-b");
  g_autofree char *patient = NULL;
  g_autofree char *code = NULL;
  g_autofree char *new_code = NULL;
  g_autoptr(CliRun) run = NULL;
  g_autoptr(JsonNode) answer = NULL;
  guint8 seed[CW_SEED_SIZE];
  g_autoptr(GError) error = NULL;
  const char *at;

  run = cli_run (&device_a, wallet_a, "--json", "enroll", uri, NULL);
  answer = cli_run_json (run, 0);
  patient = g_strdup (json_object_get_string_member (json_node_get_object (answer), "patient_id"));
  code = g_strdup (json_object_get_string_member (json_node_get_object (answer), "recovery_code"));
  g_clear_pointer (&run, cli_run_free);
  g_clear_pointer (&answer, json_node_unref);

  /* The same port, so that the invite still names the node. */
  cli_node_keep_port (&f->node);
  tx_node_stop (&f->node.node);
  g_setenv ("CW_NODE_FAULT", "after-persist", TRUE);
  tx_node_start (&f->node.node);
  g_unsetenv ("CW_NODE_FAULT");

  run = cli_run (&device_b, wallet_b, "restore", "--recovery-code", code, "--invite", uri, NULL);
  g_test_message ("interrupted: %s", run->err);
  g_assert_cmpint (run->status, !=, 0);
  /* The new code, on a line of its own. */
  at = strstr (run->err, "replacing the old one, is:\n\n  ");
  g_assert_nonnull (at);
  new_code = g_strndup (at + strlen ("replacing the old one, is:\n\n  "), CW_RECOVERY_CODE_LENGTH);
  g_assert_cmpint (at[strlen ("replacing the old one, is:\n\n  ") + CW_RECOVERY_CODE_LENGTH], ==, '\n');
  g_assert_true (cw_recovery_code_parse (new_code, seed, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (new_code, !=, code);
  g_clear_pointer (&run, cli_run_free);
  assert_not_enrolled (&device_b, wallet_b);
  /* The new key is kept: the node may already require it. */
  g_assert_cmpuint (cli_device_count_keys (&device_b, patient), ==, 1);

  /* The node died at the fault point; back without it. */
  g_assert_cmpint (node_test_server_stop (f->node.node.server), ==, CW_NODE_FAULT_EXIT_STATUS);
  g_clear_pointer (&f->node.node.server, node_test_server_free);
  tx_node_start (&f->node.node);

  /* The old code no longer works: the rotate was logged. */
  run = cli_run (&device_b, wallet_b, "restore", "--recovery-code", code, "--invite", uri, NULL);
  g_assert_cmpint (run->status, ==, 1);
  g_assert_nonnull (strstr (run->err, "does not know this recovery code"));
  g_clear_pointer (&run, cli_run_free);

  /* The new one finishes the job. */
  run = cli_run (&device_b, wallet_b, "--json", "restore", "--recovery-code", new_code,
                 "--invite", uri, NULL);
  answer = cli_run_json (run, 0);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (answer), "patient_id"),
                   ==, patient);
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_b, wallet_b, "verify", NULL);
  g_assert_cmpint (run->status, ==, 0);
  /* The first attempt's key, which the node no longer takes, is gone. */
  g_assert_cmpuint (cli_device_count_keys (&device_b, patient), ==, 1);
  sodium_memzero (seed, sizeof seed);
}

/* Runs the CLI on device B and sends SIGKILL after a random delay below
 * @window_us (from the test's seed: --seed replays). TRUE if killed. */
static gboolean
run_and_kill (const char          *wallet,
              const char * const  *args,
              gint64               window_us)
{
  g_autoptr(GSubprocess) process = cli_spawnv (&device_b, wallet, args);
  g_autoptr(GError) error = NULL;

  g_usleep ((gulong) g_test_rand_int_range (0, (gint32) window_us));
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_if_signaled (process))
    return TRUE;
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  return FALSE;
}

static guint
count_history (CliDevice  *device,
               const char *wallet)
{
  g_autoptr(CliRun) run = cli_run (device, wallet, "--json", "activity", NULL);
  g_autoptr(JsonNode) activity = cli_run_json (run, 0);

  return json_array_get_length (json_object_get_array_member (json_node_get_object (activity),
                                                              "transactions"));
}

/* A backup restore killed at random moments leaves either an empty wallet
 * or the whole history, never a part: it is one store transaction. */
static void
test_restore_crash (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *uri = make_invite (f, NULL);
  g_autofree char *wallet = wallet_path (f, "crash-source");
  g_autofree char *backup = wallet_path (f, "crash.cwbackup");
  g_autofree char *pass = wallet_path (f, "crash-pass");
  g_autoptr(CliRun) run = NULL;
  g_autoptr(GError) error = NULL;
  const guint n_grants = 12;
  guint n_killed_empty = 0;
  guint n_complete = 0;

  run = cli_run (&device_a, wallet, "enroll", uri, NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_clear_pointer (&run, cli_run_free);
  for (guint i = 0; i < n_grants; i++)
    {
      run = cli_run (&device_a, wallet, "grant", "--provider", i % 2 ? "gp-one" : "lab-two",
                     "--scopes", "summary", "--purpose", "TREAT", "--for", "30d", NULL);
      g_assert_cmpint (run->status, ==, 0);
      g_clear_pointer (&run, cli_run_free);
    }
  g_file_set_contents (pass, "crash test passphrase\n", -1, &error);
  g_assert_no_error (error);
  run = cli_run (&device_a, wallet, "backup", "-o", backup, "--passphrase-file", pass, NULL);
  g_assert_cmpint (run->status, ==, 0);

  for (guint round = 0; round < 8; round++)
    {
      g_autofree char *name = g_strdup_printf ("crash-%u", round);
      g_autofree char *target = wallet_path (f, name);
      const char *args[] = { "restore", backup, "--passphrase-file", pass, NULL };
      g_autoptr(CliRun) status = NULL;
      g_autoptr(JsonNode) answer = NULL;
      gboolean killed;

      killed = run_and_kill (target, args, 4 * G_USEC_PER_SEC);
      status = cli_run (&device_b, target, "--json", "status", NULL);
      answer = cli_run_json (status, 0);
      if (json_object_get_boolean_member (json_node_get_object (answer), "enrolled"))
        {
          g_assert_cmpuint (count_history (&device_b, target), ==, n_grants + 1);
          n_complete++;
        }
      else
        {
          g_assert_true (killed);
          n_killed_empty++;
        }
    }
  g_test_message ("restores killed before their commit: %u, complete: %u", n_killed_empty,
                  n_complete);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  cli_device_start (&device_a);
  cli_device_start (&device_b);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", device_a.address, TRUE);

  g_test_add ("/cli-invite/enroll-from-uri", Fixture, NULL, fixture_setup, test_enroll_from_uri,
              fixture_teardown);
  g_test_add ("/cli-invite/sensitive-proposal", Fixture, NULL, fixture_setup,
              test_sensitive_proposal, fixture_teardown);
  g_test_add ("/cli-invite/enroll-from-file", Fixture, NULL, fixture_setup, test_enroll_from_file,
              fixture_teardown);
  g_test_add ("/cli-invite/refused", Fixture, NULL, fixture_setup, test_refused, fixture_teardown);
  g_test_add ("/cli-invite/join", Fixture, NULL, fixture_setup, test_join, fixture_teardown);
  g_test_add ("/cli-invite/recovery", Fixture, NULL, fixture_setup, test_recovery,
              fixture_teardown);
  g_test_add ("/cli-invite/recovery-interrupted", Fixture, NULL, fixture_setup,
              test_recovery_interrupted, fixture_teardown);
  g_test_add ("/cli-invite/restore-crash", Fixture, NULL, fixture_setup, test_restore_crash,
              fixture_teardown);

  status = g_test_run ();
  cli_device_stop (&device_b);
  cli_device_stop (&device_a);
  return status;
}
