/* cw-onboarding-steps.c: the onboarding's later steps: the recovery code
 * shown once and typed back in part, the clinic's proposed first grant
 * (accept, change in the grant dialog, or decline), and the restore with a
 * recovery code or from a backup file. */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "cw-grant-dialog-private.h"
#include "cw-onboarding-view-internal.h"
#include "cw-recovery-code.h"
#include "cw-ui-format.h"

/* The code in lines of three numbered groups, so that a person can copy
 * it onto paper and find group N again. */
void
cw_onboarding_view_show_recovery_code (CwOnboardingView *self,
                                       char             *code,
                                       const char       *patient_id,
                                       const char       *explanation)
{
  g_auto(GStrv) groups = g_strsplit (code, "-", -1);
  g_autoptr(GString) shown = g_string_new (NULL);
  g_autofree char *patient = g_strdup (patient_id);
  /* Before enrolling, leaving is still possible; after a restore the old
   * code is gone and this one must be kept. */
  gboolean can_cancel = self->enrollment != NULL;

  cw_onboarding_view_wipe_code (self);
  self->recovery_code = code;
  for (guint i = 0; groups[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (shown, i % 3 == 0 ? "\n" : "   ");
      g_string_append_printf (shown, "<span size=\"small\" alpha=\"55%%\">%2u</span> %s",
                              i + 1, groups[i]);
      sodium_memzero (groups[i], strlen (groups[i]));
    }
  gtk_label_set_markup (self->code_label, shown->str);
  sodium_memzero (shown->str, shown->len);
  /* A restore by the code alone that did not finish has not learnt it. */
  gtk_widget_set_visible (gtk_widget_get_ancestor (GTK_WIDGET (self->patient_id_row),
                                                   ADW_TYPE_PREFERENCES_GROUP),
                          patient != NULL && *patient != '\0');
  adw_action_row_set_subtitle (self->patient_id_row, patient != NULL ? patient : "");
  gtk_label_set_text (self->recovery_title, _("Write Down Your Recovery Code"));
  gtk_label_set_text (self->recovery_explanation, explanation);
  gtk_widget_set_visible (self->recovery_cancel_button, can_cancel);
  gtk_widget_set_visible (self->confirm_cancel_button, can_cancel);
  cw_onboarding_view_show_page (self, "recovery");
  /* Enter moves on once the code is written down. */
  gtk_widget_grab_focus (self->code_written_button);
}

static void restore_submit_cb (CwOnboardingView *self);

/* The recovery code, typed back in part. */

static void
code_written_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CwOnboardingView *self = CW_ONBOARDING_VIEW (widget);
  g_autofree char *title_a = NULL;
  g_autofree char *title_b = NULL;

  if (self->recovery_code == NULL)
    return;
  self->asked[0] = g_random_int_range (0, N_CODE_GROUPS);
  do
    self->asked[1] = g_random_int_range (0, N_CODE_GROUPS);
  while (self->asked[1] == self->asked[0]);
  if (self->asked[1] < self->asked[0])
    {
      guint swap = self->asked[0];

      self->asked[0] = self->asked[1];
      self->asked[1] = swap;
    }

  title_a = g_strdup_printf (_("Group %u"), self->asked[0] + 1);
  title_b = g_strdup_printf (_("Group %u"), self->asked[1] + 1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->group_row_a), title_a);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->group_row_b), title_b);
  gtk_editable_set_text (GTK_EDITABLE (self->group_row_a), "");
  gtk_editable_set_text (GTK_EDITABLE (self->group_row_b), "");
  gtk_widget_set_visible (GTK_WIDGET (self->confirm_error_label), FALSE);
  cw_onboarding_view_show_page (self, "confirm");
  gtk_widget_grab_focus (GTK_WIDGET (self->group_row_a));
}

/* Compares as the recovery code's reader does: any case, spaces ignored,
 * 0, 1 and 8 read as O, I and B. */
static gboolean
group_matches (const char *code,
               guint       group,
               const char *typed)
{
  const char *expected = code + group * (CODE_GROUP_LEN + 1);
  guint n = 0;

  for (const char *p = typed; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (c == ' ' || c == '-')
        continue;
      c = c == '0' ? 'O' : c == '1' ? 'I' : c == '8' ? 'B' : c;
      if (n >= CODE_GROUP_LEN || c != expected[n])
        return FALSE;
      n++;
    }
  return n == CODE_GROUP_LEN;
}

static void
confirm_code_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CwOnboardingView *self = CW_ONBOARDING_VIEW (widget);

  if (self->recovery_code == NULL)
    return;
  if (!group_matches (self->recovery_code, self->asked[0],
                      gtk_editable_get_text (GTK_EDITABLE (self->group_row_a))) ||
      !group_matches (self->recovery_code, self->asked[1],
                      gtk_editable_get_text (GTK_EDITABLE (self->group_row_b))))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->confirm_error_label), TRUE);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->group_row_a), "");
  gtk_editable_set_text (GTK_EDITABLE (self->group_row_b), "");
  if (self->restore_pending)
    {
      /* The restore that did not finish runs again with its new code. */
      cw_onboarding_restore_set_code (self->restore_page, self->recovery_code);
      cw_onboarding_view_wipe_code (self);
      restore_submit_cb (self);
      return;
    }
  cw_onboarding_view_wipe_code (self);
  if (self->enrollment != NULL)
    cw_onboarding_view_complete_enroll (self);
  else
    cw_onboarding_view_after_identity (self);
}

static void
group_changed_cb (CwOnboardingView *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->confirm_error_label), FALSE);
}

static void
group_activated_cb (CwOnboardingView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "onboarding.confirm-code", NULL);
}

static void
show_code_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CwOnboardingView *self = CW_ONBOARDING_VIEW (widget);

  if (self->recovery_code != NULL)
    {
      cw_onboarding_view_show_page (self, "recovery");
      gtk_widget_grab_focus (self->code_written_button);
    }
}

/* The proposed first grant. */

/* Accept in one click, or, for a proposal with sensitive categories, only
 * the grant dialog ("Choose…") as the suggested way on. */
static void
show_grant_choices (CwOnboardingView *self,
                    gboolean          can_accept)
{
  gtk_widget_set_visible (self->accept_grant_button, can_accept);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "onboarding.accept-grant", can_accept);
  gtk_button_set_label (GTK_BUTTON (self->edit_grant_button),
                        can_accept ? _("_Change It…") : _("_Choose…"));
  if (can_accept)
    gtk_widget_remove_css_class (self->edit_grant_button, "suggested-action");
  else
    gtk_widget_add_css_class (self->edit_grant_button, "suggested-action");
}

void
cw_onboarding_view_after_identity (CwOnboardingView *self)
{
  CwWalletGrantParams params;
  g_autofree char *title = NULL;
  g_autofree char *sentence = NULL;
  g_autofree char *description = NULL;

  if (self->invite == NULL)
    {
      cw_onboarding_view_show_done (self, _("Your wallet is restored on this computer, with "
                                            "your decisions and their evidence. Your old "
                                            "computer no longer works with it."));
      return;
    }
  if (!cw_wallet_grant_params_from_invite (self->invite, &params))
    {
      description = g_strdup_printf (_("You are registered with %s. Nothing is shared until "
                                       "you decide: give access from the Access page when you "
                                       "choose to."), cw_onboarding_view_clinic_name (self));
      cw_onboarding_view_show_done (self, description);
      return;
    }

  title = g_strdup_printf (_("%s Asks for Access"), cw_onboarding_view_clinic_name (self));
  sentence = cw_ui_format_grant_sentence (cw_onboarding_view_clinic_name (self), params.scopes,
                                          params.purpose, params.access,
                                          g_date_time_to_unix (params.expires));
  if ((params.scopes & CW_SCOPES_SENSITIVE) != 0)
    {
      g_autofree char *sensitive = cw_ui_format_scopes_phrase (params.scopes &
                                                               CW_SCOPES_SENSITIVE);

      /* Sensitive categories are never given in one click (DESIGN.md):
       * the person ticks each one in the grant dialog, or leaves it out. */
      /* TRANSLATORS: the second %s is "your mental health" or a list of such categories */
      description = g_strdup_printf (_("They propose: %s\n\nThis includes %s, which is "
                                       "sensitive information. Choose yourself what they may "
                                       "see on the next screen, or say no. Whatever you choose, "
                                       "you can revoke it at any time."), sentence, sensitive);
    }
  else
    description = g_strdup_printf (_("If you accept: %s\n\nYou can change what they see, or "
                                     "say no. Whatever you choose, you can revoke it at any "
                                     "time."), sentence);
  show_grant_choices (self, (params.scopes & CW_SCOPES_SENSITIVE) == 0);
  g_date_time_unref (params.expires);
  adw_status_page_set_title (self->grant_page, title);
  adw_status_page_set_description (self->grant_page, description);
  cw_onboarding_view_show_page (self, "grant");
}

static char *
describe_grant (CwOnboardingView *self,
                gint64            log_index)
{
  if (log_index < 0)
    return g_strdup_printf (_("Your access for %s is signed and saved: it will be sent when the "
                              "node can be reached."), cw_onboarding_view_clinic_name (self));
  return g_strdup_printf (_("%s can now see what you accepted. Your decision is signed and "
                            "recorded in the public log (entry %" PRId64 "), and the wallet "
                            "checked it."), cw_onboarding_view_clinic_name (self), log_index);
}

static void
granted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CwOnboardingView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwStoreTx) tx = cw_wallet_transaction_finish (CW_WALLET (object), result, &error);
  g_autofree char *description = NULL;

  if (tx == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_object (&self->cancellable);
          cw_onboarding_view_after_identity (self);
          return;
        }
      description = g_strdup_printf (_("You are registered, but the access could not be given: "
                                       "%s\n\nYou can give it later from the Access page."),
                                     error->message);
    }
  else
    description = describe_grant (self, tx->state == CW_STORE_TX_CONFIRMED ? tx->log_index : -1);
  cw_onboarding_view_show_done (self, description);
}

static void
accept_grant_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CwOnboardingView *self = CW_ONBOARDING_VIEW (widget);
  CwWalletGrantParams params;

  if (self->invite == NULL || self->cancellable != NULL ||
      !cw_wallet_grant_params_from_invite (self->invite, &params))
    return;
  if ((params.scopes & CW_SCOPES_SENSITIVE) != 0)
    {
      g_date_time_unref (params.expires);
      return;
    }
  cw_onboarding_view_show_busy (self, _("Giving Access"),
                                _("Signing your decision and checking that it was "
                                  "recorded…"));
  cw_wallet_grant_async (self->wallet, &params, self->cancellable, granted_cb,
                         g_object_ref (self));
  g_date_time_unref (params.expires);
}

static void
grant_dialog_sent_cb (CwOnboardingView *self,
                      gint64            log_index)
{
  g_autofree char *description = describe_grant (self, log_index);

  cw_onboarding_view_show_done (self, description);
}

/* "Change it": the grant dialog, with the clinic and the proposal ticked;
 * the person goes through its steps and sends from there. */
static void
edit_grant_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CwOnboardingView *self = CW_ONBOARDING_VIEW (widget);
  const CwInviteGrant *proposed;
  CwGrantDialog *dialog;

  if (self->invite == NULL || (proposed = cw_invite_get_proposed_grant (self->invite)) == NULL)
    return;

  dialog = cw_grant_dialog_new (self->wallet);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (gtk_widget_get_root (widget)));
  g_signal_connect_object (dialog, "sent", G_CALLBACK (grant_dialog_sent_cb), self,
                           G_CONNECT_SWAPPED);
  cw_grant_dialog_select_provider (dialog, cw_invite_get_clinic (self->invite));
  /* Sensitive categories start unticked, as in every grant. */
  for (guint i = 0; i < CW_N_SCOPES; i++)
    {
      GtkCheckButton *check = cw_grant_dialog_get_scope_check (dialog, 1u << i);

      if (check != NULL)
        gtk_check_button_set_active (check, (proposed->scopes & ~CW_SCOPES_SENSITIVE &
                                             (1u << i)) != 0);
    }
  adw_combo_row_set_selected (cw_grant_dialog_get_purpose_row (dialog), proposed->purpose);
  g_set_weak_pointer (&self->grant_dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
decline_grant_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CwOnboardingView *self = CW_ONBOARDING_VIEW (widget);
  g_autofree char *description = NULL;

  if (self->invite == NULL)
    return;
  description = g_strdup_printf (_("Nothing was shared with %s. You can give access at any time "
                                   "from the Access page."), cw_onboarding_view_clinic_name (self));
  cw_onboarding_view_show_done (self, description);
}

/* Restoring with the recovery code. */

static void
recovered_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CwOnboardingView) self = user_data;
  g_autoptr(GError) error = NULL;
  char *code = cw_wallet_recover_finish (CW_WALLET (object), result, &error);
  const char *pending;
  g_autofree char *explanation = NULL;

  if (code == NULL)
    {
      pending = cw_wallet_recover_get_new_code (CW_WALLET (object), result);
      if (pending != NULL)
        {
          /* The node may already require the new key and code: the code
           * is shown like any recovery code, typed back, and the restore
           * then runs again with it. */
          g_clear_object (&self->cancellable);
          explanation = g_strdup_printf (_("%s\n\nYour old recovery code may no longer work: "
                                           "this is your NEW recovery code. Write it down. Once "
                                           "you have typed part of it back, the restore is tried "
                                           "again with it and continues where it stopped."),
                                         error->message);
          cw_onboarding_view_show_recovery_code (self, g_strdup (pending),
                                                 cw_onboarding_restore_get_patient_id (self->restore_page),
                                                 explanation);
          gtk_label_set_text (self->recovery_title, _("Restore Not Finished: Write Down Your New Code"));
          self->restore_pending = TRUE;
          return;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_object (&self->cancellable);
          cw_onboarding_view_show_page (self, "restore");
        }
      else if (error->domain == CW_RECOVERY_CODE_ERROR ||
               g_error_matches (error, CW_WALLET_ERROR, CW_WALLET_ERROR_REJECTED))
        {
          /* Most likely a typo or the wrong patient ID: back to the form. */
          g_clear_object (&self->cancellable);
          cw_onboarding_restore_set_error (self->restore_page, error->message);
          cw_onboarding_view_show_page (self, "restore");
        }
      else
        cw_onboarding_view_show_error (self, error);
      return;
    }
  g_clear_object (&self->cancellable);
  cw_onboarding_restore_clear (self->restore_page);
  cw_onboarding_view_show_recovery_code (self, code, cw_wallet_get_patient_id (self->wallet),
                                         _("Your wallet is back. Your old recovery code no "
                                           "longer works: this is your NEW recovery code. "
                                           "Write it down with your patient ID and keep it "
                                           "safe. It is shown only now and is stored "
                                           "nowhere."));
}

static void
restore_submit_cb (CwOnboardingView *self)
{
  g_autoptr(CwNodeProfile) profile = cw_onboarding_restore_get_profile (self->restore_page);

  if (profile == NULL || self->cancellable != NULL)
    return;
  cw_onboarding_view_show_committing (self, _("Restoring Your Wallet"),
                                _("Making a new key for this computer and fetching your "
                                  "decisions. Everything the node sends is checked…"));
  cw_wallet_recover_async (self->wallet, profile,
                           cw_onboarding_restore_get_patient_id (self->restore_page),
                           cw_onboarding_restore_get_code (self->restore_page),
                           self->cancellable, recovered_cb, g_object_ref (self));
}

/* Restoring from a backup file: read (never more than a backup can be),
 * opened with the passphrase, then taken over by the engine, which
 * verifies the whole history first; all or nothing. */

#define MAX_BACKUP_FILE (64 * 1024)

static void
restore_form_error (CwOnboardingView *self,
                    const char       *message)
{
  g_clear_object (&self->cancellable);
  cw_onboarding_restore_set_backup_error (self->restore_page, message);
  cw_onboarding_view_show_page (self, "restore");
}

static void
backup_restored_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CwOnboardingView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cw_wallet_restore_finish (CW_WALLET (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        restore_form_error (self, NULL);
      else
        cw_onboarding_view_show_error (self, error);
      return;
    }
  cw_onboarding_restore_clear (self->restore_page);
  cw_onboarding_view_show_done (self, _("Your wallet is restored from your backup, with your "
                                        "decisions and their evidence. Your recovery code "
                                        "stays the same."));
}

static void
backup_opened_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CwOnboardingView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwBackup) backup = cw_backup_open_finish (result, &error);

  if (backup == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        restore_form_error (self, NULL);
      else if (g_error_matches (error, CW_BACKUP_ERROR, CW_BACKUP_ERROR_WRONG_PASSPHRASE))
        restore_form_error (self, _("The passphrase does not open this backup. Check it and "
                                    "try again; nothing was changed."));
      else
        {
          g_autofree char *message = g_strdup_printf (_("This file cannot be used as a backup: "
                                                        "%s Nothing was changed."),
                                                      error->message);

          restore_form_error (self, message);
        }
      return;
    }
  cw_wallet_restore_async (self->wallet, backup, self->cancellable, backup_restored_cb,
                           g_object_ref (self));
}

static void
backup_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CwOnboardingView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) contents = g_file_load_bytes_finish (G_FILE (object), result, NULL, &error);

  if (contents == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        restore_form_error (self, NULL);
      else
        restore_form_error (self, error->message);
      return;
    }
  if (g_bytes_get_size (contents) > MAX_BACKUP_FILE)
    {
      restore_form_error (self, _("This file is too large to be a Consent Wallet backup."));
      return;
    }
  cw_backup_open_async (contents, cw_onboarding_restore_get_passphrase (self->restore_page),
                        self->cancellable, backup_opened_cb, g_object_ref (self));
}

static void
restore_backup_cb (CwOnboardingView *self)
{
  GFile *file = cw_onboarding_restore_get_backup_file (self->restore_page);

  if (file == NULL || self->cancellable != NULL || cw_wallet_get_enrolled (self->wallet))
    return;
  cw_onboarding_view_show_busy (self, _("Restoring From Your Backup"),
                                _("Opening the backup with its passphrase and fetching your "
                                  "decisions. Everything the node sends is checked…"));
  g_file_load_bytes_async (file, self->cancellable, backup_loaded_cb, g_object_ref (self));
}

static void
restore_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CwOnboardingView *self = CW_ONBOARDING_VIEW (widget);

  if (cw_wallet_get_enrolled (self->wallet) || self->cancellable != NULL)
    return;
  cw_onboarding_view_show_page (self, "restore");
}

void
cw_onboarding_steps_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, group_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, group_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, restore_submit_cb);
  gtk_widget_class_bind_template_callback (widget_class, restore_backup_cb);

  gtk_widget_class_install_action (widget_class, "onboarding.code-written", NULL,
                                   code_written_action);
  gtk_widget_class_install_action (widget_class, "onboarding.confirm-code", NULL,
                                   confirm_code_action);
  gtk_widget_class_install_action (widget_class, "onboarding.show-code", NULL, show_code_action);
  gtk_widget_class_install_action (widget_class, "onboarding.accept-grant", NULL,
                                   accept_grant_action);
  gtk_widget_class_install_action (widget_class, "onboarding.edit-grant", NULL,
                                   edit_grant_action);
  gtk_widget_class_install_action (widget_class, "onboarding.decline-grant", NULL,
                                   decline_grant_action);
  gtk_widget_class_install_action (widget_class, "onboarding.restore", NULL, restore_action);
}
