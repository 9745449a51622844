/* test-node-recovery.c: GET /v1/recovery/<recovery public key> against the
 * real consent-node (PROTOCOL.md §12 "Finding the patient"): signed by the
 * recovery key it answers the patient ID; an unknown key is 404 only for
 * its holder; unsigned, badly signed, signed by another key or replayed
 * requests are 401 and reveal nothing; and after a rotation that sets a
 * new recovery key, the new key finds the patient and the old one does
 * not. */
#include "config.h"

#include <string.h>

#include "cw-encoding.h"
#include "node-test-tx.h"

typedef struct {
  TxNode node;
  TxPatient *patient;
} Fixture;

static void
enroll (TxNode    *node,
        TxPatient *patient)
{
  g_autofree char *code = tx_node_invite (node, "gp-one");
  g_autoptr(CwTx) tx = tx_make_enroll (patient, code, "gp-one");
  g_autoptr(JsonObject) receipt = tx_submit_ok (node, tx, patient->key);

  tx_patient_advance (patient, tx);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  tx_node_setup (&f->node);
  tx_node_start (&f->node);
  f->patient = tx_patient_new ();
  enroll (&f->node, f->patient);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->patient, tx_patient_free);
  tx_node_teardown (&f->node);
}

static char *
recovery_path (CwSigningKey *recovery)
{
  g_autofree char *encoded = cw_base64url_encode (cw_signing_key_get_public_key (recovery),
                                                  CW_PUBLIC_KEY_SIZE);

  return g_strconcat ("/v1/recovery/", encoded, NULL);
}

static char *
patient_id (TxPatient *patient)
{
  return cw_base64_encode (patient->id, CW_PUBLIC_KEY_SIZE);
}

static void
expect_patient (Fixture      *f,
                CwSigningKey *recovery,
                TxPatient    *patient)
{
  g_autofree char *path = recovery_path (recovery);
  g_autofree char *expected = patient_id (patient);
  g_autoptr(JsonObject) answer = NULL;

  g_assert_cmpuint (tx_get_signed (&f->node, path, recovery, &answer), ==, 200);
  g_assert_cmpstr (json_object_get_string_member (answer, "patient"), ==, expected);
  g_assert_cmpuint (json_object_get_size (answer), ==, 1);
}

static void
expect_status (Fixture      *f,
               const char   *path,
               CwSigningKey *signer,
               guint         status,
               const char   *code)
{
  g_autoptr(JsonObject) answer = NULL;

  g_assert_cmpuint (tx_get_signed (&f->node, path, signer, &answer), ==, status);
  tx_expect_error (answer, code);
}

static void
test_ok (Fixture       *f,
         gconstpointer  data)
{
  g_autoptr(TxPatient) other = tx_patient_new ();

  expect_patient (f, f->patient->recovery, f->patient);
  /* Another patient's key finds that patient, not the first. */
  enroll (&f->node, other);
  expect_patient (f, other->recovery, other);
  expect_patient (f, f->patient->recovery, f->patient);
}

static void
test_unknown (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSigningKey) stranger = cw_signing_key_generate ("recovery", CW_KEY_TYPE_ED25519,
                                                              &error);
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  path = recovery_path (stranger);
  /* Its holder learns that no patient has it. */
  expect_status (f, path, stranger, 404, "not_found");
  /* A path that names no key, signed: not found either. */
  expect_status (f, "/v1/recovery/not-a-key", stranger, 404, "not_found");
  /* The patient's identity key is no recovery key. */
  {
    g_autofree char *identity_path = recovery_path (f->patient->key);

    expect_status (f, identity_path, f->patient->key, 404, "not_found");
  }
}

static void
test_unsigned (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *known = recovery_path (f->patient->recovery);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSigningKey) stranger = cw_signing_key_generate ("recovery", CW_KEY_TYPE_ED25519,
                                                              &error);
  g_autofree char *unknown = recovery_path (stranger);
  g_autoptr(JsonObject) a = NULL;
  g_autoptr(JsonObject) b = NULL;

  g_assert_no_error (error);
  /* Without a signature a known and an unknown key look the same. */
  g_assert_cmpuint (tx_get_with_signature (&f->node, known, NULL, NULL, &a), ==, 401);
  g_assert_cmpuint (tx_get_with_signature (&f->node, unknown, NULL, NULL, &b), ==, 401);
  tx_expect_error (a, "unauthenticated");
  tx_expect_error (b, "unauthenticated");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (a, "error"),
                                                  "message"), ==,
                   json_object_get_string_member (json_object_get_object_member (b, "error"),
                                                  "message"));
  g_assert_false (json_object_has_member (a, "patient"));
}

static void
test_other_key (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = recovery_path (f->patient->recovery);
  g_autofree char *input = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *forged = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSigningKey) stranger = cw_signing_key_generate ("recovery", CW_KEY_TYPE_ED25519,
                                                              &error);
  g_autofree char *stranger_id = NULL;
  g_autofree char *recovery_id = cw_dsse_key_id (cw_signing_key_get_public_key (
                                                   f->patient->recovery));
  char *at;

  g_assert_no_error (error);
  /* Signed by the patient's own identity key, or by a stranger. */
  expect_status (f, path, f->patient->key, 401, "unauthenticated");
  expect_status (f, path, stranger, 401, "unauthenticated");

  /* A stranger's signature that claims the recovery key's keyid. */
  tx_sign_read (&f->node, path, stranger, 0, &input, &signature);
  stranger_id = cw_dsse_key_id (cw_signing_key_get_public_key (stranger));
  at = strstr (input, stranger_id);
  g_assert_nonnull (at);
  forged = g_strdup_printf ("%.*s%s%s", (int) (at - input), input, recovery_id,
                            at + strlen (stranger_id));
  g_assert_cmpuint (tx_get_with_signature (&f->node, path, forged, signature, &answer), ==, 401);
  tx_expect_error (answer, "unauthenticated");
}

static void
test_replayed (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = recovery_path (f->patient->recovery);
  g_autofree char *input = NULL;
  g_autofree char *signature = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;

  tx_sign_read (&f->node, path, f->patient->recovery, 0, &input, &signature);
  g_assert_cmpuint (tx_get_with_signature (&f->node, path, input, signature, &first), ==, 200);
  g_assert_cmpuint (tx_get_with_signature (&f->node, path, input, signature, &second), ==, 401);
  g_assert_false (json_object_has_member (second, "patient"));
}

/* A rotation signed by the recovery key that sets a new recovery key: the
 * new one finds the patient, the old one no longer does. A rotation that
 * keeps the recovery key keeps the lookup. */
static void
test_rotation (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSigningKey) new_key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519,
                                                             &error);
  g_autoptr(CwSigningKey) new_recovery = cw_signing_key_generate ("recovery",
                                                                  CW_KEY_TYPE_ED25519, &error);
  g_autoptr(CwSigningKey) newer_key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519,
                                                               &error);
  g_autofree char *old_path = recovery_path (f->patient->recovery);

  g_assert_no_error (error);
  {
    CwTxCommon common = tx_patient_next (f->patient, NULL);
    g_autoptr(CwTx) rotate = cw_tx_new_rotate (&common, cw_signing_key_get_public_key (new_key),
                                               cw_signing_key_get_public_key (new_recovery),
                                               &error);
    g_autoptr(JsonObject) receipt = NULL;

    g_assert_no_error (error);
    receipt = tx_submit_ok (&f->node, rotate, f->patient->recovery);
    tx_patient_advance (f->patient, rotate);
  }
  expect_patient (f, new_recovery, f->patient);
  expect_status (f, old_path, f->patient->recovery, 404, "not_found");

  /* Rotated by the current key, without a new recovery key. */
  {
    CwTxCommon common = tx_patient_next (f->patient, NULL);
    g_autoptr(CwTx) rotate = cw_tx_new_rotate (&common, cw_signing_key_get_public_key (newer_key),
                                               NULL, &error);
    g_autoptr(JsonObject) receipt = NULL;

    g_assert_no_error (error);
    receipt = tx_submit_ok (&f->node, rotate, new_key);
    tx_patient_advance (f->patient, rotate);
  }
  expect_patient (f, new_recovery, f->patient);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/node/recovery/ok", Fixture, NULL, fixture_setup, test_ok, fixture_teardown);
  g_test_add ("/node/recovery/unknown", Fixture, NULL, fixture_setup, test_unknown,
              fixture_teardown);
  g_test_add ("/node/recovery/unsigned", Fixture, NULL, fixture_setup, test_unsigned,
              fixture_teardown);
  g_test_add ("/node/recovery/other-key", Fixture, NULL, fixture_setup, test_other_key,
              fixture_teardown);
  g_test_add ("/node/recovery/replayed", Fixture, NULL, fixture_setup, test_replayed,
              fixture_teardown);
  g_test_add ("/node/recovery/rotation", Fixture, NULL, fixture_setup, test_rotation,
              fixture_teardown);

  return g_test_run ();
}
