/* test-onboarding-restore.c: the onboarding's two restores on a second,
 * empty wallet, driven through the restore page against a real
 * consent-node and gnome-keyring: with the recovery code alone (no patient
 * ID: the node finds the patient by the recovery key); from the encrypted
 * backup file, where a wrong passphrase, a damaged file and a truncated
 * one each give their message and leave nothing behind; and a recovery
 * that fails after the node accepted its rotate, which keeps the new key,
 * shows the new code to be typed back, and then runs again with it,
 * leaving one key of the patient in the keyring. */
#include "config.h"

#include <libsecret/secret.h>
#include <string.h>

#include <sodium.h>

#include "cw-keyring.h"
#include "cw-recovery-code.h"
#include "cw-wallet-backup.h"
#include "onboarding-test-util.h"

typedef OnboardingFixture Fixture;

/* A second device: its own wallet file, the same keyring daemon. */
static CwWallet *
new_device (Fixture    *f,
            const char *name)
{
  g_autofree char *path = g_build_filename (f->engine.node.tmpdir, name, NULL);
  g_autoptr(GError) error = NULL;
  CwWallet *wallet = cw_wallet_new (path, f->engine.keyring, CW_NODE_CLIENT_FLAGS_NONE, &error);

  g_assert_no_error (error);
  cw_wallet_set_max_retries (wallet, 0);
  return wallet;
}

static void
assert_device_empty (CwWallet *wallet,
                     guint     items)
{
  g_autoptr(CwStoreIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (cw_wallet_get_enrolled (wallet));
  g_assert_cmpuint (onboarding_count_keyring_items (), ==, items);
  identity = cw_wallet_store_get_identity (cw_wallet_get_store (wallet), &error);
  g_assert_no_error (error);
  g_assert_null (identity);
}

/* The keyring items of one patient, whichever device made them. */
static guint
count_patient_keys (const char *patient)
{
  const SecretSchema schema = {
    CW_KEYRING_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    { { "patient", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
  };
  g_autoptr(GError) error = NULL;
  GList *items;
  guint n;

  items = secret_password_search_sync (&schema, SECRET_SEARCH_ALL, NULL, &error,
                                       "patient", patient, NULL);
  g_assert_no_error (error);
  n = g_list_length (items);
  g_list_free_full (items, g_object_unref);
  return n;
}

static guint
count_grants (CwWallet *wallet)
{
  g_autoptr(GPtrArray) grants = NULL;
  g_autoptr(GError) error = NULL;

  grants = cw_wallet_store_list_grants (cw_wallet_get_store (wallet), &error);
  g_assert_no_error (error);
  return grants->len;
}

typedef struct {
  GListModel *grants;
  guint       n;
} Listed;

static gboolean
n_listed (gpointer data)
{
  Listed *listed = data;

  return g_list_model_get_n_items (listed->grants) == listed->n;
}

/* The Access page's list (made while the wallet was still empty) shows
 * what the restore brought, without a sync. */
static void
assert_grants_listed (CwWallet *wallet,
                      guint     n)
{
  Listed listed = { cw_wallet_get_grants (wallet), n };

  ui_test_wait_until (n_listed, &listed, UI_TEST_TIMEOUT_S);
  g_assert_cmpuint (g_list_model_get_n_items (listed.grants), ==, n);
}

/* Device A: enrolled, with one grant to the clinic on the node. */
static char *
enroll_device_a (Fixture  *f,
                 char    **patient)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwStoreTx) grant = NULL;
  char *code = engine_enroll (&f->engine, &error);

  g_assert_no_error (error);
  grant = engine_grant (&f->engine, CLINIC_ID, CW_SCOPE_SUMMARY, &error);
  g_assert_no_error (error);
  g_assert_cmpint (grant->state, ==, CW_STORE_TX_CONFIRMED);
  *patient = g_strdup (cw_wallet_get_patient_id (f->engine.wallet));
  return code;
}

/* An invite naming the node at @url (the node's own, or a proxy). */
static char *
invite_for_url (Fixture    *f,
                const char *url)
{
  g_autoptr(CwNodeProfile) profile = engine_profile (&f->engine, url);
  g_autoptr(CwInvite) invite = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = tx_node_invite (&f->engine.node, CLINIC_ID);
  g_autofree char *note = NULL;

  invite = cw_invite_new (profile, CLINIC_ID, code, g_get_real_time () / G_USEC_PER_SEC + 3600,
                          NULL, &error);
  g_assert_no_error (error);
  note = cw_invite_sign (invite, f->clinic_key, &error);
  g_assert_no_error (error);
  return cw_invite_note_to_uri (note);
}

/* The restore with nothing but the recovery code and an invite: the
 * patient ID field left empty. */
static void
test_code_only (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *patient = NULL;
  g_autofree char *code = enroll_device_a (f, &patient);
  g_autofree char *uri = invite_for_url (f, f->engine.node.server->url);
  g_autofree char *new_code = NULL;
  g_autoptr(CwWallet) device_b = new_device (f, "device-b.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(CwStoreProvider) provider = NULL;
  CwOnboardingRestore *restore;

  onboarding_open_window (f, device_b, 1);
  g_assert_true (onboarding_activate (f, "onboarding.restore"));
  restore = cw_onboarding_view_get_restore (f->view);
  cw_onboarding_restore_fill (restore, uri, "", code);
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "recovery");
  onboarding_save_screenshot (f, "restore-new-code");
  /* The node named the patient; the page shows that ID beside the new
   * code. */
  g_assert_true (cw_wallet_get_enrolled (device_b));
  g_assert_cmpstr (cw_wallet_get_patient_id (device_b), ==, patient);
  g_assert_cmpstr (cw_onboarding_view_get_shown_patient_id (f->view), ==, patient);
  new_code = onboarding_confirm_code (f, NULL);
  g_assert_cmpstr (new_code, !=, code);
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "done");
  /* Device A's grant came along, verified, and is listed. */
  g_assert_cmpuint (count_grants (device_b), ==, 1);
  assert_grants_listed (device_b, 1);
  /* With the clinic's name from the directory, not only its ID. */
  provider = cw_wallet_store_get_provider (cw_wallet_get_store (device_b), CLINIC_ID, &error);
  g_assert_no_error (error);
  g_assert_nonnull (provider);
  g_assert_cmpstr (provider->name, ==, CLINIC_NAME);
  /* Device A's key left the keyring: the node takes only the new one. */
  g_assert_cmpuint (count_patient_keys (patient), ==, 1);
  g_assert_false (engine_sync (&f->engine, &error));
  g_assert_nonnull (error);
  onboarding_close_window (f);
  sodium_memzero (code, strlen (code));
}

static GBytes *
make_backup (Fixture    *f,
             const char *passphrase)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  cw_wallet_backup_async (f->engine.wallet, passphrase, NULL, ui_test_result_cb, &result);
  ui_test_wait_result (&result, 120);
  bytes = cw_wallet_backup_finish (f->engine.wallet, result, &error);
  g_assert_no_error (error);
  return bytes;
}

static GFile *
write_bytes (Fixture    *f,
             const char *name,
             const void *data,
             gsize       len)
{
  g_autofree char *path = g_build_filename (f->engine.node.tmpdir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

/* Submits the backup form and returns the message under it, or %NULL when
 * the restore went through. */
static const char *
restore_backup (Fixture    *f,
                GFile      *file,
                const char *passphrase)
{
  CwOnboardingRestore *restore = cw_onboarding_view_get_restore (f->view);
  const char *page;

  cw_onboarding_restore_fill_backup (restore, file, passphrase);
  page = onboarding_wait_not_busy (f);
  if (g_strcmp0 (page, "done") == 0)
    return NULL;
  g_assert_cmpstr (page, ==, "restore");
  g_assert_nonnull (cw_onboarding_restore_get_backup_error (restore));
  g_test_message ("backup refused: %s", cw_onboarding_restore_get_backup_error (restore));
  return cw_onboarding_restore_get_backup_error (restore);
}

static void
test_backup (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *patient = NULL;
  g_autofree char *code = enroll_device_a (f, &patient);
  g_autoptr(GBytes) bytes = make_backup (f, "correct horse battery");
  g_autoptr(CwWallet) device_b = new_device (f, "device-b.db");
  g_autoptr(GFile) good = NULL;
  g_autoptr(GFile) damaged = NULL;
  g_autoptr(GFile) truncated = NULL;
  g_autoptr(GFile) other = NULL;
  g_autofree guint8 *copy = NULL;
  gsize len = g_bytes_get_size (bytes);
  guint items = onboarding_count_keyring_items ();

  good = write_bytes (f, "wallet.cwbackup", g_bytes_get_data (bytes, NULL), len);
  copy = g_memdup2 (g_bytes_get_data (bytes, NULL), len);
  copy[len / 2] ^= 0x01;
  damaged = write_bytes (f, "damaged.cwbackup", copy, len);
  truncated = write_bytes (f, "truncated.cwbackup", g_bytes_get_data (bytes, NULL), len - 40);
  other = write_bytes (f, "notes.txt", "not a backup\n", 13);

  onboarding_open_window (f, device_b, 0);
  g_assert_true (onboarding_activate (f, "onboarding.restore"));

  /* Each refusal says what is wrong and changes nothing. */
  g_assert_nonnull (strstr (restore_backup (f, good, "wrong horse"), "passphrase"));
  onboarding_save_screenshot (f, "restore-backup-wrong-passphrase");
  assert_device_empty (device_b, items);
  g_assert_nonnull (strstr (restore_backup (f, damaged, "correct horse battery"), "damaged"));
  assert_device_empty (device_b, items);
  g_assert_nonnull (strstr (restore_backup (f, truncated, "correct horse battery"), "incomplete"));
  assert_device_empty (device_b, items);
  g_assert_nonnull (strstr (restore_backup (f, other, "correct horse battery"), "not a"));
  assert_device_empty (device_b, items);

  /* The right passphrase: the same identity, its grant, no new code. */
  g_assert_null (restore_backup (f, good, "correct horse battery"));
  onboarding_save_screenshot (f, "restore-backup-done");
  g_assert_nonnull (strstr (cw_onboarding_view_get_description (f->view), "stays the same"));
  g_assert_true (cw_wallet_get_enrolled (device_b));
  g_assert_cmpstr (cw_wallet_get_patient_id (device_b), ==, patient);
  g_assert_cmpuint (count_grants (device_b), ==, 1);
  assert_grants_listed (device_b, 1);
  g_assert_true (onboarding_activate (f, "onboarding.finish"));
  g_assert_cmpstr (cw_window_get_state (f->window), ==, "wallet");
  onboarding_close_window (f);
  sodium_memzero (code, strlen (code));
}

/* The proxy spoils the chain listing while *broken is set. */
static char *
spoil_chain_cb (const char *path,
                const char *query,
                const char *body,
                gpointer    user_data)
{
  gboolean *broken = user_data;

  if (*broken && strstr (path, "/chain") != NULL)
    return g_strdup ("{\"items\": [], \"next\": null}");
  return NULL;
}

/* The rotate is logged, then the history fails to verify: the new key
 * stays and its new code is shown like any recovery code; typed back, the
 * restore runs again with it. While the history still fails, that gives
 * yet another code; once it verifies, the restore finishes, the old codes
 * are spent, and only the newest key of the patient is left. */
static void
test_after_rotate (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *patient = NULL;
  g_autofree char *code = enroll_device_a (f, &patient);
  gboolean broken = TRUE;
  EngineProxy *proxy = engine_proxy_start (&f->engine, spoil_chain_cb, &broken);
  g_autofree char *uri = invite_for_url (f, engine_proxy_get_url (proxy));
  g_autoptr(CwWallet) device_b = new_device (f, "device-b.db");
  g_autofree char *pending = NULL;
  g_autofree char *second = NULL;
  g_autofree char *final = NULL;
  CwOnboardingRestore *restore;

  onboarding_open_window (f, device_b, 0);
  g_assert_true (onboarding_activate (f, "onboarding.restore"));
  restore = cw_onboarding_view_get_restore (f->view);
  cw_onboarding_restore_fill (restore, uri, "", code);
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "recovery");
  onboarding_save_screenshot (f, "restore-incomplete");
  g_test_message ("%s", cw_onboarding_view_get_description (f->view));
  g_assert_nonnull (strstr (cw_onboarding_view_get_title (f->view), "Not Finished"));
  g_assert_nonnull (strstr (cw_onboarding_view_get_description (f->view), "NEW recovery code"));
  /* Not restored, but the new key is kept: device A's and this one. */
  g_assert_false (cw_wallet_get_enrolled (device_b));
  g_assert_cmpuint (count_patient_keys (patient), ==, 2);

  /* Confirmed, the restore runs again with the new code: still broken,
   * so one more rotate, and one more code. */
  pending = onboarding_confirm_code (f, NULL);
  g_assert_cmpstr (pending, !=, code);
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "recovery");
  g_assert_false (cw_wallet_get_enrolled (device_b));
  broken = FALSE;
  second = onboarding_confirm_code (f, NULL);
  g_assert_cmpstr (second, !=, pending);

  /* That one finishes the job. */
  g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "recovery");
  g_assert_cmpstr (cw_wallet_get_patient_id (device_b), ==, patient);
  g_assert_cmpstr (cw_onboarding_view_get_shown_patient_id (f->view), ==, patient);
  final = onboarding_confirm_code (f, NULL);
  g_assert_cmpstr (final, !=, second);
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "done");
  g_assert_cmpuint (count_grants (device_b), ==, 1);
  /* No orphan: the earlier attempts' keys and device A's are gone. */
  g_assert_cmpuint (count_patient_keys (patient), ==, 1);
  onboarding_close_window (f);

  /* The old codes are spent: on a third device, the first is refused. */
  {
    g_autoptr(CwWallet) device_c = new_device (f, "device-c.db");

    onboarding_open_window (f, device_c, 0);
    g_assert_true (onboarding_activate (f, "onboarding.restore"));
    restore = cw_onboarding_view_get_restore (f->view);
    cw_onboarding_restore_fill (restore, uri, "", code);
    g_assert_cmpstr (onboarding_wait_not_busy (f), ==, "restore");
    g_assert_nonnull (strstr (cw_onboarding_restore_get_error (restore), "does not know"));
    g_assert_false (cw_wallet_get_enrolled (device_c));
    onboarding_close_window (f);
  }
  engine_proxy_stop (proxy);
  sodium_memzero (code, strlen (code));
  sodium_memzero (pending, strlen (pending));
  sodium_memzero (second, strlen (second));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  onboarding_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, onboarding_fixture_setup, func, onboarding_fixture_teardown)
  ADD ("/ui/onboarding-restore/code-only", test_code_only);
  ADD ("/ui/onboarding-restore/backup", test_backup);
  ADD ("/ui/onboarding-restore/after-rotate", test_after_rotate);
#undef ADD

  status = g_test_run ();
  engine_test_stop_keyring ();
  return status;
}
