/* cw-node-client.c: libsoup 3 client of the node API (docs/PROTOCOL.md §8)
 * with TLS pinning, timeouts, capped answers, retries with backoff and
 * RFC 9421 signed reads: the object, its session and its errors. Requests
 * are in cw-node-client-request.c, the API calls in cw-node-client-calls.c. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cw-node-client-private.h"
#include "cw-tls-pin.h"

typedef struct {
  char    *node_code;
  guint    status;
  gboolean has_head;
  guint64  head_seq;
  char    *head_id;
} CwNodeClientErrorPrivate;

static void
cw_node_client_error_private_init (CwNodeClientErrorPrivate *priv)
{
}

static void
cw_node_client_error_private_copy (const CwNodeClientErrorPrivate *src,
                                   CwNodeClientErrorPrivate       *dest)
{
  dest->node_code = g_strdup (src->node_code);
  dest->status = src->status;
  dest->has_head = src->has_head;
  dest->head_seq = src->head_seq;
  dest->head_id = g_strdup (src->head_id);
}

static void
cw_node_client_error_private_clear (CwNodeClientErrorPrivate *priv)
{
  g_clear_pointer (&priv->node_code, g_free);
  g_clear_pointer (&priv->head_id, g_free);
}

G_DEFINE_EXTENDED_ERROR (CwNodeClientError, cw_node_client_error)

enum {
  PROP_0,
  PROP_TIMEOUT,
  PROP_MAX_RETRIES,
  PROP_RETRY_DELAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CwNodeClient, cw_node_client, G_TYPE_OBJECT)

/* Callers ask any error they got back (a cancellation, a keyring or store
 * error): only this domain carries the private part. */
static CwNodeClientErrorPrivate *
error_private (const GError *error)
{
  if (error == NULL || error->domain != CW_NODE_CLIENT_ERROR)
    return NULL;
  return cw_node_client_error_get_private (error);
}

const char *
cw_node_client_error_get_node_code (const GError *error)
{
  CwNodeClientErrorPrivate *priv = error_private (error);

  return priv != NULL ? priv->node_code : NULL;
}

guint
cw_node_client_error_get_status (const GError *error)
{
  CwNodeClientErrorPrivate *priv = error_private (error);

  return priv != NULL ? priv->status : 0;
}

gboolean
cw_node_client_error_get_head (const GError  *error,
                               guint64       *seq,
                               const char   **id)
{
  CwNodeClientErrorPrivate *priv = error_private (error);

  if (priv == NULL || !priv->has_head)
    return FALSE;
  if (seq != NULL)
    *seq = priv->head_seq;
  if (id != NULL)
    *id = priv->head_id;
  return TRUE;
}

gboolean
cw_node_client_error_is_transient (const GError *error)
{
  return g_error_matches (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_UNREACHABLE) ||
         g_error_matches (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TIMEOUT) ||
         g_error_matches (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_UNAVAILABLE);
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

CwNodeClient *
cw_node_client_new (const CwNodeProfile  *profile,
                    CwNodeClientFlags     flags,
                    GError              **error)
{
  g_autoptr(CwNodeClient) self = NULL;
  g_autoptr(GUri) base = NULL;
  const char *scheme;

  g_return_val_if_fail (profile != NULL, NULL);

  base = g_uri_parse (profile->url, SOUP_HTTP_URI_FLAGS, NULL);
  if (base == NULL || g_uri_get_host (base) == NULL || *g_uri_get_host (base) == '\0')
    {
      g_set_error (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_INSECURE_URL,
                   _("The node address “%s” is not a valid URL. Check the address your "
                     "clinic gave you."), profile->url);
      return NULL;
    }

  scheme = g_uri_get_scheme (base);
  if (g_ascii_strcasecmp (scheme, "https") != 0 &&
      !(g_ascii_strcasecmp (scheme, "http") == 0 &&
        (flags & CW_NODE_CLIENT_FLAGS_ALLOW_INSECURE_LOOPBACK) != 0 &&
        host_is_loopback (g_uri_get_host (base))))
    {
      g_set_error (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_INSECURE_URL,
                   _("The node address “%s” does not use https. Consent Wallet only talks to "
                     "nodes over https; ask your clinic for the https address."), profile->url);
      return NULL;
    }

  self = g_object_new (CW_TYPE_NODE_CLIENT, NULL);
  self->profile = cw_node_profile_copy (profile);
  self->flags = flags;
  self->base = g_steal_pointer (&base);
  /* A sync reads its four lists at once, one connection each; libsoup's
   * default of two per host would queue half of them. */
  self->session = soup_session_new_with_options ("timeout", self->timeout,
                                                 "idle-timeout", 60,
                                                 "max-conns-per-host", 4,
                                                 "user-agent", "consent-wallet/" PACKAGE_VERSION " ",
                                                 NULL);
  if (profile->tls_pin != NULL)
    {
      g_autoptr(GTlsDatabase) database = cw_tls_pin_database_new (profile->tls_pin, error);

      if (database == NULL)
        return NULL;
      soup_session_set_tls_database (self->session, database);
    }

  return g_steal_pointer (&self);
}

const CwNodeProfile *
cw_node_client_get_profile (CwNodeClient *self)
{
  g_return_val_if_fail (CW_IS_NODE_CLIENT (self), NULL);

  return self->profile;
}

void
cw_node_client_set_max_retries (CwNodeClient *self,
                                guint         max_retries)
{
  g_return_if_fail (CW_IS_NODE_CLIENT (self));

  if (self->max_retries == max_retries)
    return;
  self->max_retries = max_retries;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_RETRIES]);
}

void
cw_node_client_set_deadline (CwNodeClient *self,
                             guint         seconds)
{
  g_return_if_fail (CW_IS_NODE_CLIENT (self));
  g_return_if_fail (seconds > 0);

  self->deadline = seconds;
}

GError *
cw_node_client_error_new (CwNodeClientError  code,
                          guint              status,
                          const char        *node_code,
                          gboolean           has_head,
                          guint64            head_seq,
                          const char        *head_id,
                          const char        *format,
                          ...)
{
  CwNodeClientErrorPrivate *priv;
  GError *error;
  va_list ap;

  va_start (ap, format);
  error = g_error_new_valist (CW_NODE_CLIENT_ERROR, code, format, ap);
  va_end (ap);

  priv = cw_node_client_error_get_private (error);
  priv->status = status;
  priv->node_code = g_strdup (node_code);
  priv->has_head = has_head;
  priv->head_seq = head_seq;
  priv->head_id = g_strdup (head_id);

  return error;
}

static void
cw_node_client_dispose (GObject *object)
{
  CwNodeClient *self = CW_NODE_CLIENT (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (cw_node_client_parent_class)->dispose (object);
}

static void
cw_node_client_finalize (GObject *object)
{
  CwNodeClient *self = CW_NODE_CLIENT (object);

  g_clear_pointer (&self->profile, cw_node_profile_free);
  g_clear_pointer (&self->base, g_uri_unref);

  G_OBJECT_CLASS (cw_node_client_parent_class)->finalize (object);
}

static void
cw_node_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CwNodeClient *self = CW_NODE_CLIENT (object);

  switch (prop_id)
    {
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;
    case PROP_RETRY_DELAY:
      g_value_set_uint (value, self->retry_delay);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_client_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CwNodeClient *self = CW_NODE_CLIENT (object);

  switch (prop_id)
    {
    case PROP_TIMEOUT:
      if (self->timeout != g_value_get_uint (value))
        {
          self->timeout = g_value_get_uint (value);
          if (self->session != NULL)
            g_object_set (self->session, "timeout", self->timeout, NULL);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_MAX_RETRIES:
      cw_node_client_set_max_retries (self, g_value_get_uint (value));
      break;
    case PROP_RETRY_DELAY:
      if (self->retry_delay != g_value_get_uint (value))
        {
          self->retry_delay = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_node_client_class_init (CwNodeClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cw_node_client_dispose;
  object_class->finalize = cw_node_client_finalize;
  object_class->get_property = cw_node_client_get_property;
  object_class->set_property = cw_node_client_set_property;

  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, 600, 30,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, 20, 4,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RETRY_DELAY] =
    g_param_spec_uint ("retry-delay", NULL, NULL, 1, CW_NODE_CLIENT_MAX_RETRY_DELAY_MS, 500,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_node_client_init (CwNodeClient *self)
{
  self->timeout = 30;
  self->max_retries = 4;
  self->retry_delay = 500;
  self->deadline = CW_NODE_CLIENT_DEFAULT_DEADLINE_S;
}
