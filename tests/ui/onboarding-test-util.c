/* onboarding-test-util.c: what the onboarding UI tests share: a real
 * consent-node with a clinic in its directory and a real gnome-keyring
 * (tests/engine helpers), a window on a wallet, invites signed for the
 * clinic, waiting for the view's async steps, typing the recovery code
 * back, and screenshots at 1200x800 and 360x720 into CW_SCREENSHOT_DIR. */
#include "config.h"

#include <libsecret/secret.h>
#include <string.h>

#include <sodium.h>

#include "cw-keyring.h"
#include "cw-recovery-code.h"
#include "onboarding-test-util.h"

static const int sizes[][2] = { { 1200, 800 }, { 360, 720 } };

static gboolean
view_not_busy (gpointer data)
{
  OnboardingFixture *f = data;

  return g_strcmp0 (cw_onboarding_view_get_page (f->view), "busy") != 0;
}

/* Runs the main loop while the view is busy (network and keyring work),
 * up to a minute, and returns the page it landed on. */
const char *
onboarding_wait_not_busy (OnboardingFixture *f)
{
  ui_test_wait_until (view_not_busy, f, UI_TEST_TIMEOUT_S);
  return cw_onboarding_view_get_page (f->view);
}

/* The page as it is, then at the other size, then back. */
void
onboarding_save_screenshot (OnboardingFixture *f,
                            const char        *name)
{
  g_autofree char *prefixed = g_strconcat ("onboarding-", name, NULL);
  int width, height;

  if (g_getenv ("CW_SCREENSHOT_DIR") == NULL)
    return;
  gtk_window_get_default_size (GTK_WINDOW (f->window), &width, &height);
  g_free (ui_test_save_screenshot (GTK_WIDGET (f->window), NULL, prefixed));
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    if (sizes[i][0] != width)
      {
        gtk_window_set_default_size (GTK_WINDOW (f->window), sizes[i][0], sizes[i][1]);
        g_free (ui_test_save_screenshot (GTK_WIDGET (f->window), NULL, prefixed));
      }
  ui_test_resize (GTK_WINDOW (f->window), width, height);
}

/* Items of the wallet's keyring schema in this session's keyring. */
guint
onboarding_count_keyring_items (void)
{
  const SecretSchema schema = {
    CW_KEYRING_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    { { "patient", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
  };
  g_autoptr(GError) error = NULL;
  GList *items;
  guint n;

  items = secret_password_search_sync (&schema, SECRET_SEARCH_ALL, NULL, &error, NULL);
  g_assert_no_error (error);
  n = g_list_length (items);
  g_list_free_full (items, g_object_unref);
  return n;
}

static CwSigningKey *
add_clinic (OnboardingFixture *f)
{
  g_autofree char *key_path = g_build_filename (f->engine.node.tmpdir, "stmarys.key", NULL);
  g_autoptr(NodeRun) run = node_test_run ("provider", "add", "--dir", f->engine.node.dir,
                                          "--id", CLINIC_ID, "--name", CLINIC_NAME,
                                          "--organization", CLINIC_ORGANIZATION,
                                          "--kind", "practice", "--generate-key", key_path,
                                          NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  CwSigningKey *key;

  g_assert_cmpint (run->exit_status, ==, 0);
  g_file_get_contents (key_path, &text, NULL, &error);
  g_assert_no_error (error);
  key = cw_signing_key_new_from_string (g_strstrip (text), &error);
  g_assert_no_error (error);
  return key;
}

void
onboarding_fixture_setup (OnboardingFixture *f,
                          gconstpointer      data)
{
  engine_fixture_setup (&f->engine, data);
  /* The directory entry is read by the running node from its store. */
  f->clinic_key = add_clinic (f);
}

void
onboarding_open_window (OnboardingFixture *f,
                        CwWallet          *wallet,
                        guint              size)
{
  f->window = cw_window_new (NULL, wallet);
  g_object_ref_sink (f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), sizes[size][0], sizes[size][1]);
  gtk_window_present (GTK_WINDOW (f->window));
  f->view = cw_window_get_onboarding_view (f->window);
  ui_test_wait_for_frame (GTK_WIDGET (f->window));
}

void
onboarding_close_window (OnboardingFixture *f)
{
  if (f->window == NULL)
    return;
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  f->view = NULL;
  /* The destroyed window's idle clean-up. */
  ui_test_iterate_for (50);
}

void
onboarding_fixture_teardown (OnboardingFixture *f,
                             gconstpointer      data)
{
  onboarding_close_window (f);
  g_clear_pointer (&f->clinic_key, cw_signing_key_unref);
  engine_fixture_teardown (&f->engine, data);
}

/* An invite signed by @signer for a fresh code of the clinic. */
char *
onboarding_make_invite (OnboardingFixture    *f,
                        const char           *log_key,
                        gint64                expires_in,
                        const CwInviteGrant  *grant,
                        CwSigningKey         *signer,
                        char                **out_code)
{
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(CwInvite) invite = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  g_autofree char *code = tx_node_invite (&f->engine.node, CLINIC_ID);

  profile = cw_node_profile_new (f->engine.node.server->url, f->engine.pin,
                                 log_key != NULL ? log_key : f->engine.log_key, NULL, 0, &error);
  g_assert_no_error (error);
  invite = cw_invite_new (profile, CLINIC_ID, code,
                          g_get_real_time () / G_USEC_PER_SEC + expires_in, grant, &error);
  g_assert_no_error (error);
  note = cw_invite_sign (invite, signer != NULL ? signer : f->clinic_key, &error);
  g_assert_no_error (error);
  if (out_code != NULL)
    *out_code = g_steal_pointer (&code);
  return g_steal_pointer (&note);
}

void
onboarding_paste_link (OnboardingFixture *f,
                       const char        *link)
{
  AdwEntryRow *row = cw_onboarding_view_get_link_row (f->view);

  gtk_editable_set_text (GTK_EDITABLE (row), link);
  g_signal_emit_by_name (row, "apply");
}

gboolean
onboarding_activate (OnboardingFixture *f,
                     const char        *action)
{
  return gtk_widget_activate_action (GTK_WIDGET (f->view), action, NULL);
}

/* The groups as the recovery page shows them: "1 ABCD  2 EFGH ...". */
static GStrv
shown_groups (OnboardingFixture *f)
{
  g_auto(GStrv) tokens = g_strsplit_set (cw_onboarding_view_get_shown_code (f->view), " \n", -1);
  g_autoptr(GStrvBuilder) groups = g_strv_builder_new ();
  guint expected = 1;

  for (guint i = 0; tokens[i] != NULL; i++)
    {
      if (tokens[i][0] == '\0')
        continue;
      /* Group numbers have one or two digits; groups (base32) four symbols. */
      if (strlen (tokens[i]) <= 2)
        {
          g_assert_cmpuint (g_ascii_strtoull (tokens[i], NULL, 10), ==, expected++);
          continue;
        }
      g_assert_cmpuint (strlen (tokens[i]), ==, 4);
      g_strv_builder_add (groups, tokens[i]);
    }
  return g_strv_builder_end (groups);
}

/* Reads the code off the page, types back the groups asked for (after one
 * wrong try) and returns the code as written down. */
char *
onboarding_confirm_code (OnboardingFixture *f,
                         const char        *screenshot_prefix)
{
  g_auto(GStrv) groups = shown_groups (f);
  g_autofree char *code = NULL;
  guint8 seed[CW_SEED_SIZE];
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (g_strv_length (groups), ==, 14);
  code = g_strjoinv ("-", groups);
  /* What is shown is a well-formed code. */
  g_assert_true (cw_recovery_code_parse (code, seed, &error));
  g_assert_no_error (error);

  g_assert_true (onboarding_activate (f, "onboarding.code-written"));
  g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "confirm");
  if (screenshot_prefix != NULL)
    onboarding_save_screenshot (f, "confirm");
  {
    guint a = cw_onboarding_view_get_asked_group (f->view, 0);
    guint b = cw_onboarding_view_get_asked_group (f->view, 1);
    g_autofree char *lower = g_ascii_strdown (groups[b - 1], -1);

    g_assert_cmpuint (a, >=, 1);
    g_assert_cmpuint (b, <=, 14);
    g_assert_cmpuint (a, !=, b);
    /* A wrong group: refused, the code still there. */
    gtk_editable_set_text (GTK_EDITABLE (cw_onboarding_view_get_group_row (f->view, 0)),
                           groups[a == 1 ? 1 : 0]);
    gtk_editable_set_text (GTK_EDITABLE (cw_onboarding_view_get_group_row (f->view, 1)),
                           groups[b - 1]);
    if (g_strcmp0 (groups[a == 1 ? 1 : 0], groups[a - 1]) != 0)
      {
        g_assert_true (onboarding_activate (f, "onboarding.confirm-code"));
        g_assert_cmpstr (cw_onboarding_view_get_page (f->view), ==, "confirm");
      }
    /* The right ones, the second typed in lower case. */
    gtk_editable_set_text (GTK_EDITABLE (cw_onboarding_view_get_group_row (f->view, 0)),
                           groups[a - 1]);
    gtk_editable_set_text (GTK_EDITABLE (cw_onboarding_view_get_group_row (f->view, 1)), lower);
    g_assert_true (onboarding_activate (f, "onboarding.confirm-code"));
  }
  /* Confirmed: the code is no longer on screen. */
  g_assert_cmpstr (cw_onboarding_view_get_shown_code (f->view), ==, "");
  return g_steal_pointer (&code);
}

void
onboarding_write_file (const char *path,
                       const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

void
onboarding_assert_nothing_created (OnboardingFixture *f,
                                   guint              items)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwStoreIdentity) identity = NULL;

  g_assert_false (cw_wallet_get_enrolled (f->engine.wallet));
  g_assert_cmpuint (onboarding_count_keyring_items (), ==, items);
  identity = cw_wallet_store_get_identity (engine_store (&f->engine), &error);
  g_assert_no_error (error);
  g_assert_null (identity);
}

void
onboarding_test_init (int    *argc,
                      char ***argv)
{
  g_assert_cmpint (sodium_init (), >=, 0);
  engine_test_start_keyring ();
  ui_test_init (argc, argv);
}
