/* cw-node-auth.c: authentication of the node's non-public reads by RFC 9421
 * HTTP message signatures (PROTOCOL.md §7 and §8 "Authenticated reads"). */
#include "config.h"

#include <string.h>

#include "cw-dsse.h"
#include "cw-http-signature.h"
#include "cw-node-auth.h"

struct _CwNodeAuth
{
  CwHttpRequest *request;
  CwHttpSignatureParams *params;
  GBytes *signature;
  char *key_id;
  char *nonce;
  gint64 created;
};

G_DEFINE_QUARK (cw-node-auth-error-quark, cw_node_auth_error)

void
cw_node_auth_free (CwNodeAuth *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->request, cw_http_request_free);
  g_clear_pointer (&self->params, cw_http_signature_params_unref);
  g_clear_pointer (&self->signature, g_bytes_unref);
  g_free (self->key_id);
  g_free (self->nonce);
  g_free (self);
}

const char *
cw_node_auth_get_key_id (CwNodeAuth *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->key_id;
}

static gboolean
fail (GError          **error,
      CwNodeAuthError   code,
      const char       *message,
      const GError     *cause)
{
  if (cause != NULL)
    g_set_error (error, CW_NODE_AUTH_ERROR, code, "%s: %s", message, cause->message);
  else
    g_set_error_literal (error, CW_NODE_AUTH_ERROR, code, message);

  return FALSE;
}

static gpointer
fail_null (GError          **error,
           CwNodeAuthError   code,
           const char       *message,
           const GError     *cause)
{
  fail (error, code, message, cause);
  return NULL;
}

typedef struct
{
  CwHttpRequest *request;
  GError *error;
} AddHeaders;

static void
add_header_cb (const char *name,
               const char *value,
               gpointer    user_data)
{
  AddHeaders *add = user_data;

  if (add->error == NULL)
    cw_http_request_add_header (add->request, name, value, &add->error);
}

/* The request as received: libsoup keeps the query percent-encoded, and
 * with raw-paths the path too, up to RFC 3986 normalisation (PROTOCOL.md
 * §8 "Authenticated reads"). */
static CwHttpRequest *
request_from_message (SoupServerMessage  *msg,
                      GError            **error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *host = soup_message_headers_get_one (headers, "Host");
  g_autoptr(CwHttpRequest) request = NULL;
  AddHeaders add = { NULL, NULL };

  if (host == NULL || uri == NULL)
    {
      g_set_error_literal (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_INVALID_REQUEST,
                           "The request has no Host");
      return NULL;
    }

  request = cw_http_request_new (soup_server_message_get_method (msg), "https", host,
                                 g_uri_get_path (uri), g_uri_get_query (uri), error);
  if (request == NULL)
    return NULL;

  add.request = request;
  soup_message_headers_foreach (headers, add_header_cb, &add);
  if (add.error != NULL)
    {
      g_propagate_error (error, add.error);
      return NULL;
    }

  return g_steal_pointer (&request);
}

CwNodeAuth *
cw_node_auth_new_for_message (SoupServerMessage  *msg,
                              gint64              now,
                              GError            **error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *input = soup_message_headers_get_one (headers, "Signature-Input");
  const char *signature = soup_message_headers_get_one (headers, "Signature");
  g_autoptr(CwHttpSignatures) signatures = NULL;
  g_autoptr(CwNodeAuth) self = g_new0 (CwNodeAuth, 1);
  g_autoptr(GError) local_error = NULL;
  const char *alg;

  g_return_val_if_fail (SOUP_IS_SERVER_MESSAGE (msg), NULL);

  if (input == NULL || signature == NULL)
    return fail_null (error, CW_NODE_AUTH_ERROR_UNAUTHENTICATED,
                      "This resource needs an RFC 9421 signature (Signature-Input and Signature)",
                      NULL);

  self->request = request_from_message (msg, &local_error);
  if (self->request == NULL)
    return fail_null (error, CW_NODE_AUTH_ERROR_UNAUTHENTICATED, "Unusable request", local_error);

  /* Exactly one signature: the node never guesses which one to check. */
  signatures = cw_http_signatures_parse (input, signature, &local_error);
  if (signatures == NULL ||
      !cw_http_signatures_get (signatures, NULL, &self->params, &self->signature, &local_error))
    return fail_null (error, CW_NODE_AUTH_ERROR_UNAUTHENTICATED, "Malformed signature",
                      local_error);

  if (!cw_http_signature_params_check_policy (self->params, now,
                                              CW_HTTP_SIGNATURE_DEFAULT_MAX_AGE,
                                              CW_HTTP_SIGNATURE_DEFAULT_MAX_SKEW, &local_error))
    {
      gboolean stale = g_error_matches (local_error, CW_HTTP_SIGNATURE_ERROR,
                                        CW_HTTP_SIGNATURE_ERROR_EXPIRED) ||
                       g_error_matches (local_error, CW_HTTP_SIGNATURE_ERROR,
                                        CW_HTTP_SIGNATURE_ERROR_FUTURE);

      gint64 created = 0;

      /* Both clocks in the message, so that whoever reads it sees the skew. */
      if (stale && cw_http_signature_params_get_created (self->params, &created))
        {
          g_set_error (error, CW_NODE_AUTH_ERROR, CW_NODE_AUTH_ERROR_STALE,
                       "Signature refused: created %" G_GINT64_FORMAT " is %" G_GINT64_FORMAT
                       " s %s the node's time %" G_GINT64_FORMAT "; check the clock",
                       created, ABS (now - created), created < now ? "behind" : "ahead of", now);
          return NULL;
        }

      return fail_null (error,
                        stale ? CW_NODE_AUTH_ERROR_STALE : CW_NODE_AUTH_ERROR_UNAUTHENTICATED,
                        "Signature refused", local_error);
    }

  /* The policy allows alg to be absent; the protocol requires it. */
  alg = cw_http_signature_params_get_alg (self->params);
  if (g_strcmp0 (alg, CW_HTTP_SIGNATURE_ALG_ED25519) != 0)
    return fail_null (error, CW_NODE_AUTH_ERROR_UNAUTHENTICATED,
                      "The signature must carry alg=\"ed25519\"", NULL);

  cw_http_signature_params_get_created (self->params, &self->created);
  self->key_id = g_strdup (cw_http_signature_params_get_keyid (self->params));
  self->nonce = g_strdup (cw_http_signature_params_get_nonce (self->params));

  return g_steal_pointer (&self);
}

static gboolean
verify_with (CwNodeAuth    *self,
             const guint8  *public_key,
             GError       **error)
{
  g_autoptr(CwVerifierKey) key = NULL;
  g_autoptr(GError) local_error = NULL;

  key = cw_verifier_key_new ("reader", CW_KEY_TYPE_ED25519, public_key, &local_error);
  if (key == NULL ||
      !cw_http_signature_verify (self->request, self->params, self->signature, key, &local_error))
    return fail (error, CW_NODE_AUTH_ERROR_UNAUTHENTICATED, "Bad signature", local_error);

  return TRUE;
}

/* The key that may read, if the signature's keyid names it. */
static gboolean
find_allowed_key (CwNodeAuth   *self,
                  CwNodeStore  *store,
                  const char   *patient_id,
                  const char   *provider_id,
                  guint8        out_key[CW_PUBLIC_KEY_SIZE],
                  GError      **error)
{
  g_autoptr(GError) local_error = NULL;

  if (patient_id != NULL)
    {
      g_autoptr(CwNodePatient) patient = cw_node_store_lookup_patient (store, patient_id,
                                                                       &local_error);
      g_autofree char *key_id = NULL;

      if (patient == NULL &&
          !g_error_matches (local_error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND))
        return fail (error, CW_NODE_AUTH_ERROR_FAILED, "Looking up a patient", local_error);
      g_clear_error (&local_error);

      key_id = patient != NULL ? cw_dsse_key_id (patient->current_key) : NULL;
      if (g_strcmp0 (key_id, self->key_id) == 0)
        {
          memcpy (out_key, patient->current_key, CW_PUBLIC_KEY_SIZE);
          return TRUE;
        }
    }

  if (provider_id != NULL)
    {
      g_autoptr(CwNodeProvider) provider = cw_node_store_lookup_provider (store, provider_id,
                                                                          &local_error);
      g_autofree char *key_id = NULL;
      GBytes *public_key;

      if (provider == NULL &&
          !g_error_matches (local_error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND))
        return fail (error, CW_NODE_AUTH_ERROR_FAILED, "Looking up a provider", local_error);

      public_key = provider != NULL ? cw_node_provider_get_public_key (provider) : NULL;
      if (public_key != NULL && g_bytes_get_size (public_key) == CW_PUBLIC_KEY_SIZE)
        key_id = cw_dsse_key_id (g_bytes_get_data (public_key, NULL));
      if (g_strcmp0 (key_id, self->key_id) == 0)
        {
          memcpy (out_key, g_bytes_get_data (public_key, NULL), CW_PUBLIC_KEY_SIZE);
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
cw_node_auth_authorize (CwNodeAuth   *self,
                        CwNodeStore  *store,
                        const char   *patient_id,
                        const char   *provider_id,
                        gint64        now,
                        GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  guint8 key[CW_PUBLIC_KEY_SIZE];
  gboolean fresh = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (CW_IS_NODE_STORE (store), FALSE);

  if (!find_allowed_key (self, store, patient_id, provider_id, key, &local_error))
    {
      g_autofree char *owner = NULL;

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      /* Someone else's key: forbidden only if the signature is really
       * theirs, so that a guessed keyid learns nothing. */
      owner = cw_node_store_lookup_key_owner (store, self->key_id, NULL, key, &local_error);
      if (owner == NULL)
        {
          if (!g_error_matches (local_error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND))
            return fail (error, CW_NODE_AUTH_ERROR_FAILED, "Looking up a key", local_error);
          return fail (error, CW_NODE_AUTH_ERROR_UNAUTHENTICATED,
                       "No current key has this keyid", NULL);
        }
      if (!verify_with (self, key, error))
        return FALSE;

      return fail (error, CW_NODE_AUTH_ERROR_FORBIDDEN, "This key may not read this resource",
                   NULL);
    }

  if (!verify_with (self, key, error))
    return FALSE;

  /* Remembered for as long as the policy would accept the signature. */
  if (!cw_node_store_remember_nonce (store, self->key_id, self->nonce,
                                     self->created + CW_HTTP_SIGNATURE_DEFAULT_MAX_AGE + 1,
                                     now, &fresh, &local_error))
    return fail (error, CW_NODE_AUTH_ERROR_FAILED, "Recording the nonce", local_error);

  if (!fresh)
    return fail (error, CW_NODE_AUTH_ERROR_REPLAYED, "This signature was used already", NULL);

  return TRUE;
}

/* Records the signature's nonce; a second use is refused until stale. */
static gboolean
remember_nonce (CwNodeAuth   *self,
                CwNodeStore  *store,
                gint64        now,
                GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean fresh = FALSE;

  if (!cw_node_store_remember_nonce (store, self->key_id, self->nonce,
                                     self->created + CW_HTTP_SIGNATURE_DEFAULT_MAX_AGE + 1,
                                     now, &fresh, &local_error))
    return fail (error, CW_NODE_AUTH_ERROR_FAILED, "Recording the nonce", local_error);
  if (!fresh)
    return fail (error, CW_NODE_AUTH_ERROR_REPLAYED, "This signature was used already", NULL);

  return TRUE;
}

gboolean
cw_node_auth_authorize_key (CwNodeAuth    *self,
                            CwNodeStore   *store,
                            const guint8   public_key[CW_PUBLIC_KEY_SIZE],
                            gint64         now,
                            GError       **error)
{
  g_autofree char *key_id = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (CW_IS_NODE_STORE (store), FALSE);

  key_id = cw_dsse_key_id (public_key);
  if (g_strcmp0 (key_id, self->key_id) != 0)
    return fail (error, CW_NODE_AUTH_ERROR_UNAUTHENTICATED,
                 "The signature's keyid is not the key this resource names", NULL);

  return verify_with (self, public_key, error) && remember_nonce (self, store, now, error);
}

CwNodeApiError
cw_node_auth_error_to_api (const GError *error)
{
  if (error == NULL || error->domain != CW_NODE_AUTH_ERROR)
    return CW_NODE_API_ERROR_INTERNAL;

  switch ((CwNodeAuthError) error->code)
    {
    case CW_NODE_AUTH_ERROR_UNAUTHENTICATED: return CW_NODE_API_ERROR_UNAUTHENTICATED;
    case CW_NODE_AUTH_ERROR_STALE: return CW_NODE_API_ERROR_STALE_SIGNATURE;
    case CW_NODE_AUTH_ERROR_REPLAYED: return CW_NODE_API_ERROR_REPLAYED_SIGNATURE;
    case CW_NODE_AUTH_ERROR_FORBIDDEN: return CW_NODE_API_ERROR_FORBIDDEN;
    case CW_NODE_AUTH_ERROR_FAILED:
    default: return CW_NODE_API_ERROR_INTERNAL;
    }
}
