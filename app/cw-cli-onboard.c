/* cw-cli-onboard.c: consent-wallet-cli's onboarding: `enroll` with a
 * clinic's invite (a consentwallet: URI or a .cwinvite file) or with the
 * node given option by option, and `restore --recovery-code` on a new
 * device. */
#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "cw-cli.h"
#include "cw-recovery-code.h"

static void
wipe_free (char *secret)
{
  if (secret != NULL)
    {
      sodium_memzero (secret, strlen (secret));
      g_free (secret);
    }
}

/* The invite as given: a URI itself, or a file holding the note or URI. */
static char *
read_invite_argument (const char  *arg,
                      gsize       *len,
                      GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  gsize max = CW_INVITE_MAX_URI_LENGTH + 1;

  if (g_ascii_strncasecmp (arg, CW_INVITE_URI_SCHEME ":", strlen (CW_INVITE_URI_SCHEME ":")) == 0)
    {
      *len = strlen (arg);
      return g_strdup (arg);
    }
  /* Read no more than an invite can be: a huge file is refused, not
   * loaded. */
  file = g_file_new_for_commandline_arg (arg);
  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return NULL;
  contents = g_malloc (max + 1);
  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), contents, max, len, NULL, error))
    return NULL;
  contents[*len] = '\0';
  return g_steal_pointer (&contents);
}

static JsonNode *
grant_to_json (const CwInviteGrant *grant)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "scopes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < CW_N_SCOPES; i++)
    if (grant->scopes & (1u << i))
      json_builder_add_string_value (builder, cw_scope_to_string (1u << i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "purpose");
  json_builder_add_string_value (builder, cw_purpose_to_string (grant->purpose));
  json_builder_set_member_name (builder, "access");
  json_builder_begin_array (builder);
  if (grant->access & CW_ACCESS_STORE)
    json_builder_add_string_value (builder, "store");
  if (grant->access & CW_ACCESS_VIEW)
    json_builder_add_string_value (builder, "view");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "days");
  json_builder_add_int_value (builder, grant->days);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
print_grant_offer (CwInvite *invite)
{
  const CwInviteGrant *grant = cw_invite_get_proposed_grant (invite);
  g_autofree char *scopes = NULL;
  g_autofree char *purpose = NULL;
  g_autofree char *access = NULL;

  if (grant == NULL)
    return;
  scopes = cw_cli_describe_scopes (grant->scopes);
  purpose = cw_cli_describe_purpose (grant->purpose);
  access = cw_cli_describe_access (grant->access);
  g_print (_("\n%s proposes a first grant: %s of %s, for %s, for %u days.\n"),
           cw_invite_get_clinic (invite), access, scopes, purpose, grant->days);
}

/* Enrolls in the engine's two steps. Without --json the recovery code is
 * printed after the keys are made and before anything is stored or sent,
 * so that it is on the screen even if the enrollment then fails (and then
 * void: nothing was created). @recovery_out gets a copy for --json. */
static gboolean
enroll_in_two_steps (CwCli                *cli,
                     const CwNodeProfile  *profile,
                     const char           *clinic,
                     const char           *code,
                     char                **recovery_out,
                     GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CwEnrollment) enrollment = NULL;

  cw_wallet_prepare_enroll_async (cli->wallet, profile, clinic, code, NULL, cw_cli_done_cb,
                                  &result);
  enrollment = cw_wallet_prepare_enroll_finish (cli->wallet, cw_cli_wait (&result), error);
  if (enrollment == NULL)
    return FALSE;
  if (!cli->json)
    {
      g_print (_("Your patient ID will be %s.\n\n"
                 "Your recovery code (write it down now, with your patient ID: it is shown "
                 "only this once and stored nowhere):\n\n  %s\n\n"),
               cw_enrollment_get_patient_id (enrollment),
               cw_enrollment_get_recovery_code (enrollment));
      g_print (_("Registering with %s…\n"), clinic);
      fflush (stdout);
    }
  else
    *recovery_out = g_strdup (cw_enrollment_get_recovery_code (enrollment));

  g_clear_object (&result);
  cw_wallet_complete_enroll_async (cli->wallet, enrollment, NULL, cw_cli_done_cb, &result);
  if (!cw_wallet_complete_enroll_finish (cli->wallet, cw_cli_wait (&result), error))
    {
      if (!cli->json)
        g_printerr (_("Nothing was enrolled: the recovery code above is void.\n"));
      return FALSE;
    }
  return TRUE;
}

/* Enrolls or joins with an invite, then applies its proposed grant when
 * asked to. */
static int
enroll_with_invite (CwCli       *cli,
                    const char  *arg,
                    gboolean     accept_grant)
{
  g_autofree char *text = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwInvite) invite = NULL;
  g_autoptr(CwStoreTx) granted = NULL;
  char *recovery = NULL;
  gsize len = 0;
  gboolean joined;
  int status;

  text = read_invite_argument (arg, &len, &error);
  if (text == NULL)
    return cw_cli_usage_error (cli, "%s", error->message);
  if ((status = cw_cli_open_wallet (cli, FALSE)) != CW_CLI_EXIT_OK)
    return status;

  cw_wallet_open_invite_async (cli->wallet, text, len, NULL, cw_cli_done_cb, &result);
  invite = cw_wallet_open_invite_finish (cli->wallet, cw_cli_wait (&result), &error);
  if (invite == NULL)
    return cw_cli_fail (cli, error);
  if (accept_grant && cw_invite_get_proposed_grant (invite) == NULL)
    return cw_cli_usage_error (cli, _("This invite proposes no grant to accept."));
  /* Sensitive categories are never accepted in one step (DESIGN.md). */
  if (accept_grant && (cw_invite_get_proposed_grant (invite)->scopes & CW_SCOPES_SENSITIVE) != 0)
    {
      g_autofree char *sensitive =
        cw_cli_describe_scopes (cw_invite_get_proposed_grant (invite)->scopes & CW_SCOPES_SENSITIVE);

      /* TRANSLATORS: %s is "your mental health" or a list of such categories */
      return cw_cli_usage_error (cli, _("The proposed grant includes %s: sensitive information "
                                        "is never accepted in one step. Enroll without "
                                        "--accept-proposed-grant, then give access with "
                                        "“grant”, naming each category you choose."), sensitive);
    }

  joined = cw_wallet_get_enrolled (cli->wallet);
  g_clear_object (&result);
  if (joined)
    {
      cw_wallet_accept_invite_async (cli->wallet, invite, NULL, cw_cli_done_cb, &result);
      if (!cw_wallet_accept_invite_finish (cli->wallet, cw_cli_wait (&result), NULL, &error))
        return cw_cli_fail (cli, error);
    }
  else if (!enroll_in_two_steps (cli, cw_invite_get_node_profile (invite),
                                 cw_invite_get_clinic (invite), cw_invite_get_code (invite),
                                 &recovery, &error))
    return cw_cli_fail (cli, error);

  if (accept_grant)
    {
      CwWalletGrantParams params;

      cw_wallet_grant_params_from_invite (invite, &params);
      g_clear_object (&result);
      cw_wallet_grant_async (cli->wallet, &params, NULL, cw_cli_done_cb, &result);
      granted = cw_wallet_transaction_finish (cli->wallet, cw_cli_wait (&result), &error);
      g_date_time_unref (params.expires);
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "patient_id");
      json_builder_add_string_value (builder, cw_wallet_get_patient_id (cli->wallet));
      json_builder_set_member_name (builder, "clinic");
      json_builder_add_string_value (builder, cw_invite_get_clinic (invite));
      json_builder_set_member_name (builder, "node");
      json_builder_add_string_value (builder, cw_invite_get_node_profile (invite)->url);
      json_builder_set_member_name (builder, "joined");
      json_builder_add_boolean_value (builder, joined);
      if (recovery != NULL)
        {
          json_builder_set_member_name (builder, "recovery_code");
          json_builder_add_string_value (builder, recovery);
        }
      if (cw_invite_get_proposed_grant (invite) != NULL)
        {
          json_builder_set_member_name (builder, "proposed_grant");
          json_builder_add_value (builder, grant_to_json (cw_invite_get_proposed_grant (invite)));
        }
      if (granted != NULL)
        {
          json_builder_set_member_name (builder, "grant_id");
          json_builder_add_string_value (builder, granted->id);
        }
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      cw_cli_print_json (root);
    }
  else
    {
      if (joined)
        g_print (_("Joined %s with your existing identity (patient ID %s).\n"),
                 cw_invite_get_clinic (invite), cw_wallet_get_patient_id (cli->wallet));
      else
        g_print (_("Enrolled with %s. Your patient ID is %s.\n"),
                 cw_invite_get_clinic (invite), cw_wallet_get_patient_id (cli->wallet));
      print_grant_offer (invite);
      if (granted != NULL)
        g_print (_("You accepted it: grant %s.\n"), granted->id);
      else if (cw_invite_get_proposed_grant (invite) != NULL && error == NULL)
        g_print (_("Nothing was granted. Accept it with “enroll --accept-proposed-grant” next "
                   "time, or grant what you choose with “consent-wallet-cli grant”.\n"));
    }
  wipe_free (recovery);
  if (accept_grant && granted == NULL)
    return cw_cli_fail (cli, error);
  return CW_CLI_EXIT_OK;
}

/* The node given option by option, as before invites existed. */
static int
enroll_with_options (CwCli       *cli,
                     const char  *url,
                     const char  *pin,
                     const char  *log_key,
                     GStrv        witnesses,
                     gint         quorum,
                     const char  *clinic,
                     const char  *code)
{
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  char *recovery = NULL;
  int status;

  if (url == NULL || log_key == NULL || clinic == NULL || code == NULL)
    return cw_cli_usage_error (cli, _("Give an invite, or --node, --log-key, --clinic and "
                                      "--code."));
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 ||
      g_uri_get_host (uri) == NULL)
    return cw_cli_usage_error (cli, _("“%s” is not an https:// URL."), url);
  if (quorum < 0)
    return cw_cli_usage_error (cli, _("The quorum cannot be negative."));
  if (!cw_tx_provider_id_is_valid (clinic))
    return cw_cli_usage_error (cli, _("“%s” is not a provider ID."), clinic);
  if (!cw_tx_invite_is_valid (code))
    return cw_cli_usage_error (cli, _("“%s” is not an invite code."), code);
  profile = cw_node_profile_new (url, pin, log_key, (const char * const *) witnesses,
                                 (guint) quorum, &error);
  if (profile == NULL)
    return cw_cli_usage_error (cli, "%s", error->message);

  if ((status = cw_cli_open_wallet (cli, FALSE)) != CW_CLI_EXIT_OK)
    return status;
  if (!enroll_in_two_steps (cli, profile, clinic, code, &recovery, &error))
    return cw_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "patient_id");
      json_builder_add_string_value (builder, cw_wallet_get_patient_id (cli->wallet));
      json_builder_set_member_name (builder, "clinic");
      json_builder_add_string_value (builder, clinic);
      json_builder_set_member_name (builder, "node");
      json_builder_add_string_value (builder, url);
      json_builder_set_member_name (builder, "recovery_code");
      json_builder_add_string_value (builder, recovery);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      cw_cli_print_json (root);
    }
  else
    {
      g_print (_("Enrolled with %s. Your patient ID is %s.\n"), clinic,
               cw_wallet_get_patient_id (cli->wallet));
    }
  wipe_free (recovery);
  return CW_CLI_EXIT_OK;
}

int
cw_cli_enroll (CwCli  *cli,
               int     argc,
               char  **argv)
{
  g_autofree char *url = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *log_key = NULL;
  g_auto(GStrv) witnesses = NULL;
  gint quorum = 0;
  g_autofree char *clinic = NULL;
  g_autofree char *code = NULL;
  gboolean accept_grant = FALSE;
  const GOptionEntry entries[] = {
    { "accept-proposed-grant", 0, 0, G_OPTION_ARG_NONE, &accept_grant,
      N_("Also sign the first grant the invite proposes"), NULL },
    { "node", 0, 0, G_OPTION_ARG_STRING, &url, N_("Without invite: the node's https:// URL"),
      N_("URL") },
    { "pin", 0, 0, G_OPTION_ARG_STRING, &pin, N_("The node's TLS key pin (base64 SPKI SHA-256)"),
      N_("PIN") },
    { "log-key", 0, 0, G_OPTION_ARG_STRING, &log_key, N_("The log's verifier key"), N_("VKEY") },
    { "witness", 0, 0, G_OPTION_ARG_STRING_ARRAY, &witnesses,
      N_("A witness verifier key (repeat for each witness)"), N_("VKEY") },
    { "quorum", 0, 0, G_OPTION_ARG_INT, &quorum,
      N_("Witness cosignatures required on every checkpoint (default 0)"), N_("N") },
    { "clinic", 0, 0, G_OPTION_ARG_STRING, &clinic, N_("The enrolling clinic's provider ID"),
      N_("ID") },
    { "code", 0, 0, G_OPTION_ARG_STRING, &code, N_("The one-time code from the clinic"),
      N_("CODE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  gboolean explicit_node;

  context = cw_cli_option_context_new (cli, _("[INVITE]"),
                                       _("Create your identity key (kept in your keyring), enroll "
                                         "it with the node using a clinic's invite and show your "
                                         "recovery code once.\n\n"
                                         "The recovery code is printed as soon as the keys are "
                                         "made, before the key is stored or the enrollment is "
                                         "sent; if the enrollment then fails, nothing is kept "
                                         "and that code is void. With --json the code is in the "
                                         "answer's recovery_code.\n\n"
                                         "INVITE is a consentwallet: link or a .cwinvite file. "
                                         "The wallet checks it first: the clinic's signature "
                                         "(with its key from the node's directory), the expiry "
                                         "and the node's log key. If this wallet already has an "
                                         "identity on the same node, it joins the clinic with "
                                         "that identity instead (no second enrollment). "
                                         "Without INVITE, give the node and the code with the "
                                         "options below."),
                                       entries);
  if (!cw_cli_parse (cli, context, &argc, &argv))
    return CW_CLI_EXIT_USAGE;
  if (argc > 2)
    return cw_cli_usage_error (cli, _("Give at most one invite."));

  explicit_node = url != NULL || pin != NULL || log_key != NULL || witnesses != NULL ||
                  quorum != 0 || clinic != NULL || code != NULL;
  if (argc == 2)
    {
      if (explicit_node)
        return cw_cli_usage_error (cli, _("Give either an invite or the node options, not "
                                          "both."));
      return enroll_with_invite (cli, argv[1], accept_grant);
    }
  if (accept_grant)
    return cw_cli_usage_error (cli, _("--accept-proposed-grant needs an invite."));
  return enroll_with_options (cli, url, pin, log_key, witnesses, quorum, clinic, code);
}

int
cw_cli_recover (CwCli                *cli,
                const char           *recovery_code,
                const char           *patient_id,
                const CwNodeProfile  *profile)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) history = NULL;
  guint8 seed[CW_SEED_SIZE];
  char *new_code;
  int status;

  /* A mistyped code is caught before anything is opened. */
  if (!cw_recovery_code_parse (recovery_code, seed, &error))
    return cw_cli_usage_error (cli, "%s", error->message);
  sodium_memzero (seed, sizeof seed);
  if ((status = cw_cli_open_wallet (cli, FALSE)) != CW_CLI_EXIT_OK)
    return status;
  if (cw_wallet_get_enrolled (cli->wallet))
    {
      g_set_error (&error, CW_WALLET_ERROR, CW_WALLET_ERROR_ALREADY_ENROLLED,
                   _("The wallet in %s already holds an identity. Restore into an empty data "
                     "folder (--data-dir)."), cli->data_dir);
      return cw_cli_fail (cli, error);
    }

  cw_wallet_recover_async (cli->wallet, profile, patient_id, recovery_code, NULL, cw_cli_done_cb,
                           &result);
  new_code = cw_wallet_recover_finish (cli->wallet, cw_cli_wait (&result), &error);
  if (new_code == NULL)
    {
      const char *pending = cw_wallet_recover_get_new_code (cli->wallet, result);

      status = cw_cli_fail (cli, error);
      /* The node may already require the new key and code: the code must
       * not be lost with the error. */
      if (pending != NULL)
        g_printerr (_("Your NEW recovery code, replacing the old one, is:\n\n  %s\n\n"
                      "Write it down, then run “consent-wallet-cli recover” again with it: "
                      "the restore continues where it stopped. Should the node not know it, "
                      "the old code still works.\n"), pending);
      return status;
    }

  /* Requests and access events come with a sync. */
  g_clear_object (&result);
  cw_wallet_sync_async (cli->wallet, NULL, cw_cli_done_cb, &result);
  if (!cw_wallet_sync_finish (cli->wallet, cw_cli_wait (&result), &error))
    g_printerr (_("Restored, but the first sync failed: %s\n"), error->message);
  g_clear_error (&error);

  history = cw_wallet_store_list_transactions (cw_wallet_get_store (cli->wallet), TRUE, &error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "patient_id");
      json_builder_add_string_value (builder, cw_wallet_get_patient_id (cli->wallet));
      json_builder_set_member_name (builder, "transactions");
      json_builder_add_int_value (builder, history != NULL ? history->len : 0);
      json_builder_set_member_name (builder, "recovery_code");
      json_builder_add_string_value (builder, new_code);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      cw_cli_print_json (root);
    }
  else
    {
      g_print (_("Restored patient %s on this device with a new key; the old key and the old "
                 "recovery code no longer work.\n\n"
                 "Your NEW recovery code (write it down now: it is shown only this once):\n\n"
                 "  %s\n"), cw_wallet_get_patient_id (cli->wallet), new_code);
    }
  wipe_free (new_code);
  return CW_CLI_EXIT_OK;
}
