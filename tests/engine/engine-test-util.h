/* engine-test-util.h: what the engine tests against a real node share: a
 * private session bus with an unlocked gnome-keyring, a fixture with a
 * consent-node over HTTPS and a CwWallet, blocking helpers for the wallet's
 * async calls, and an in-process HTTPS proxy in front of the node that can
 * rewrite its answers. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cw-wallet.h"
#include "node-test-tx.h"

G_BEGIN_DECLS

/* Starts (and stops) dbus-daemon and gnome-keyring-daemon for the process. */
void          engine_test_start_keyring (void);
void          engine_test_stop_keyring  (void);

typedef struct _EngineProxy EngineProxy;

typedef struct {
  TxNode node;
  char *pin;
  char *log_key;
  char *store_path;
  CwKeyring *keyring;
  CwWallet *wallet;
  guint n_alerts;
  EngineProxy *proxy;
} EngineFixture;

void          engine_fixture_setup      (EngineFixture *f,
                                         gconstpointer  data);
void          engine_fixture_teardown   (EngineFixture *f,
                                         gconstpointer  data);
CwWalletStore *engine_store             (EngineFixture *f);
CwNodeProfile *engine_profile           (EngineFixture *f,
                                         const char    *url);
/* Points the wallet at @url (the node's, or the proxy's). */
void          engine_use_url            (EngineFixture *f,
                                         const char    *url);

/* Blocking wrappers around the wallet's async calls. */
char         *engine_enroll             (EngineFixture *f,
                                         GError       **error);
CwStoreTx    *engine_grant              (EngineFixture *f,
                                         const char    *provider,
                                         CwScopes       scopes,
                                         GError       **error);
CwStoreTx    *engine_revoke             (EngineFixture *f,
                                         const char    *grant_id,
                                         GError       **error);
gboolean      engine_sync               (EngineFixture *f,
                                         GError       **error);
/* cw_wallet_verify_async(): everything stored re-verified offline. */
gboolean      engine_verify             (EngineFixture *f,
                                         guint         *n_checked,
                                         GError       **error);
guint         engine_flush              (EngineFixture *f,
                                         GError       **error);
/* Runs the main context until the "alert-raised" count reaches @n. */
void          engine_wait_alerts        (EngineFixture *f,
                                         guint          n);

/* A provider's access event about the wallet's patient, citing @grant_id
 * (base64), posted straight to the node; returns the node's outcome. */
char         *engine_provider_access    (EngineFixture *f,
                                         CwSigningKey  *provider_key,
                                         const char    *provider,
                                         const char    *grant_id,
                                         CwScopes       scopes,
                                         CwPurpose      purpose);

/* The proxy: rewrites a 200 answer of @path (no query) when @tamper
 * returns a new body (owned text), otherwise passes it on. Request headers,
 * the Host included (RFC 9421 signs it), are forwarded as they are. */
typedef char *(*EngineTamperFunc) (const char *path,
                                   const char *query,
                                   const char *body,
                                   gpointer    user_data);

EngineProxy  *engine_proxy_start        (EngineFixture *f,
                                         EngineTamperFunc tamper,
                                         gpointer       user_data);
const char   *engine_proxy_get_url      (EngineProxy   *proxy);
/* Query strings of every request the proxy forwarded for a path prefix. */
GPtrArray    *engine_proxy_get_queries  (EngineProxy   *proxy,
                                         const char    *path_suffix);
/* Answers without a Content-Length, in chunks, as a node may. */
void          engine_proxy_set_chunked  (EngineProxy   *proxy,
                                         gboolean       chunked);
/* Answers every request with a 307 to @location instead of forwarding it
 * (%NULL: forward again). */
void          engine_proxy_set_redirect (EngineProxy   *proxy,
                                         const char    *location);
/* Answers every request with a 200 whose body comes a byte every 500 ms,
 * 40 bytes in all, none of it JSON: a node that drips. */
void          engine_proxy_set_drip     (EngineProxy   *proxy,
                                         gboolean       drip);
void          engine_proxy_stop         (EngineProxy   *proxy);

G_END_DECLS
