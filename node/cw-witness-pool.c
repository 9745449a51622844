/* cw-witness-pool.c: the log's side of c2sp.org/tlog-witness: pushing each
 * new checkpoint to the configured witnesses in parallel (libsoup 3) and
 * gathering their verified tlog-cosignature/v1 lines. */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "cw-checkpoint.h"
#include "cw-cosignature.h"
#include "cw-encoding.h"
#include "cw-witness.h"
#include "cw-witness-pool.h"
#include "cw-witness-pool-private.h"

/* A witness's answer is a few signature lines. */
#define MAX_RESPONSE_SIZE (64 * 1024)

typedef struct
{
  char *url;          /* the add-checkpoint URL */
  char *pin;
  CwVerifierKey *key;
  gboolean size_known;
  guint64 size;
} Witness;

struct _CwWitnessPool
{
  GObject parent_instance;

  CwVerifierKey *log_key;
  GPtrArray *witnesses;
  SoupSession *session;
  GMainContext *session_context;   /* the context the session runs in */
  GMainContext *sync_context;      /* for cosign_sync() */
  guint timeout_ms;
};

G_DEFINE_FINAL_TYPE (CwWitnessPool, cw_witness_pool, G_TYPE_OBJECT)

G_DEFINE_QUARK (cw-witness-pool-error-quark, cw_witness_pool_error)

void
cw_witness_cosignature_free (CwWitnessCosignature *self)
{
  if (self == NULL)
    return;

  g_free (self->witness);
  g_free (self->line);
  g_free (self);
}

static void
witness_free (Witness *witness)
{
  g_free (witness->url);
  g_free (witness->pin);
  g_clear_pointer (&witness->key, cw_verifier_key_unref);
  g_free (witness);
}

static void
cw_witness_pool_dispose (GObject *object)
{
  CwWitnessPool *self = (CwWitnessPool *)object;

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_pointer (&self->session_context, g_main_context_unref);
  g_clear_pointer (&self->sync_context, g_main_context_unref);

  G_OBJECT_CLASS (cw_witness_pool_parent_class)->dispose (object);
}

static void
cw_witness_pool_finalize (GObject *object)
{
  CwWitnessPool *self = (CwWitnessPool *)object;

  g_clear_pointer (&self->witnesses, g_ptr_array_unref);
  g_clear_pointer (&self->log_key, cw_verifier_key_unref);

  G_OBJECT_CLASS (cw_witness_pool_parent_class)->finalize (object);
}

static void
cw_witness_pool_class_init (CwWitnessPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cw_witness_pool_dispose;
  object_class->finalize = cw_witness_pool_finalize;
}

static void
cw_witness_pool_init (CwWitnessPool *self)
{
  self->witnesses = g_ptr_array_new_with_free_func ((GDestroyNotify) witness_free);
  self->timeout_ms = CW_WITNESS_POOL_DEFAULT_TIMEOUT_MS;
}

/* The session belongs to the main context of its first use: libsoup runs
 * a session's I/O in one context only. */
static gboolean
ensure_session (CwWitnessPool  *self,
                GError        **error)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  if (self->session != NULL)
    {
      if (context == self->session_context)
        return TRUE;
      g_set_error_literal (error, CW_WITNESS_POOL_ERROR, CW_WITNESS_POOL_ERROR_INVALID,
                           "A witness pool must always be used from the same main context");
      return FALSE;
    }

  /* No trust anchors: every certificate goes through the pin check. */
  self->session = soup_session_new_with_options ("tls-database", NULL,
                                                 "user-agent", "consent-node/" PACKAGE_VERSION,
                                                 NULL);
  self->session_context = g_steal_pointer (&context);

  return TRUE;
}

CwWitnessPool *
cw_witness_pool_new (CwVerifierKey *log_key)
{
  CwWitnessPool *self;

  g_return_val_if_fail (log_key != NULL, NULL);

  self = g_object_new (CW_TYPE_WITNESS_POOL, NULL);
  self->log_key = cw_verifier_key_ref (log_key);

  return self;
}

static gboolean invalid (GError     **error,
                         const char  *format,
                         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError     **error,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);

  g_set_error_literal (error, CW_WITNESS_POOL_ERROR, CW_WITNESS_POOL_ERROR_INVALID, message);
  return FALSE;
}

gboolean
cw_witness_pool_add_witness (CwWitnessPool  *self,
                             const char     *url,
                             const char     *pin,
                             CwVerifierKey  *key,
                             GError        **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *base = NULL;
  Witness *witness;
  guint8 digest[CW_HASH_SIZE];

  g_return_val_if_fail (CW_IS_WITNESS_POOL (self), FALSE);
  g_return_val_if_fail (url != NULL && pin != NULL && key != NULL, FALSE);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 ||
      g_uri_get_host (uri) == NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL)
    return invalid (error, "“%s” is not an https URL of a witness", url);

  if (!cw_base64_decode_fixed (pin, -1, digest, sizeof digest, NULL))
    return invalid (error, "“%s” is not a TLS pin (base64 of a SHA-256)", pin);

  if (cw_verifier_key_get_key_type (key) != CW_KEY_TYPE_COSIGNATURE_V1)
    return invalid (error, "The key of witness “%s” is not a cosignature/v1 key",
                    cw_verifier_key_get_name (key));

  /* A v1 cosignature does not sign the witness's name: one key under two
   * names would count twice towards a quorum. */
  for (guint i = 0; i < self->witnesses->len; i++)
    {
      Witness *other = g_ptr_array_index (self->witnesses, i);

      if (memcmp (cw_verifier_key_get_public_key (other->key),
                  cw_verifier_key_get_public_key (key), CW_PUBLIC_KEY_SIZE) == 0)
        {
          g_set_error (error, CW_WITNESS_POOL_ERROR, CW_WITNESS_POOL_ERROR_DUPLICATE,
                       "Witnesses “%s” and “%s” share a public key",
                       cw_verifier_key_get_name (other->key), cw_verifier_key_get_name (key));
          return FALSE;
        }
    }

  base = g_strdup (url);
  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';

  witness = g_new0 (Witness, 1);
  witness->url = g_strconcat (base, CW_WITNESS_ADD_CHECKPOINT_PATH, NULL);
  witness->pin = g_strdup (pin);
  witness->key = cw_verifier_key_ref (key);
  g_ptr_array_add (self->witnesses, witness);

  return TRUE;
}

static gboolean
parse_entry (const char      *entry,
             CwVerifierKey  **out_key,
             char          ***out_parts,
             GError         **error)
{
  g_auto(GStrv) parts = g_strsplit (entry, " ", -1);
  g_autoptr(GError) local_error = NULL;

  if (g_strv_length (parts) != 3)
    return invalid (error, "Witness entry “%s” is not “<verifier key> <URL> <pin>”", entry);

  *out_key = cw_verifier_key_new_from_string (parts[0], &local_error);
  if (*out_key == NULL)
    {
      g_set_error (error, CW_WITNESS_POOL_ERROR, CW_WITNESS_POOL_ERROR_INVALID,
                   "Witness entry “%s”: %s", entry, local_error->message);
      return FALSE;
    }

  *out_parts = g_steal_pointer (&parts);

  return TRUE;
}

gboolean
cw_witness_pool_add_witness_entry (CwWitnessPool  *self,
                                   const char     *entry,
                                   GError        **error)
{
  g_autoptr(CwVerifierKey) key = NULL;
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (CW_IS_WITNESS_POOL (self), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);

  if (!parse_entry (entry, &key, &parts, error))
    return FALSE;

  return cw_witness_pool_add_witness (self, parts[1], parts[2], key, error);
}

char *
cw_witness_pool_format_entry (const char  *url,
                              const char  *pin,
                              const char  *key,
                              GError     **error)
{
  g_autoptr(CwVerifierKey) verifier = NULL;
  g_autoptr(CwWitnessPool) scratch = NULL;
  g_autofree char *entry = NULL;
  static const guint8 placeholder[CW_PUBLIC_KEY_SIZE] = { 0 };
  g_autoptr(CwVerifierKey) log_key = NULL;

  g_return_val_if_fail (url != NULL && pin != NULL && key != NULL, NULL);

  verifier = cw_verifier_key_new_from_string (key, error);
  if (verifier == NULL)
    return NULL;

  /* Checked exactly as the node will check it when it loads the config. */
  log_key = cw_verifier_key_new ("check", CW_KEY_TYPE_ED25519, placeholder, NULL);
  scratch = cw_witness_pool_new (log_key);
  entry = g_strdup_printf ("%s %s %s", key, url, pin);
  if (!cw_witness_pool_add_witness_entry (scratch, entry, error))
    return NULL;

  return g_steal_pointer (&entry);
}

CwWitnessPool *
cw_witness_pool_new_from_config (CwNodeConfig   *config,
                                 CwVerifierKey  *log_key,
                                 GError        **error)
{
  g_autoptr(CwWitnessPool) self = NULL;
  const char * const *entries;

  g_return_val_if_fail (CW_IS_NODE_CONFIG (config), NULL);

  self = cw_witness_pool_new (log_key);
  entries = cw_node_config_get_witnesses (config);
  for (guint i = 0; entries != NULL && entries[i] != NULL; i++)
    {
      if (!cw_witness_pool_add_witness_entry (self, entries[i], error))
        return NULL;
    }

  return g_steal_pointer (&self);
}

void
cw_witness_pool_set_timeout (CwWitnessPool *self,
                             guint          timeout_ms)
{
  g_return_if_fail (CW_IS_WITNESS_POOL (self));
  self->timeout_ms = MAX (timeout_ms, 1);
}

guint
cw_witness_pool_get_n_witnesses (CwWitnessPool *self)
{
  g_return_val_if_fail (CW_IS_WITNESS_POOL (self), 0);
  return self->witnesses->len;
}

CwVerifierKey *
cw_witness_pool_get_witness_key (CwWitnessPool *self,
                                 guint          index)
{
  g_return_val_if_fail (CW_IS_WITNESS_POOL (self), NULL);
  g_return_val_if_fail (index < self->witnesses->len, NULL);

  return ((Witness *) g_ptr_array_index (self->witnesses, index))->key;
}

gboolean
cw_witness_pool_get_witness_size (CwWitnessPool *self,
                                  guint          index,
                                  guint64       *out_size)
{
  Witness *witness;

  g_return_val_if_fail (CW_IS_WITNESS_POOL (self), FALSE);
  g_return_val_if_fail (index < self->witnesses->len, FALSE);

  witness = g_ptr_array_index (self->witnesses, index);
  if (out_size != NULL)
    *out_size = witness->size;

  return witness->size_known;
}

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Witness *witness = user_data;

  return cw_witness_pool_certificate_matches_pin (peer, witness->pin);
}

/* One cosign_async() call. */
typedef struct
{
  char *note;
  char *text;          /* the checkpoint text the witnesses cosign */
  guint64 size;
  CwWitnessProofFunc proof_func;
  gpointer proof_data;
  GDestroyNotify proof_data_destroy;
  GCancellable *requests;   /* cancels what is still running at the end */
  GCancellable *caller_cancellable;
  gulong cancelled_id;
  GSource *timeout;
  guint n_pending;
  gboolean done;
  CwWitnessCosignature **results;   /* one slot per witness */
  guint n_witnesses;
} CosignData;

static void
cosign_data_free (CosignData *data)
{
  if (data->caller_cancellable != NULL)
    {
      g_cancellable_disconnect (data->caller_cancellable, data->cancelled_id);
      g_object_unref (data->caller_cancellable);
    }
  if (data->timeout != NULL)
    {
      g_source_destroy (data->timeout);
      g_source_unref (data->timeout);
    }
  if (data->proof_data_destroy != NULL)
    data->proof_data_destroy (data->proof_data);
  for (guint i = 0; i < data->n_witnesses; i++)
    g_clear_pointer (&data->results[i], cw_witness_cosignature_free);
  g_free (data->results);
  g_clear_object (&data->requests);
  g_free (data->note);
  g_free (data->text);
  g_free (data);
}

/* One request to one witness. */
typedef struct
{
  GTask *task;
  Witness *witness;
  guint index;
  guint64 old_size;
  gboolean retried;
  SoupMessage *msg;
} Push;

static void
push_free (Push *push)
{
  g_clear_object (&push->msg);
  g_clear_object (&push->task);
  g_free (push);
}

static void
complete (GTask *task)
{
  CwWitnessPool *self = g_task_get_source_object (task);
  CosignData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) cosignatures = NULL;
  GString *note;

  if (data->done)
    return;
  data->done = TRUE;

  g_cancellable_cancel (data->requests);
  if (data->timeout != NULL)
    g_source_destroy (data->timeout);

  note = g_string_new (data->note);
  cosignatures = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_witness_cosignature_free);
  for (guint i = 0; i < data->n_witnesses && i < self->witnesses->len; i++)
    {
      if (data->results[i] == NULL)
        continue;
      g_string_append (note, data->results[i]->line);
      g_string_append_c (note, '\n');
      g_ptr_array_add (cosignatures, g_steal_pointer (&data->results[i]));
    }

  g_object_set_data_full (G_OBJECT (task), "cosignatures", g_steal_pointer (&cosignatures),
                          (GDestroyNotify) g_ptr_array_unref);
  g_task_return_pointer (task, g_string_free (note, FALSE), g_free);
}

static void
push_finished (Push *push)
{
  CosignData *data = g_task_get_task_data (push->task);

  g_assert (data->n_pending > 0);
  data->n_pending--;
  if (data->n_pending == 0)
    complete (push->task);
  push_free (push);
}

static void push_send (Push *push);

static void
push_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Push *push = user_data;
  CosignData *data = g_task_get_task_data (push->task);
  Witness *witness = push->witness;
  const char *name = cw_verifier_key_get_name (witness->key);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  const char *content_type;
  guint status;

  response = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (data->done)
    {
      push_free (push);
      return;
    }

  if (response == NULL)
    {
      g_message ("Witness %s: %s", name, error->message);
      push_finished (push);
      return;
    }

  /* Also for certificates that a trust store would have accepted. */
  if (!cw_witness_pool_certificate_matches_pin (soup_message_get_tls_peer_certificate (push->msg), witness->pin))
    {
      g_message ("Witness %s: the TLS certificate does not match its pin", name);
      push_finished (push);
      return;
    }

  if (g_bytes_get_size (response) > MAX_RESPONSE_SIZE)
    {
      g_message ("Witness %s: the answer is too large", name);
      push_finished (push);
      return;
    }

  status = soup_message_get_status (push->msg);
  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (push->msg),
                                                        NULL);

  if (status == SOUP_STATUS_OK)
    {
      CwWitnessCosignature *cosignature = cw_witness_pool_parse_cosignature (witness->key, data->text,
                                                                              response, &error);

      if (cosignature == NULL)
        {
          g_message ("Witness %s: unusable cosignature: %s", name, error->message);
        }
      else
        {
          g_clear_pointer (&data->results[push->index], cw_witness_cosignature_free);
          data->results[push->index] = cosignature;
          witness->size_known = TRUE;
          witness->size = data->size;
        }
      push_finished (push);
      return;
    }

  if (status == SOUP_STATUS_CONFLICT && !push->retried &&
      g_strcmp0 (content_type, CW_WITNESS_SIZE_CONTENT_TYPE) == 0)
    {
      gsize len = 0;
      const char *body = g_bytes_get_data (response, &len);
      guint64 size;

      if (len < 2 || len > 21 || body[len - 1] != '\n' || !cw_parse_uint64 (body, len - 1, &size))
        {
          g_message ("Witness %s: unusable 409 answer", name);
          push_finished (push);
          return;
        }

      witness->size_known = TRUE;
      witness->size = size;
      if (size > data->size)
        {
          g_message ("Witness %s is at size %" G_GUINT64_FORMAT ", past this checkpoint (%"
                     G_GUINT64_FORMAT ")", name, size, data->size);
          push_finished (push);
          return;
        }

      /* Once more, from the size the witness holds. */
      push->retried = TRUE;
      push->old_size = size;
      g_clear_object (&push->msg);
      push_send (push);
      return;
    }

  g_message ("Witness %s refused checkpoint %" G_GUINT64_FORMAT " (old %" G_GUINT64_FORMAT
             "): HTTP %u", name, data->size, push->old_size, status);
  push_finished (push);
}

/* Sends the request for push->old_size; on any failure to build it, the
 * push is finished. */
static void
push_send (Push *push)
{
  CosignData *data = g_task_get_task_data (push->task);
  CwWitnessPool *self = g_task_get_source_object (push->task);
  g_autoptr(GPtrArray) proof = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  if (push->old_size != 0 && push->old_size != data->size)
    {
      proof = data->proof_func != NULL
                ? data->proof_func (push->old_size, data->size, data->proof_data, &error)
                : NULL;
      if (proof == NULL)
        {
          g_message ("Witness %s: no consistency proof from %" G_GUINT64_FORMAT ": %s",
                     cw_verifier_key_get_name (push->witness->key), push->old_size,
                     error != NULL ? error->message : "no proof function");
          push_finished (push);
          return;
        }
    }

  body = cw_witness_request_format (push->old_size, proof, data->note);
  push->msg = soup_message_new (SOUP_METHOD_POST, push->witness->url);
  if (push->msg == NULL)
    {
      push_finished (push);
      return;
    }

  /* The witness is at this URL and nowhere else. */
  soup_message_add_flags (push->msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (push->msg, "text/plain; charset=utf-8", body);
  g_signal_connect (push->msg, "accept-certificate", G_CALLBACK (accept_certificate_cb),
                    push->witness);
  soup_session_send_and_read_async (self->session, push->msg, G_PRIORITY_DEFAULT,
                                    data->requests, push_done_cb, push);
}

static gboolean
timeout_cb (gpointer user_data)
{
  GTask *task = user_data;

  g_message ("Witnesses: timed out; using the cosignatures gathered so far");
  complete (task);

  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     GCancellable *requests)
{
  g_cancellable_cancel (requests);
}

void
cw_witness_pool_cosign_async (CwWitnessPool       *self,
                              const char          *signed_note,
                              guint64              size,
                              CwWitnessProofFunc   proof_func,
                              gpointer             proof_data,
                              GDestroyNotify       proof_data_destroy,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CwSignedCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;
  CosignData *data;

  g_return_if_fail (CW_IS_WITNESS_POOL (self));
  g_return_if_fail (signed_note != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_witness_pool_cosign_async);

  data = g_new0 (CosignData, 1);
  data->proof_func = proof_func;
  data->proof_data = proof_data;
  data->proof_data_destroy = proof_data_destroy;
  g_task_set_task_data (task, data, (GDestroyNotify) cosign_data_free);

  if (!ensure_session (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  checkpoint = cw_signed_checkpoint_open (signed_note, strlen (signed_note), self->log_key,
                                          NULL, 0, &error);
  if (checkpoint == NULL)
    {
      g_task_return_new_error (task, CW_WITNESS_POOL_ERROR, CW_WITNESS_POOL_ERROR_INVALID,
                               "Not a checkpoint signed by the log key: %s", error->message);
      return;
    }
  if (cw_checkpoint_get_size (cw_signed_checkpoint_get_checkpoint (checkpoint)) != size)
    {
      g_task_return_new_error (task, CW_WITNESS_POOL_ERROR, CW_WITNESS_POOL_ERROR_INVALID,
                               "The checkpoint is not of size %" G_GUINT64_FORMAT, size);
      return;
    }

  data->note = g_strdup (signed_note);
  data->text = g_strdup (cw_note_get_text (cw_signed_checkpoint_get_note (checkpoint)));
  data->size = size;
  data->requests = g_cancellable_new ();
  data->n_witnesses = self->witnesses->len;
  data->results = g_new0 (CwWitnessCosignature *, MAX (data->n_witnesses, 1));

  if (cancellable != NULL)
    {
      data->caller_cancellable = g_object_ref (cancellable);
      data->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                  g_object_ref (data->requests), g_object_unref);
    }

  if (self->witnesses->len == 0)
    {
      complete (task);
      return;
    }

  data->timeout = g_timeout_source_new (self->timeout_ms);
  g_source_set_callback (data->timeout, timeout_cb, g_object_ref (task), g_object_unref);
  g_source_attach (data->timeout, g_task_get_context (task));

  data->n_pending = self->witnesses->len;
  for (guint i = 0; i < self->witnesses->len; i++)
    {
      Push *push = g_new0 (Push, 1);
      Witness *witness = g_ptr_array_index (self->witnesses, i);

      push->task = g_object_ref (task);
      push->witness = witness;
      push->index = i;
      /* Unknown: start from zero; the witness answers 409 with its size. */
      push->old_size = witness->size_known && witness->size <= size ? witness->size : 0;
      push_send (push);
    }
}

char *
cw_witness_pool_cosign_finish (CwWitnessPool  *self,
                               GAsyncResult   *result,
                               GPtrArray     **out_cosignatures,
                               GError        **error)
{
  char *note;

  g_return_val_if_fail (CW_IS_WITNESS_POOL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_witness_pool_cosign_async,
                        NULL);

  note = g_task_propagate_pointer (G_TASK (result), error);
  if (note != NULL && out_cosignatures != NULL)
    {
      GPtrArray *cosignatures = g_object_steal_data (G_OBJECT (result), "cosignatures");

      *out_cosignatures = cosignatures != NULL
        ? cosignatures
        : g_ptr_array_new_with_free_func ((GDestroyNotify) cw_witness_cosignature_free);
    }

  return note;
}

static void
sync_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

char *
cw_witness_pool_cosign_sync (CwWitnessPool       *self,
                             const char          *signed_note,
                             guint64              size,
                             CwWitnessProofFunc   proof_func,
                             gpointer             proof_data,
                             GCancellable        *cancellable,
                             GPtrArray          **out_cosignatures,
                             GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  char *note;

  g_return_val_if_fail (CW_IS_WITNESS_POOL (self), NULL);

  if (self->sync_context == NULL)
    self->sync_context = g_main_context_new ();

  g_main_context_push_thread_default (self->sync_context);
  cw_witness_pool_cosign_async (self, signed_note, size, proof_func, proof_data, NULL,
                                cancellable, sync_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (self->sync_context, TRUE);
  note = cw_witness_pool_cosign_finish (self, result, out_cosignatures, error);
  g_main_context_pop_thread_default (self->sync_context);

  return note;
}
