/* fuzz-tx.c: cw_tx_parse_payload(). A parsed transaction keeps the bytes it
 * was parsed from, every getter of its type answers, and a payload that
 * parses is canonical JSON. */
#include "config.h"

#include "fuzz-common.h"

#include "cw-canonical-json.h"
#include "cw-tx.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *patient_id = NULL;
  guint8 tx_id[CW_TX_ID_SIZE], expected_id[CW_TX_ID_SIZE];
  GDateTime *expires;

  tx = cw_tx_parse_payload (data, size, &error);
  if (tx == NULL)
    {
      FUZZ_ASSERT (error != NULL);
      return 0;
    }

  FUZZ_ASSERT (size <= CW_TX_MAX_PAYLOAD_SIZE);
  FUZZ_ASSERT (cw_canonical_json_check (data, size, NULL, NULL));
  payload = cw_tx_to_payload (tx);
  FUZZ_ASSERT (fuzz_bytes_equal (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
                                 data, size));
  cw_tx_compute_id (tx, tx_id);
  cw_sha256 (data, size, expected_id);
  FUZZ_ASSERT (memcmp (tx_id, expected_id, sizeof tx_id) == 0);
  id = cw_tx_dup_id_base64 (tx);
  patient_id = cw_tx_dup_patient_id (tx);
  FUZZ_ASSERT (id != NULL && patient_id != NULL);
  FUZZ_ASSERT (cw_tx_get_patient (tx) != NULL && cw_tx_get_time (tx) != NULL);
  FUZZ_ASSERT (cw_tx_get_nonce (tx) != NULL);

  switch (cw_tx_get_tx_type (tx))
    {
    case CW_TX_TYPE_ENROLL:
      FUZZ_ASSERT (cw_tx_get_seq (tx) == 0 && cw_tx_get_prev (tx) == NULL);
      FUZZ_ASSERT (cw_tx_get_recovery_key (tx) != NULL && cw_tx_get_invite (tx) != NULL);
      FUZZ_ASSERT (cw_tx_get_clinic (tx) != NULL);
      break;
    case CW_TX_TYPE_GRANT:
    case CW_TX_TYPE_REVOKE:
    case CW_TX_TYPE_DENY:
    case CW_TX_TYPE_ROTATE:
      FUZZ_ASSERT (cw_tx_get_seq (tx) > 0 && cw_tx_get_prev (tx) != NULL);
      break;
    case CW_TX_TYPE_REQUEST:
    case CW_TX_TYPE_ACCESS:
      FUZZ_ASSERT (cw_tx_get_provider (tx) != NULL && cw_tx_get_prev (tx) == NULL);
      FUZZ_ASSERT (cw_tx_get_scopes (tx) != 0);
      break;
    default:
      FUZZ_ASSERT (!"unknown type parsed");
    }

  expires = cw_tx_get_expires (tx);
  if (expires != NULL)
    FUZZ_ASSERT (g_date_time_compare (expires, cw_tx_get_time (tx)) > 0);
  if (cw_tx_get_data_from (tx) != NULL && cw_tx_get_data_to (tx) != NULL)
    FUZZ_ASSERT (strcmp (cw_tx_get_data_from (tx), cw_tx_get_data_to (tx)) <= 0);

  return 0;
}
