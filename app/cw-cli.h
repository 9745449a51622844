/* cw-cli.h: consent-wallet-cli, the command-line wallet on the CwWallet
 * engine: the shared context, exit codes, option and output helpers, and
 * one function per subcommand (cw-cli-wallet.c, cw-cli-consent.c,
 * cw-cli-backup.c). */
#pragma once

#include <json-glib/json-glib.h>

#include "cw-wallet.h"

G_BEGIN_DECLS

/* Documented in `consent-wallet-cli --help` and docs/ARCHITECTURE.md. */
typedef enum {
  CW_CLI_EXIT_OK = 0,
  CW_CLI_EXIT_FAILED = 1,   /* the operation failed or was refused */
  CW_CLI_EXIT_USAGE = 2,    /* bad command line; nothing was changed */
  CW_CLI_EXIT_ALERT = 3,    /* a verification check failed: see the alerts */
  CW_CLI_EXIT_QUEUED = 4,   /* the node is unreachable; the change waits in the outbox */
  CW_CLI_EXIT_CLOCK = 5,    /* this computer's clock is too far from the node's */
} CwCliExit;

typedef struct {
  const char *command;   /* the subcommand's name */
  char *data_dir;
  gboolean json;
  char *store_path;
  CwKeyring *keyring;
  CwWallet *wallet;
  CwNodeClient *client;  /* for the directory, made on demand */
} CwCli;

int            cw_cli_main              (int            argc,
                                         char         **argv);

/* A context for @cli->command with the global options (--data-dir, --json)
 * and @entries; @parameter like "GRANT-ID". */
GOptionContext *cw_cli_option_context_new (CwCli           *cli,
                                          const char      *parameter,
                                          const char      *summary,
                                          const GOptionEntry *entries);
/* Parses; on failure prints the error and returns FALSE (exit 2). */
gboolean       cw_cli_parse             (CwCli          *cli,
                                         GOptionContext *context,
                                         int            *argc,
                                         char         ***argv);
/* Prints a usage error for @cli->command and returns CW_CLI_EXIT_USAGE. */
int            cw_cli_usage_error       (CwCli          *cli,
                                         const char     *format,
                                         ...) G_GNUC_PRINTF (2, 3);
/* Prints @error (also as JSON with --json) and returns its exit code. */
int            cw_cli_fail              (CwCli          *cli,
                                         const GError   *error);
int            cw_cli_exit_code_for     (const GError   *error);

/* Opens the wallet in the data directory; with @need_enrolled, refuses an
 * empty one. Returns CW_CLI_EXIT_OK or the code to exit with. */
int            cw_cli_open_wallet       (CwCli          *cli,
                                         gboolean        need_enrolled);
/* A directory client for the wallet's node (wallet must be open). */
CwNodeClient  *cw_cli_get_client        (CwCli          *cli,
                                         GError        **error);

/* Waits on the main context for an async call given cw_cli_done_cb and
 * @slot as user data. */
void           cw_cli_done_cb           (GObject        *source,
                                         GAsyncResult   *result,
                                         gpointer        user_data);
GAsyncResult  *cw_cli_wait              (GAsyncResult  **slot);

/* Output. */
void           cw_cli_print_json        (JsonNode       *node);
void           cw_cli_print             (CwCli          *cli,
                                         const char     *format,
                                         ...) G_GNUC_PRINTF (2, 3);

/* Formatting (cw-cli-format.c). */
gboolean       cw_cli_parse_scopes      (const char     *text,
                                         CwScopes       *scopes,
                                         GError        **error);
gboolean       cw_cli_parse_access      (const char     *text,
                                         CwAccess       *access,
                                         GError        **error);
gboolean       cw_cli_parse_purpose     (const char     *text,
                                         CwPurpose      *purpose,
                                         GError        **error);
/* "2026-12-23" (to the end of that day, UTC) or "YYYY-MM-DDTHH:MM:SSZ". */
GDateTime     *cw_cli_parse_expires     (const char     *text,
                                         GError        **error);
/* "1w", "3m", "1y", "10d" from @now. */
GDateTime     *cw_cli_parse_duration    (const char     *text,
                                         GDateTime      *now,
                                         GError        **error);
/* "your medications and lab results" */
char          *cw_cli_describe_scopes   (CwScopes        scopes);
char          *cw_cli_describe_access   (CwAccess        access);
char          *cw_cli_describe_purpose  (CwPurpose       purpose);
/* "23 December 2026" */
char          *cw_cli_describe_date     (gint64          unix_time);
char          *cw_cli_format_time       (gint64          unix_time);
/* The provider's name from the cache, else its ID. */
char          *cw_cli_provider_name     (CwCli          *cli,
                                         const char     *provider_id);
/* "waiting to be sent", "logged at index 4, verified", ... */
char          *cw_cli_describe_tx_state (const CwStoreTx *tx);
char          *cw_cli_describe_tx       (CwCli          *cli,
                                         const CwStoreTx *tx);

JsonNode      *cw_cli_scopes_to_json    (CwScopes        scopes);
JsonNode      *cw_cli_access_to_json    (CwAccess        access);
JsonNode      *cw_cli_tx_to_json        (CwCli          *cli,
                                         const CwStoreTx *tx);
JsonNode      *cw_cli_grant_to_json     (CwCli          *cli,
                                         const CwStoreGrant *grant);

/* A passphrase in sodium memory (free with cw_secure_string_free): the
 * first line of @file, or typed at the terminal without echo (twice when
 * @confirm). */
char          *cw_cli_read_passphrase   (const char     *file,
                                         gboolean        confirm,
                                         GError        **error);

/* A string in sodium memory, for g_autoptr. */
typedef char CwCliSecret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwCliSecret, cw_secure_string_free)

/* Subcommands. */
int            cw_cli_enroll            (CwCli *cli, int argc, char **argv);
int            cw_cli_status            (CwCli *cli, int argc, char **argv);
int            cw_cli_providers         (CwCli *cli, int argc, char **argv);
int            cw_cli_activity          (CwCli *cli, int argc, char **argv);
int            cw_cli_sync              (CwCli *cli, int argc, char **argv);
int            cw_cli_verify            (CwCli *cli, int argc, char **argv);
int            cw_cli_grants            (CwCli *cli, int argc, char **argv);
int            cw_cli_grant             (CwCli *cli, int argc, char **argv);
int            cw_cli_revoke            (CwCli *cli, int argc, char **argv);
int            cw_cli_requests          (CwCli *cli, int argc, char **argv);
int            cw_cli_approve           (CwCli *cli, int argc, char **argv);
int            cw_cli_deny              (CwCli *cli, int argc, char **argv);
int            cw_cli_export_fhir       (CwCli *cli, int argc, char **argv);
int            cw_cli_backup            (CwCli *cli, int argc, char **argv);
int            cw_cli_restore           (CwCli *cli, int argc, char **argv);
/* restore --recovery-code (cw-cli-onboard.c). */
int            cw_cli_recover           (CwCli               *cli,
                                         const char          *recovery_code,
                                         const char          *patient_id,
                                         const CwNodeProfile *profile);

G_END_DECLS
