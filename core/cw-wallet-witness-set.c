/* cw-wallet-witness-set.c: the first step of every sync (PROTOCOL.md §4
 * "Witness sets"): the wallet asks the node for its newest witness set
 * and, if it is newer than the one in use, moves to it only when the log
 * and a quorum of the witnesses it trusts now signed it. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-node-client-private.h"
#include "cw-wallet-private.h"
#include "cw-witness-set.h"

#define WITNESSES_PATH "/v1/log/witnesses"

static gpointer
parse_note (GBytes  *body,
            GError **error)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (body, &len);

  if (len == 0 || memchr (data, '\0', len) != NULL || !g_utf8_validate (data, len, NULL))
    {
      g_set_error_literal (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_MALFORMED_RESPONSE,
                           _("The node sent a witness set that is not text"));
      return NULL;
    }
  return g_strndup (data, len);
}

/* The note, or %NULL with no error when the consortium never rotated. */
static char *
fetch_note (CwWalletWorker  *worker,
            GCancellable    *cancellable,
            GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  char *note;

  cw_node_client_request_async (worker->client, "GET", WITNESSES_PATH, NULL, NULL,
                                CW_WITNESS_SET_MAX_SIZE, parse_note, g_free, (gpointer) fetch_note,
                                cancellable, cw_wallet_worker_wait_cb, &result);
  note = cw_node_client_request_finish (worker->client, cw_wallet_worker_wait (worker, &result),
                                        (gpointer) fetch_note, &local_error);
  if (note == NULL && cw_node_client_error_get_status (local_error) != 404)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return note;
}

static GBytes *
make_evidence (const GError *cause,
               const char   *note)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  char *text;

  json_object_set_string_member (object, "kind", cw_verifier_error_to_alert_kind (cause));
  json_object_set_string_member (object, "message", cause->message);
  json_object_set_string_member (object, "witness_set", note);
  json_node_set_object (root, object);
  text = json_to_string (root, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

gboolean
cw_wallet_update_witness_set (CwWallet        *self,
                              CwWalletWorker  *worker,
                              GCancellable    *cancellable,
                              GError         **error)
{
  g_autofree char *note = NULL;
  g_autoptr(CwWitnessSet) peek = NULL;
  g_autoptr(CwWitnessSet) set = NULL;
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(CwVerifier) verifier = NULL;
  g_autoptr(GError) cause = NULL;
  GError *local_error = NULL;
  guint64 held = 0;

  note = fetch_note (worker, cancellable, &local_error);
  if (note == NULL)
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (!cw_wallet_store_get_witness_set_version (self->store, &held, error))
    return FALSE;

  /* The set in use again, or the one a wallet invited after the rotation
   * already got with its invite: nothing changes. */
  peek = cw_witness_set_parse_note (note, strlen (note), NULL);
  if (peek != NULL && peek->version >= held && cw_witness_set_matches (peek, worker->profile))
    return TRUE;

  set = cw_witness_set_verify (note, strlen (note), worker->profile, held, &cause);
  if (set == NULL)
    {
      g_autoptr(GBytes) evidence = make_evidence (cause, note);

      g_prefix_error (&cause, _("The node's witness set was refused: "));
      cw_wallet_raise_alert (self, cause, evidence);
      g_set_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION,
                   /* TRANSLATORS: %s is a sentence on what the node did wrong */
                   _("%s Nothing from this sync was accepted; see the alert."), cause->message);
      return FALSE;
    }

  profile = cw_node_profile_new (worker->profile->url, worker->profile->tls_pin,
                                 worker->profile->log_key,
                                 (const char * const *) set->witness_keys, set->quorum, error);
  if (profile == NULL || (verifier = cw_verifier_new (profile, error)) == NULL ||
      !cw_wallet_store_take_witness_set (self->store, set->version, set->quorum,
                                         (const char * const *) set->witness_keys, note, error))
    return FALSE;

  /* This sync's checkpoints are checked against the new set already. */
  g_debug ("Moved to witness set %" G_GUINT64_FORMAT ": %u witnesses, quorum %u",
             set->version, g_strv_length (set->witness_keys), set->quorum);
  cw_node_profile_free (worker->profile);
  worker->profile = g_steal_pointer (&profile);
  g_object_unref (worker->verifier);
  worker->verifier = g_steal_pointer (&verifier);
  return TRUE;
}
