/* test-witness-details.c: the grant details window against a real
 * consent-node whose checkpoints two real `consent-node witness serve`
 * processes cosign (quorum 2), with a wallet that knows both witness keys:
 * the receipt verifies and the details name each cosigning witness. A
 * screenshot of the view lands in CW_SCREENSHOT_DIR. */
#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <sodium.h>

#include "cw-grant-details-private.h"
#include "cw-tls-pin.h"
#include "engine-test-util.h"
#include "witness-test-util.h"

#define N_WITNESSES 2

typedef struct {
  EngineFixture engine;
  TestWitness  *witnesses[N_WITNESSES];
} Fixture;

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @done says so, for at most @seconds. */
static gboolean
wait_until (gboolean (*done) (gpointer), gpointer data, guint seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);
  gboolean ok;

  while (!(ok = done (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return ok;
}

static gboolean
widget_drawn (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("CW_SCREENSHOT_DIR");
  int width, height;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;
  g_assert_true (wait_until (widget_drawn, widget, 30));
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  g_mkdir_with_parents (dir, 0755);
  path = g_strdup_printf ("%s/%s-%dx%d.png", dir, name, width, height);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* The engine fixture's node, with two witnesses added before it starts. */
static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  EngineFixture *f = &fixture->engine;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;

  tx_node_setup (&f->node);
  for (guint i = 0; i < N_WITNESSES; i++)
    {
      g_autofree char *name = g_strdup_printf ("witness-%u.test", i + 1);
      g_autoptr(NodeRun) run = NULL;

      fixture->witnesses[i] = test_witness_new (name);
      test_witness_add_log (fixture->witnesses[i], TX_TEST_ORIGIN, f->node.log_key);
      test_witness_start (fixture->witnesses[i]);
      /* The last one added sets the quorum: both. */
      run = node_test_run ("witness", "node-add", "--dir", f->node.dir,
                           "--url", fixture->witnesses[i]->url,
                           "--pin", fixture->witnesses[i]->pin,
                           "--key", fixture->witnesses[i]->verifier_key,
                           "--quorum", i + 1 == N_WITNESSES ? "2" : "1", NULL);
      g_assert_cmpint (run->exit_status, ==, 0);
    }
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
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  engine_fixture_teardown (&fixture->engine, NULL);
  for (guint i = 0; i < N_WITNESSES; i++)
    g_clear_pointer (&fixture->witnesses[i], test_witness_free);
}

static gboolean
done_set (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Enrolls with a profile that knows both witnesses and wants both. */
static void
enroll_witnessed (Fixture *fixture)
{
  EngineFixture *f = &fixture->engine;
  const char *keys[N_WITNESSES + 1] = { NULL };
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = tx_node_invite (&f->node, "gp-one");
  g_autofree char *recovery = NULL;

  for (guint i = 0; i < N_WITNESSES; i++)
    keys[i] = fixture->witnesses[i]->verifier_key;
  profile = cw_node_profile_new (f->node.server->url, f->pin, f->log_key, keys, N_WITNESSES,
                                 &error);
  g_assert_no_error (error);
  cw_wallet_enroll_async (f->wallet, profile, "gp-one", code, NULL, done_cb, &result);
  g_assert_true (wait_until (done_set, &result, 120));
  recovery = cw_wallet_enroll_finish (f->wallet, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (recovery);
}

static gboolean
details_loaded (gpointer data)
{
  return g_strcmp0 (cw_grant_details_get_state (data), "loading") != 0;
}

static void
test_witnessed_receipt (Fixture       *fixture,
                        gconstpointer  data)
{
  EngineFixture *f = &fixture->engine;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwStoreTx) tx = NULL;
  CwGrantDetails *details;
  const char *witnesses;

  enroll_witnessed (fixture);
  tx = engine_grant (f, "lab-two", CW_SCOPE_LAB_RESULTS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tx->state, ==, CW_STORE_TX_CONFIRMED);
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);

  details = cw_grant_details_new (f->wallet, tx->id);
  gtk_window_set_default_size (GTK_WINDOW (details), 1200, 800);
  gtk_window_present (GTK_WINDOW (details));
  g_assert_true (wait_until (details_loaded, details, 60));
  g_assert_cmpstr (cw_grant_details_get_state (details), ==, "details");
  g_assert_cmpstr (cw_grant_details_get_receipt_text (details), ==, "Verified");

  /* "2 (2 required)", then one line per cosigning witness. */
  witnesses = cw_grant_details_get_row_text (details, "witnesses");
  g_test_message ("witnesses: %s", witnesses);
  g_assert_true (g_str_has_prefix (witnesses, "2 (2 required)\n"));
  for (guint i = 0; i < N_WITNESSES; i++)
    {
      g_auto(GStrv) lines = g_strsplit (witnesses, "\n", -1);

      g_assert_true (g_strv_contains ((const char * const *) lines, fixture->witnesses[i]->name));
    }
  save_screenshot (GTK_WIDGET (details), "e2e-grant-details-witnessed");
  gtk_window_destroy (GTK_WINDOW (details));
}

/* GTK 4.8's list view can assert on an empty row-height cache while a
 * window is first mapped (fixed in later GTK); that one message is GTK's. */
static gboolean
ignore_gtk_list_view_height_cb (const char     *log_domain,
                                GLogLevelFlags  log_level,
                                const char     *message,
                                gpointer        user_data)
{
  return !(g_strcmp0 (log_domain, "Gtk") == 0 &&
           message != NULL &&
           strstr (message, "gtk_list_view_get_unknown_row_height") != NULL);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_assert_cmpint (sodium_init (), >=, 0);
  engine_test_start_keyring ();
  gtk_test_init (&argc, &argv, NULL);
  g_test_log_set_fatal_handler (ignore_gtk_list_view_height_cb, NULL);
  adw_init ();
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/consentwallet/ConsentWallet/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  g_test_add ("/ui/witness-details/receipt", Fixture, NULL, fixture_setup,
              test_witnessed_receipt, fixture_teardown);

  status = g_test_run ();
  engine_test_stop_keyring ();
  return status;
}
