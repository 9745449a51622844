/* test-cli.c: consent-wallet-cli end to end, as a person or a script runs
 * it: the real binary against a real consent-node over HTTPS and a real
 * gnome-keyring on a private bus. Enroll, providers, grant, grants,
 * revoke, activity, export-fhir, backup and restore onto a second device
 * with its own keyring, status, usage errors that change nothing, the
 * offline outbox, and no identity secret at rest in any file. */
/* memmem() */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "cli-test-util.h"
#include "cw-encoding.h"
#include "cw-keyring.h"

static CliDevice device_a;

typedef struct {
  CliNode node;
  char *dir;       /* scratch folder for wallets and files */
  char *wallet;    /* device A's data dir */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  cli_node_setup (&f->node);
  f->dir = g_build_filename (f->node.node.tmpdir, "cli", NULL);
  g_assert_cmpint (g_mkdir (f->dir, 0700), ==, 0);
  f->wallet = g_build_filename (f->dir, "wallet-a", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cli_node_teardown (&f->node);
  g_free (f->dir);
  g_free (f->wallet);
}

static JsonObject *
object_of (JsonNode *node)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static gboolean
json_array_has_string (JsonArray  *array,
                       const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_str_equal (json_array_get_string_element (array, i), value))
      return TRUE;
  return FALSE;
}

/* `grant` with --json; returns the transaction object's copy. */
static JsonNode *
grant_json (CliDevice  *device,
            const char *wallet,
            int         status,
            const char *scopes,
            const char *expires)
{
  g_autoptr(CliRun) run = cli_run (device, wallet, "--json", "grant", "--provider", "gp-one",
                                   "--scopes", scopes, "--purpose", "TREAT", "--expires", expires,
                                   NULL);

  return cli_run_json (run, status);
}

/* Everything a read-only look at the wallet shows. */
static char *
snapshot (Fixture *f)
{
  g_autoptr(CliRun) status = cli_run (&device_a, f->wallet, "--json", "status", NULL);
  g_autoptr(CliRun) activity = cli_run (&device_a, f->wallet, "--json", "activity", NULL);
  g_autoptr(CliRun) grants = cli_run (&device_a, f->wallet, "--json", "grants", "--all", NULL);

  g_assert_cmpint (status->status, ==, 0);
  g_assert_cmpint (activity->status, ==, 0);
  g_assert_cmpint (grants->status, ==, 0);
  return g_strconcat (status->out, activity->out, grants->out, NULL);
}

static void
test_end_to_end (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *patient = cli_enroll (&f->node, &device_a, f->wallet);
  g_autoptr(JsonNode) providers = NULL;
  g_autoptr(JsonNode) granted = NULL;
  g_autoptr(JsonNode) sensitive = NULL;
  g_autoptr(JsonNode) grants = NULL;
  g_autoptr(JsonNode) activity = NULL;
  g_autoptr(JsonNode) fhir = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(CliRun) run = NULL;
  g_autofree char *grant_id = NULL;
  g_autofree char *fhir_path = g_build_filename (f->dir, "consent.json", NULL);
  g_autofree char *fhir_text = NULL;
  JsonObject *tx, *grant;
  JsonArray *array;
  guint n_active = 0;

  /* providers --search */
  run = cli_run (&device_a, f->wallet, "--json", "providers", "--search", "gp", NULL);
  providers = cli_run_json (run, 0);
  array = json_node_get_array (providers);
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "id"),
                   ==, "gp-one");
  g_clear_pointer (&run, cli_run_free);

  /* grant, plain output for people */
  run = cli_run (&device_a, f->wallet, "grant", "--provider", "gp-one", "--scopes",
                 "medications,lab-results", "--purpose", "TREAT", "--for", "1y", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_test_message ("%s", run->out);
  g_assert_nonnull (strstr (run->out, "Granted gp-one access to your medications and lab "
                                      "results for treatment until "));
  g_assert_nonnull (strstr (run->out, "Logged at index 1, verified."));
  g_clear_pointer (&run, cli_run_free);

  /* grant --json; "all" never includes a sensitive scope */
  granted = grant_json (&device_a, f->wallet, 0, "all", "2031-06-30");
  tx = json_object_get_object_member (object_of (granted), "transaction");
  grant = json_object_get_object_member (object_of (granted), "grant");
  g_assert_cmpstr (json_object_get_string_member (tx, "state"), ==, "confirmed");
  g_assert_cmpint (json_object_get_int_member (tx, "log_index"), ==, 2);
  grant_id = g_strdup (json_object_get_string_member (tx, "id"));
  array = json_object_get_array_member (grant, "scopes");
  g_assert_cmpuint (json_array_get_length (array), ==, 10);
  g_assert_false (json_array_has_string (array, "mental-health"));
  g_assert_false (json_array_has_string (array, "genetics"));
  g_assert_cmpstr (json_object_get_string_member (grant, "expires"), ==, "2031-06-30T23:59:59Z");

  /* a sensitive scope only when named */
  sensitive = grant_json (&device_a, f->wallet, 0, "all,mental-health", "2031-06-30");
  array = json_object_get_array_member (json_object_get_object_member (object_of (sensitive),
                                                                       "grant"), "scopes");
  g_assert_cmpuint (json_array_get_length (array), ==, 11);
  g_assert_true (json_array_has_string (array, "mental-health"));
  g_assert_false (json_array_has_string (array, "substance-use"));

  /* grants --json */
  run = cli_run (&device_a, f->wallet, "--json", "grants", NULL);
  grants = cli_run_json (run, 0);
  array = json_node_get_array (grants);
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  for (guint i = 0; i < json_array_get_length (array); i++)
    n_active += g_str_equal (json_object_get_string_member (json_array_get_object_element (array, i),
                                                            "status"), "active");
  g_assert_cmpuint (n_active, ==, 3);
  g_clear_pointer (&run, cli_run_free);

  /* revoke; a second revoke fails and changes nothing */
  run = cli_run (&device_a, f->wallet, "revoke", grant_id, NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "Revoked the access of gp-one"));
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_a, f->wallet, "revoke", grant_id, NULL);
  g_assert_cmpint (run->status, ==, 1);
  g_clear_pointer (&run, cli_run_free);

  run = cli_run (&device_a, f->wallet, "--json", "grants", NULL);
  g_clear_pointer (&grants, json_node_unref);
  grants = cli_run_json (run, 0);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (grants)), ==, 2);
  g_clear_pointer (&run, cli_run_free);

  /* activity: enroll, three grants, a revoke, all confirmed, in order */
  run = cli_run (&device_a, f->wallet, "--json", "activity", NULL);
  activity = cli_run_json (run, 0);
  array = json_object_get_array_member (object_of (activity), "transactions");
  g_assert_cmpuint (json_array_get_length (array), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      JsonObject *item = json_array_get_object_element (array, i);

      g_assert_cmpint (json_object_get_int_member (item, "seq"), ==, i);
      g_assert_cmpstr (json_object_get_string_member (item, "state"), ==, "confirmed");
    }
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 4), "type"),
                   ==, "revoke");
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_a, f->wallet, "activity", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "Enrolled with gp-one"));
  g_clear_pointer (&run, cli_run_free);

  /* export-fhir, to the standard output and to a file */
  run = cli_run (&device_a, f->wallet, "export-fhir", grant_id, NULL);
  fhir = cli_run_json (run, 0);
  g_assert_cmpstr (json_object_get_string_member (object_of (fhir), "resourceType"), ==, "Consent");
  g_assert_cmpstr (json_object_get_string_member (object_of (fhir), "status"), ==, "inactive");
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_a, f->wallet, "export-fhir", grant_id, "-o", fhir_path, NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_true (g_file_get_contents (fhir_path, &fhir_text, NULL, NULL));
  g_assert_nonnull (strstr (fhir_text, "\"Consent\""));
  g_assert_cmpint (node_test_file_mode (fhir_path), ==, 0600);
  g_clear_pointer (&run, cli_run_free);

  /* sync, verify and status */
  run = cli_run (&device_a, f->wallet, "sync", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_a, f->wallet, "verify", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "No alerts."));
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_a, f->wallet, "--json", "status", NULL);
  status = cli_run_json (run, 0);
  g_assert_true (json_object_get_boolean_member (object_of (status), "enrolled"));
  g_assert_cmpstr (json_object_get_string_member (object_of (status), "patient_id"), ==, patient);
  g_assert_cmpint (json_object_get_int_member (object_of (status), "active_grants"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object_of (status), "checkpoint_size"), ==, 5);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (status),
                                                                         "waiting")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (status),
                                                                         "alerts")), ==, 0);
}

static void
test_backup_restore (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *patient = cli_enroll (&f->node, &device_a, f->wallet);
  g_autofree char *backup = g_build_filename (f->dir, "identity.cwbackup", NULL);
  g_autofree char *pass = g_build_filename (f->dir, "pass", NULL);
  g_autofree char *wrong = g_build_filename (f->dir, "wrong", NULL);
  g_autofree char *wallet_b = g_build_filename (f->dir, "wallet-b", NULL);
  g_autoptr(JsonNode) first = grant_json (&device_a, f->wallet, 0, "summary", "2030-01-01");
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(JsonNode) grants = NULL;
  g_autoptr(CliRun) run = NULL;
  g_autoptr(GError) error = NULL;
  CliDevice device_b;

  g_file_set_contents (pass, "correct horse battery staple\n", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (wrong, "not it\n", -1, &error);
  g_assert_no_error (error);

  run = cli_run (&device_a, f->wallet, "backup", "-o", backup, "--passphrase-file", pass, NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpint (node_test_file_mode (backup), ==, 0600);
  g_clear_pointer (&run, cli_run_free);
  /* Never overwritten. */
  run = cli_run (&device_a, f->wallet, "backup", "-o", backup, "--passphrase-file", pass, NULL);
  g_assert_cmpint (run->status, ==, 2);
  g_clear_pointer (&run, cli_run_free);

  /* A second device: its own HOME, bus, keyring and an empty wallet. */
  cli_device_start (&device_b);
  run = cli_run (&device_b, wallet_b, "restore", backup, "--passphrase-file", wrong, NULL);
  g_assert_cmpint (run->status, ==, 1);
  g_assert_nonnull (strstr (run->err, "passphrase"));
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_b, wallet_b, "--json", "status", NULL);
  status = cli_run_json (run, 0);
  g_assert_false (json_object_get_boolean_member (object_of (status), "enrolled"));
  g_clear_pointer (&run, cli_run_free);
  g_clear_pointer (&status, json_node_unref);

  run = cli_run (&device_b, wallet_b, "restore", backup, "--passphrase-file", pass, NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_test_message ("%s", run->out);
  g_clear_pointer (&run, cli_run_free);

  run = cli_run (&device_b, wallet_b, "--json", "status", NULL);
  status = cli_run_json (run, 0);
  g_assert_cmpstr (json_object_get_string_member (object_of (status), "patient_id"), ==, patient);
  g_assert_cmpint (json_object_get_int_member (object_of (status), "active_grants"), ==, 1);
  g_clear_pointer (&run, cli_run_free);

  /* The restored wallet signs: the node accepts its grant, next in the chain. */
  after = grant_json (&device_b, wallet_b, 0, "allergies", "2030-02-01");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object_of (after),
                                                                                 "transaction"),
                                                  "state"), ==, "confirmed");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object_of (after),
                                                                              "transaction"),
                                               "seq"), ==, 2);
  run = cli_run (&device_b, wallet_b, "--json", "grants", NULL);
  grants = cli_run_json (run, 0);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (grants)), ==, 2);
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_b, wallet_b, "verify", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_clear_pointer (&run, cli_run_free);

  /* Restoring again into a wallet that has an identity is refused. */
  run = cli_run (&device_b, wallet_b, "restore", backup, "--passphrase-file", pass, NULL);
  g_assert_cmpint (run->status, ==, 1);
  g_clear_pointer (&run, cli_run_free);

  cli_device_stop (&device_b);
}

static void
test_usage_errors (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *patient = cli_enroll (&f->node, &device_a, f->wallet);
  g_autoptr(JsonNode) first = grant_json (&device_a, f->wallet, 0, "summary", "2030-01-01");
  g_autofree char *before = snapshot (f);
  g_autofree char *after = NULL;
  const char *id = json_object_get_string_member (json_object_get_object_member (object_of (first),
                                                                                 "transaction"),
                                                  "id");
  const char *cases[][16] = {
    { "grant", "--scopes", "summary", "--purpose", "TREAT", "--for", "1w", NULL },
    { "grant", "--provider", "gp-one", "--scopes", "bogus", "--purpose", "TREAT", "--for", "1w", NULL },
    { "grant", "--provider", "gp-one", "--scopes", "", "--purpose", "TREAT", "--for", "1w", NULL },
    { "grant", "--provider", "gp-one", "--scopes", "summary", "--purpose", "NOPE", "--for", "1w", NULL },
    { "grant", "--provider", "GP One", "--scopes", "summary", "--purpose", "TREAT", "--for", "1w", NULL },
    { "grant", "--provider", "gp-one", "--scopes", "summary", "--purpose", "TREAT", NULL },
    { "grant", "--provider", "gp-one", "--scopes", "summary", "--purpose", "TREAT",
      "--expires", "2001-01-01", NULL },
    { "grant", "--provider", "gp-one", "--scopes", "summary", "--purpose", "TREAT",
      "--expires", "2031-02-30", NULL },
    { "grant", "--provider", "gp-one", "--scopes", "summary", "--purpose", "TREAT",
      "--expires", "2031-01-01", "--for", "1w", NULL },
    { "grant", "--provider", "gp-one", "--scopes", "summary", "--purpose", "TREAT", "--for", "0w", NULL },
    { "grant", "--provider", "gp-one", "--scopes", "summary", "--purpose", "TREAT", "--for", "1x", NULL },
    { "grant", "--provider", "gp-one", "--scopes", "summary", "--purpose", "TREAT", "--for", "1w",
      "--access", "edit", NULL },
    { "grant", "--provider", "gp-one", "--scopes", "summary", "--purpose", "TREAT", "--for", "1w",
      "--data-from", "2020-05-01", "--data-to", "2020-04-01", NULL },
    { "grant", "--provider", "gp-one", "--scopes", "summary", "--purpose", "TREAT", "--for", "1w",
      "extra", NULL },
    { "grant", "--bogus", NULL },
    { "revoke", NULL },
    { "revoke", "not-an-id", NULL },
    { "revoke", id, id, NULL },
    { "approve", "not-an-id", NULL },
    { "deny", NULL },
    { "export-fhir", NULL },
    { "backup", NULL },
    { "restore", NULL },
    { "grants", "--bogus", NULL },
    { "status", "extra", NULL },
    { "enroll", "--node", "http://127.0.0.1:1", "--log-key", "x", "--clinic", "gp-one",
      "--code", "abc", NULL },
    { "no-such-command", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CliRun) run = cli_runv (&device_a, f->wallet, cases[i]);
      g_autoptr(CliRun) json_run = NULL;
      g_autoptr(JsonNode) answer = NULL;
      g_autoptr(GPtrArray) with_json = g_ptr_array_new ();

      g_test_message ("case %u: %s %s", i, cases[i][0], cases[i][1] != NULL ? cases[i][1] : "");
      g_assert_cmpint (run->status, ==, 2);
      g_assert_cmpstr (run->out, ==, "");
      g_assert_cmpstr (run->err, !=, "");

      /* With --json, the error is also on the standard output, as JSON. */
      g_ptr_array_add (with_json, (char *) "--json");
      for (guint j = 0; cases[i][j] != NULL; j++)
        g_ptr_array_add (with_json, (char *) cases[i][j]);
      g_ptr_array_add (with_json, NULL);
      json_run = cli_runv (&device_a, f->wallet, (const char * const *) with_json->pdata);
      answer = cli_run_json (json_run, 2);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object_of (answer),
                                                                                     "error"),
                                                      "kind"), ==, "usage");
    }

  /* Nothing changed. */
  after = snapshot (f);
  g_assert_cmpstr (after, ==, before);
}

static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *patient = cli_enroll (&f->node, &device_a, f->wallet);
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(JsonNode) activity = NULL;
  g_autoptr(JsonNode) synced = NULL;
  g_autoptr(CliRun) run = NULL;
  JsonArray *array;

  cli_node_keep_port (&f->node);
  tx_node_stop (&f->node.node);

  first = grant_json (&device_a, f->wallet, 4, "summary", "2030-03-01");
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (object_of (first),
                                                                                "transaction"),
                                                 "waiting"));
  second = grant_json (&device_a, f->wallet, 4, "allergies", "2030-03-02");
  run = cli_run (&device_a, f->wallet, "grant", "--provider", "gp-one", "--scopes", "vitals",
                 "--purpose", "TREAT", "--for", "1m", NULL);
  g_assert_cmpint (run->status, ==, 4);
  g_assert_nonnull (strstr (run->out, "waiting to be sent"));
  g_clear_pointer (&run, cli_run_free);

  /* Visible as waiting. */
  run = cli_run (&device_a, f->wallet, "--json", "status", NULL);
  status = cli_run_json (run, 0);
  array = json_object_get_array_member (object_of (status), "waiting");
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_true (json_object_get_boolean_member (json_array_get_object_element (array, i),
                                                   "waiting"));
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_a, f->wallet, "status", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "3 changes are waiting to be sent"));
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_a, f->wallet, "activity", NULL);
  g_assert_nonnull (strstr (run->out, "waiting to be sent"));
  g_clear_pointer (&run, cli_run_free);

  /* sync while down: the queued code, still waiting */
  run = cli_run (&device_a, f->wallet, "sync", NULL);
  g_assert_cmpint (run->status, ==, 4);
  g_clear_pointer (&run, cli_run_free);

  /* Back up on the same port: sync flushes, in order. */
  tx_node_start (&f->node.node);
  run = cli_run (&device_a, f->wallet, "--json", "sync", NULL);
  synced = cli_run_json (run, 0);
  g_assert_cmpint (json_object_get_int_member (object_of (synced), "sent"), ==, 3);
  g_clear_pointer (&run, cli_run_free);

  run = cli_run (&device_a, f->wallet, "--json", "activity", NULL);
  activity = cli_run_json (run, 0);
  array = json_object_get_array_member (object_of (activity), "transactions");
  g_assert_cmpuint (json_array_get_length (array), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonObject *item = json_array_get_object_element (array, i);

      g_assert_cmpint (json_object_get_int_member (item, "seq"), ==, i);
      g_assert_cmpstr (json_object_get_string_member (item, "state"), ==, "confirmed");
      /* Log order is chain order. */
      g_assert_cmpint (json_object_get_int_member (item, "log_index"), ==, i);
    }
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_a, f->wallet, "verify", NULL);
  g_assert_cmpint (run->status, ==, 0);
}

/* A provider's request, signed with its key and posted to the node. */
static void
post_request (Fixture    *f,
              const char *patient,
              CwScopes    scopes,
              const char *reason)
{
  g_autoptr(GBytes) raw = cw_base64_decode (patient, -1, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = g_date_time_add_days (now, 90);
  g_autoptr(GDateTime) whole = g_date_time_new_from_unix_utc (g_date_time_to_unix (expires));
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(JsonObject) receipt = NULL;
  g_autoptr(GError) error = NULL;
  CwTxCommon common = { 0 };

  common.patient = g_bytes_get_data (raw, NULL);
  tx = cw_tx_new_request (&common, "gp-one", scopes, CW_PURPOSE_TREAT, CW_ACCESS_VIEW, whole,
                          reason, &error);
  g_assert_no_error (error);
  receipt = tx_submit_ok (&f->node.node, tx, f->node.node.gp_key);
}

static void
test_requests (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *patient = cli_enroll (&f->node, &device_a, f->wallet);
  g_autoptr(JsonNode) requests = NULL;
  g_autoptr(JsonNode) approved = NULL;
  g_autoptr(CliRun) run = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  JsonObject *grant;
  JsonArray *array;

  post_request (f, patient, CW_SCOPE_SUMMARY | CW_SCOPE_MEDICATIONS, "Your next appointment");
  post_request (f, patient, CW_SCOPE_GENETICS, "A study");
  run = cli_run (&device_a, f->wallet, "sync", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_clear_pointer (&run, cli_run_free);

  run = cli_run (&device_a, f->wallet, "--json", "requests", NULL);
  requests = cli_run_json (run, 0);
  array = json_node_get_array (requests);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *item = json_array_get_object_element (array, i);
      const char *reason = json_object_get_string_member (item, "reason");

      g_assert_cmpstr (json_object_get_string_member (item, "state"), ==, "pending");
      if (g_str_equal (reason, "A study"))
        second = g_strdup (json_object_get_string_member (item, "id"));
      else
        first = g_strdup (json_object_get_string_member (item, "id"));
    }
  g_clear_pointer (&run, cli_run_free);

  /* Widening is a usage error; narrowing is approved and logged. */
  run = cli_run (&device_a, f->wallet, "approve", first, "--scopes", "summary,allergies", NULL);
  g_assert_cmpint (run->status, ==, 2);
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_a, f->wallet, "--json", "approve", first, "--scopes", "summary",
                 "--for", "1m", NULL);
  approved = cli_run_json (run, 0);
  grant = json_object_get_object_member (object_of (approved), "grant");
  g_assert_cmpstr (json_object_get_string_member (grant, "request"), ==, first);
  array = json_object_get_array_member (grant, "scopes");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (array, 0), ==, "summary");
  g_clear_pointer (&run, cli_run_free);

  run = cli_run (&device_a, f->wallet, "deny", second, NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "Denied request"));
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_a, f->wallet, "deny", second, NULL);
  g_assert_cmpint (run->status, ==, 1);
  g_clear_pointer (&run, cli_run_free);

  run = cli_run (&device_a, f->wallet, "verify", NULL);
  g_assert_cmpint (run->status, ==, 0);
}

/* Secrets at rest. */

typedef struct {
  GPtrArray *needles;   /* GBytes */
  guint n_files;
  guint64 n_bytes;
  GPtrArray *found;     /* paths */
} Scan;

#define SCAN_MAX_FILE (8 * 1024 * 1024)
#define SCAN_MAX_FILES 50000
#define SCAN_MAX_DEPTH 12

static void
scan_file (Scan       *scan,
           const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return;  /* not ours to read */
  scan->n_files++;
  scan->n_bytes += len;
  for (guint i = 0; i < scan->needles->len; i++)
    {
      gsize needle_len;
      const void *needle = g_bytes_get_data (scan->needles->pdata[i], &needle_len);

      if (memmem (contents, len, needle, needle_len) != NULL)
        g_ptr_array_add (scan->found, g_strdup_printf ("%s (form %u)", path, i));
    }
}

static void
scan_tree (Scan       *scan,
           const char *path,
           guint       depth)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (depth > SCAN_MAX_DEPTH || (dir = g_dir_open (path, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL && scan->n_files < SCAN_MAX_FILES)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      GStatBuf st;

      if (g_lstat (child, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        scan_tree (scan, child, depth + 1);
      else if (S_ISREG (st.st_mode) && st.st_size <= SCAN_MAX_FILE)
        scan_file (scan, child);
    }
}

static void
add_needle (Scan       *scan,
            const void *data,
            gsize       len)
{
  g_ptr_array_add (scan->needles, g_bytes_new (data, len));
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_secrets_at_rest (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *patient = cli_enroll (&f->node, &device_a, f->wallet);
  g_autoptr(JsonNode) first = grant_json (&device_a, f->wallet, 0, "summary", "2030-01-01");
  g_autoptr(JsonNode) second = grant_json (&device_a, f->wallet, 0, "all,genetics", "2030-01-02");
  g_autofree char *backup = g_build_filename (f->dir, "identity.cwbackup", NULL);
  g_autofree char *pass = g_build_filename (f->dir, "pass", NULL);
  g_autoptr(CliRun) run = NULL;
  g_autoptr(CwKeyring) keyring = cw_keyring_new (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CwSigningKey) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *b64url = NULL;
  const char *id = json_object_get_string_member (json_object_get_object_member (object_of (first),
                                                                                 "transaction"),
                                                  "id");
  Scan scan = { 0 };
  const guint8 *seed;

  run = cli_run (&device_a, f->wallet, "revoke", id, NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_clear_pointer (&run, cli_run_free);
  g_file_set_contents (pass, "a passphrase for the test\n", -1, &error);
  g_assert_no_error (error);
  run = cli_run (&device_a, f->wallet, "backup", "-o", backup, "--passphrase-file", pass, NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_clear_pointer (&run, cli_run_free);
  run = cli_run (&device_a, f->wallet, "sync", NULL);
  g_assert_cmpint (run->status, ==, 0);

  /* The seed, from the keyring the CLI used (device A's bus). */
  cw_keyring_lookup_async (keyring, patient, NULL, "patient", NULL, done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  key = cw_keyring_lookup_finish (keyring, result, &error);
  g_assert_no_error (error);
  seed = cw_signing_key_peek_seed (key);

  scan.needles = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  scan.found = g_ptr_array_new_with_free_func (g_free);
  add_needle (&scan, seed, CW_SEED_SIZE);
  hex = g_malloc (CW_SEED_SIZE * 2 + 1);
  sodium_bin2hex (hex, CW_SEED_SIZE * 2 + 1, seed, CW_SEED_SIZE);
  add_needle (&scan, hex, strlen (hex));
  upper = g_ascii_strup (hex, -1);
  add_needle (&scan, upper, strlen (upper));
  b64 = g_base64_encode (seed, CW_SEED_SIZE);
  add_needle (&scan, b64, strlen (b64) - 1);  /* without its padding */
  b64url = g_strdup (b64);
  g_strdelimit (b64url, "+", '-');
  g_strdelimit (b64url, "/", '_');
  add_needle (&scan, b64url, strlen (b64url) - 1);

  scan_tree (&scan, f->wallet, 0);
  scan_tree (&scan, device_a.home, 0);
  scan_tree (&scan, g_get_tmp_dir (), 0);
  if (!g_str_equal (g_get_tmp_dir (), "/tmp"))
    scan_tree (&scan, "/tmp", 0);
  g_test_message ("scanned %u files, %" G_GUINT64_FORMAT " bytes", scan.n_files, scan.n_bytes);
  for (guint i = 0; i < scan.found->len; i++)
    g_test_message ("identity seed found in %s", (char *) scan.found->pdata[i]);
  g_assert_cmpuint (scan.found->len, ==, 0);
  /* The scan did look at the wallet's files. */
  g_assert_cmpuint (scan.n_files, >, 3);

  sodium_memzero (hex, strlen (hex));
  sodium_memzero (upper, strlen (upper));
  sodium_memzero (b64, strlen (b64));
  sodium_memzero (b64url, strlen (b64url));
  g_ptr_array_unref (scan.needles);
  g_ptr_array_unref (scan.found);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);
  cli_device_start (&device_a);
  /* This process looks up the seed in device A's keyring. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", device_a.address, TRUE);

  g_test_add ("/cli/end-to-end", Fixture, NULL, fixture_setup, test_end_to_end, fixture_teardown);
  g_test_add ("/cli/backup-restore", Fixture, NULL, fixture_setup, test_backup_restore,
              fixture_teardown);
  g_test_add ("/cli/usage-errors", Fixture, NULL, fixture_setup, test_usage_errors,
              fixture_teardown);
  g_test_add ("/cli/requests", Fixture, NULL, fixture_setup, test_requests, fixture_teardown);
  g_test_add ("/cli/offline", Fixture, NULL, fixture_setup, test_offline, fixture_teardown);
  g_test_add ("/cli/secrets-at-rest", Fixture, NULL, fixture_setup, test_secrets_at_rest,
              fixture_teardown);

  status = g_test_run ();
  {
    /* The bus going away must not end this process. */
    g_autoptr(GDBusConnection) session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

    if (session != NULL)
      g_dbus_connection_set_exit_on_close (session, FALSE);
  }
  cli_device_stop (&device_a);
  return status;
}
