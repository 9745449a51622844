/* engine-test-util.c: the engine tests' keyring, node fixture, blocking
 * wallet helpers and tampering proxy (engine-test-util.h). */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "cw-encoding.h"
#include "cw-tls-pin.h"
#include "engine-test-util.h"

#define BUS_CONFIG \
  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n" \
  " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n" \
  "<busconfig><type>session</type><listen>unix:dir=%s</listen><auth>EXTERNAL</auth>\n" \
  "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>\n" \
  "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n"

static struct {
  char *home;
  GSubprocess *bus;
  GDBusConnection *session;
  guint32 keyring_pid;
} env;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* A private bus and an unlocked gnome-keyring-daemon on it, as
 * tests/core/test-keyring.c does. */
void
engine_test_start_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *config = NULL;
  g_autofree char *address = NULL;
  g_autofree char *runtime = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GDBusConnection) bus = NULL;

  env.home = g_dir_make_tmp ("cw-engine-XXXXXX", &error);
  g_assert_no_error (error);
  runtime = g_build_filename (env.home, "run", NULL);
  g_mkdir (runtime, 0700);
  g_setenv ("HOME", env.home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_setenv ("XDG_DATA_HOME", env.home, TRUE);

  config_path = g_build_filename (env.home, "bus.conf", NULL);
  config = g_strdup_printf (BUS_CONFIG, env.home);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  env.bus = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork",
                                         "--config-file", config_path, "--print-address=1", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (env.bus));
  address = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);

  g_clear_object (&launcher);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_CHECK_");
  daemon = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--unlock",
                                        "--components=secrets", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (daemon, "test-password", NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 200 && env.keyring_pid == 0; i++)
    {
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                     g_variant_new ("(s)", "org.freedesktop.secrets"),
                                     G_VARIANT_TYPE ("(u)"), 0, -1, NULL, NULL);

      if (reply != NULL)
        g_variant_get (reply, "(u)", &env.keyring_pid);
      else
        g_usleep (50 * 1000);
    }
  g_assert_cmpuint (env.keyring_pid, !=, 0);
  g_dbus_connection_close_sync (bus, NULL, NULL);

  /* The bus going away at the end must not end this process (GDBus
   * raises SIGTERM when a bus connection that exits on close loses its
   * bus). The session bus connection is a singleton only while someone
   * holds it: held here, every later user gets this one. */
  env.session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (env.session, FALSE);
}

void
engine_test_stop_keyring (void)
{
  if (env.keyring_pid != 0)
    kill ((pid_t) env.keyring_pid, SIGTERM);
  if (env.bus != NULL)
    {
      g_subprocess_send_signal (env.bus, SIGTERM);
      g_subprocess_wait (env.bus, NULL, NULL);
      g_clear_object (&env.bus);
    }
  g_clear_object (&env.session);
  node_test_remove_tree (env.home);
  g_free (env.home);
}


static void
alert_raised_cb (CwWallet      *wallet,
                 gint64         id,
                 const char    *kind,
                 const char    *message,
                 EngineFixture *f)
{
  g_test_message ("alert %s: %s", kind, message);
  f->n_alerts++;
}

void
engine_fixture_setup (EngineFixture *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;

  tx_node_setup (&f->node);
  tx_node_start (&f->node);
  cert = g_tls_certificate_new_from_file (f->node.cert_path, &error);
  g_assert_no_error (error);
  f->pin = cw_tls_pin_for_certificate (cert, &error);
  g_assert_no_error (error);
  f->log_key = cw_verifier_key_to_string (f->node.log_key);
  f->store_path = g_build_filename (f->node.tmpdir, "wallet", "wallet.db", NULL);
  f->keyring = cw_keyring_new (NULL);
  f->wallet = cw_wallet_new (f->store_path, f->keyring, CW_NODE_CLIENT_FLAGS_NONE, &error);
  g_assert_no_error (error);
  cw_wallet_set_max_retries (f->wallet, 0);
  g_signal_connect (f->wallet, "alert-raised", G_CALLBACK (alert_raised_cb), f);
}

void
engine_fixture_teardown (EngineFixture *f,
                         gconstpointer  data)
{
  g_clear_pointer (&f->proxy, engine_proxy_stop);
  g_clear_object (&f->wallet);
  g_clear_object (&f->keyring);
  g_free (f->pin);
  g_free (f->log_key);
  g_free (f->store_path);
  tx_node_teardown (&f->node);
}

CwWalletStore *
engine_store (EngineFixture *f)
{
  return cw_wallet_get_store (f->wallet);
}

CwNodeProfile *
engine_profile (EngineFixture *f,
                const char    *url)
{
  g_autoptr(GError) error = NULL;
  CwNodeProfile *profile = cw_node_profile_new (url, f->pin, f->log_key, NULL, 0, &error);

  g_assert_no_error (error);
  return profile;
}

void
engine_use_url (EngineFixture *f,
                const char    *url)
{
  g_autoptr(CwNodeProfile) profile = engine_profile (f, url);
  g_autoptr(GError) error = NULL;

  g_assert_true (cw_wallet_store_set_node_profile (engine_store (f), profile, &error));
  g_assert_no_error (error);
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

char *
engine_enroll (EngineFixture *f,
               GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CwNodeProfile) profile = engine_profile (f, f->node.server->url);
  g_autofree char *code = tx_node_invite (&f->node, "gp-one");

  cw_wallet_enroll_async (f->wallet, profile, "gp-one", code, NULL, done_cb, &result);
  return cw_wallet_enroll_finish (f->wallet, wait_for (&result), error);
}

CwStoreTx *
engine_grant (EngineFixture *f,
              const char    *provider,
              CwScopes       scopes,
              GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = g_date_time_add_days (now, 30);
  CwWalletGrantParams params = { provider, scopes, CW_PURPOSE_TREAT, CW_ACCESS_VIEW, NULL, NULL,
                                 expires, NULL };

  cw_wallet_grant_async (f->wallet, &params, NULL, done_cb, &result);
  return cw_wallet_transaction_finish (f->wallet, wait_for (&result), error);
}

CwStoreTx *
engine_revoke (EngineFixture *f,
               const char    *grant_id,
               GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cw_wallet_revoke_async (f->wallet, grant_id, NULL, done_cb, &result);
  return cw_wallet_transaction_finish (f->wallet, wait_for (&result), error);
}

gboolean
engine_sync (EngineFixture *f,
             GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cw_wallet_sync_async (f->wallet, NULL, done_cb, &result);
  return cw_wallet_sync_finish (f->wallet, wait_for (&result), error);
}

gboolean
engine_verify (EngineFixture  *f,
               guint          *n_checked,
               GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cw_wallet_verify_async (f->wallet, NULL, done_cb, &result);
  return cw_wallet_verify_finish (f->wallet, wait_for (&result), n_checked, error);
}

guint
engine_flush (EngineFixture *f,
              GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  guint n_confirmed = 0;

  cw_wallet_flush_async (f->wallet, NULL, done_cb, &result);
  cw_wallet_flush_finish (f->wallet, wait_for (&result), &n_confirmed, error);
  return n_confirmed;
}

void
engine_wait_alerts (EngineFixture *f,
                    guint          n)
{
  while (f->n_alerts < n)
    g_main_context_iteration (NULL, TRUE);
}

char *
engine_provider_access (EngineFixture *f,
                        CwSigningKey  *provider_key,
                        const char    *provider,
                        const char    *grant_id,
                        CwScopes       scopes,
                        CwPurpose      purpose)
{
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autoptr(CwTx) access = NULL;
  g_autoptr(JsonObject) answer = NULL;
  guint8 grant[CW_TX_ID_SIZE];

  /* tx_make_access only reads the patient's ID. */
  g_assert_true (cw_base64_decode_fixed (cw_wallet_get_patient_id (f->wallet), -1, patient->id,
                                         sizeof patient->id, NULL));
  g_assert_true (cw_base64_decode_fixed (grant_id, -1, grant, sizeof grant, NULL));
  access = tx_make_access (patient, provider, grant, scopes, purpose);
  answer = tx_submit_ok (&f->node, access, provider_key);
  return g_strdup (json_object_get_string_member (answer, "outcome"));
}

/* The proxy. */

struct _EngineProxy {
  SoupServer *server;
  SoupSession *upstream;
  char *target;
  char *url;
  EngineTamperFunc tamper;
  gpointer user_data;
  GPtrArray *log;   /* "path?query" of every request */
  gboolean chunked;
  char *redirect;
  gboolean drip;
};

#define DRIP_BYTES 40
#define DRIP_INTERVAL_MS 500

typedef struct {
  SoupServerMessage *msg;
  guint sent;
  guint source_id;
} Drip;

static gboolean
drip_cb (gpointer user_data)
{
  Drip *drip = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (drip->msg);

  soup_message_body_append (body, SOUP_MEMORY_STATIC, "x", 1);
  if (++drip->sent == DRIP_BYTES)
    soup_message_body_complete (body);
  soup_server_message_unpause (drip->msg);
  if (drip->sent < DRIP_BYTES)
    return G_SOURCE_CONTINUE;
  drip->source_id = 0;
  return G_SOURCE_REMOVE;
}

/* The client went away, or the last byte went out. */
static void
drip_finished_cb (SoupServerMessage *msg,
                  Drip              *drip)
{
  g_clear_handle_id (&drip->source_id, g_source_remove);
}

static void
drip_free (Drip *drip)
{
  g_clear_handle_id (&drip->source_id, g_source_remove);
  g_free (drip);
}

static void
start_drip (SoupServerMessage *msg)
{
  Drip *drip = g_new0 (Drip, 1);

  drip->msg = msg;
  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg),
                                     SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                         "application/json", NULL);
  g_signal_connect (msg, "finished", G_CALLBACK (drip_finished_cb), drip);
  g_signal_connect (msg, "disconnected", G_CALLBACK (drip_finished_cb), drip);
  g_object_set_data_full (G_OBJECT (msg), "cw-drip", drip, (GDestroyNotify) drip_free);
  soup_server_message_pause (msg);
  drip->source_id = g_timeout_add (DRIP_INTERVAL_MS, drip_cb, drip);
}

typedef struct {
  EngineProxy *proxy;
  SoupServerMessage *msg;
  char *path;
  char *query;
} Forward;

static gboolean
accept_any_cb (SoupMessage          *msg,
               GTlsCertificate      *cert,
               GTlsCertificateFlags  errors,
               gpointer              data)
{
  return TRUE;
}

static void
upstream_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Forward *forward = user_data;
  SoupMessage *upstream = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  g_autofree char *tampered = NULL;
  guint status = upstream != NULL ? soup_message_get_status (upstream) : 502;

  const char *type = upstream != NULL
                     ? soup_message_headers_get_content_type (soup_message_get_response_headers (upstream), NULL)
                     : NULL;

  if (body != NULL && status == 200 && forward->proxy->tamper != NULL)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

      tampered = forward->proxy->tamper (forward->path, forward->query, text,
                                         forward->proxy->user_data);
    }

  soup_server_message_set_status (forward->msg, status, NULL);
  if (tampered != NULL)
    {
      gsize len = strlen (tampered);

      soup_server_message_set_response (forward->msg, type, SOUP_MEMORY_TAKE,
                                        g_steal_pointer (&tampered), len);
    }
  else if (body != NULL)
    soup_server_message_set_response (forward->msg, type, SOUP_MEMORY_COPY,
                                      g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  if (forward->proxy->chunked)
    {
      soup_message_headers_set_encoding (soup_server_message_get_response_headers (forward->msg),
                                         SOUP_ENCODING_CHUNKED);
      soup_message_body_complete (soup_server_message_get_response_body (forward->msg));
    }
  soup_server_message_unpause (forward->msg);

  g_object_unref (forward->msg);
  g_free (forward->path);
  g_free (forward->query);
  g_free (forward);
}

static void
copy_header_cb (const char *name,
                const char *value,
                gpointer    user_data)
{
  if (g_ascii_strcasecmp (name, "Connection") != 0 &&
      g_ascii_strcasecmp (name, "Content-Length") != 0)
    soup_message_headers_replace (user_data, name, value);
}

static void
proxy_handler_cb (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  EngineProxy *proxy = user_data;
  GUri *uri = soup_server_message_get_uri (msg);
  const char *raw_query = g_uri_get_query (uri);
  g_autofree char *url = g_strconcat (proxy->target, path, raw_query != NULL ? "?" : "",
                                      raw_query != NULL ? raw_query : "", NULL);
  g_autoptr(SoupMessage) upstream = soup_message_new (soup_server_message_get_method (msg), url);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  SoupMessageHeaders *headers = soup_message_get_request_headers (upstream);
  Forward *forward = g_new0 (Forward, 1);

  g_ptr_array_add (proxy->log, g_strdup_printf ("%s?%s", path, raw_query != NULL ? raw_query : ""));
  if (proxy->redirect != NULL)
    {
      soup_server_message_set_redirect (msg, 307, proxy->redirect);
      g_free (forward);
      return;
    }
  if (proxy->drip)
    {
      g_free (forward);
      start_drip (msg);
      return;
    }
  soup_message_headers_foreach (soup_server_message_get_request_headers (msg), copy_header_cb,
                                headers);
  g_signal_connect (upstream, "accept-certificate", G_CALLBACK (accept_any_cb), NULL);
  if (g_bytes_get_size (bytes) > 0)
    soup_message_set_request_body_from_bytes (upstream, "application/json", bytes);
  forward->proxy = proxy;
  forward->msg = g_object_ref (msg);
  forward->path = g_strdup (path);
  forward->query = g_strdup (raw_query);
  soup_server_message_pause (msg);
  soup_session_send_and_read_async (proxy->upstream, upstream, G_PRIORITY_DEFAULT, NULL,
                                    upstream_cb, forward);
}

EngineProxy *
engine_proxy_start (EngineFixture    *f,
                    EngineTamperFunc  tamper,
                    gpointer          user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key_path = g_build_filename (f->node.dir, "tls-key.pem", NULL);
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(GSList) uris = NULL;
  EngineProxy *proxy = g_new0 (EngineProxy, 1);

  cert = g_tls_certificate_new_from_files (f->node.cert_path, key_path, &error);
  g_assert_no_error (error);
  proxy->server = soup_server_new ("tls-certificate", cert, NULL);
  proxy->upstream = soup_session_new ();
  proxy->target = g_strdup (f->node.server->url);
  proxy->tamper = tamper;
  proxy->user_data = user_data;
  proxy->log = g_ptr_array_new_with_free_func (g_free);
  soup_server_add_handler (proxy->server, NULL, proxy_handler_cb, proxy, NULL);
  soup_server_listen_local (proxy->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS,
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (proxy->server);
  proxy->url = g_uri_to_string_partial (uris->data, G_URI_HIDE_PASSWORD);
  if (g_str_has_suffix (proxy->url, "/"))
    proxy->url[strlen (proxy->url) - 1] = '\0';
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  return proxy;
}

const char *
engine_proxy_get_url (EngineProxy *proxy)
{
  return proxy->url;
}

GPtrArray *
engine_proxy_get_queries (EngineProxy *proxy,
                          const char  *path_suffix)
{
  GPtrArray *queries = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < proxy->log->len; i++)
    {
      const char *entry = g_ptr_array_index (proxy->log, i);
      const char *mark = strchr (entry, '?');
      g_autofree char *path = g_strndup (entry, mark - entry);

      if (g_str_has_suffix (path, path_suffix))
        g_ptr_array_add (queries, g_strdup (mark + 1));
    }
  return queries;
}

void
engine_proxy_set_chunked (EngineProxy *proxy,
                          gboolean     chunked)
{
  proxy->chunked = chunked;
}

void
engine_proxy_set_redirect (EngineProxy *proxy,
                           const char  *location)
{
  g_free (proxy->redirect);
  proxy->redirect = g_strdup (location);
}

void
engine_proxy_set_drip (EngineProxy *proxy,
                       gboolean     drip)
{
  proxy->drip = drip;
}

void
engine_proxy_stop (EngineProxy *proxy)
{
  soup_server_disconnect (proxy->server);
  g_clear_object (&proxy->server);
  g_clear_object (&proxy->upstream);
  g_clear_pointer (&proxy->log, g_ptr_array_unref);
  g_free (proxy->target);
  g_free (proxy->url);
  g_free (proxy->redirect);
  g_free (proxy);
}
