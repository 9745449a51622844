/* cw-onboarding-restore.c: the restore form of the onboarding: with the
 * recovery code (the patient ID optional), or from a backup file and its
 * passphrase. */
#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-invite.h"
#include "cw-onboarding-restore.h"
#include "cw-recovery-code.h"

struct _CwOnboardingRestore
{
  GtkWidget    parent_instance;

  GtkWidget   *scroller;
  AdwEntryRow *invite_row;
  AdwEntryRow *patient_row;
  AdwEntryRow *code_row;
  GtkLabel    *error_label;
  AdwActionRow *backup_row;
  AdwEntryRow *passphrase_row;
  GtkLabel    *backup_error_label;

  GFile       *backup_file;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (CwOnboardingRestore, cw_onboarding_restore, GTK_TYPE_WIDGET)

enum {
  SUBMIT,
  SUBMIT_BACKUP,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/* The patient ID is optional: the node finds it by the recovery key. */
static gboolean
is_complete (CwOnboardingRestore *self)
{
  return row_text (self->invite_row)[0] != '\0' && row_text (self->code_row)[0] != '\0';
}

static gboolean
is_backup_complete (CwOnboardingRestore *self)
{
  return self->backup_file != NULL && row_text (self->passphrase_row)[0] != '\0';
}

static void
changed_cb (CwOnboardingRestore *self)
{
  cw_onboarding_restore_set_error (self, NULL);
  cw_onboarding_restore_set_backup_error (self, NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "restore.submit", is_complete (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "restore.submit-backup",
                                 is_backup_complete (self));
}

/* What can be checked here is checked here: a typo in the code (its
 * checksum), a patient ID that cannot be one, a link that is no invite. */
static gboolean
check_form (CwOnboardingRestore *self)
{
  g_autoptr(CwInvite) invite = NULL;
  g_autoptr(GError) error = NULL;
  guint8 seed[CW_SEED_SIZE];
  guint8 patient[CW_PUBLIC_KEY_SIZE];
  g_autofree char *text = g_strstrip (g_strdup (row_text (self->invite_row)));

  invite = cw_invite_parse (text, strlen (text), &error);
  if (invite == NULL)
    {
      cw_onboarding_restore_set_error (self, _("The invite link is not a valid invite. Copy the "
                                               "whole link, starting with “consentwallet:”."));
      gtk_widget_grab_focus (GTK_WIDGET (self->invite_row));
      return FALSE;
    }
  if (row_text (self->patient_row)[0] != '\0' &&
      !cw_base64_decode_fixed (row_text (self->patient_row), -1, patient, sizeof patient, NULL))
    {
      cw_onboarding_restore_set_error (self, _("That is not a patient ID. It was shown beside "
                                               "your recovery code: 44 letters, digits and signs, "
                                               "ending in “=”."));
      gtk_widget_grab_focus (GTK_WIDGET (self->patient_row));
      return FALSE;
    }
  if (!cw_recovery_code_parse (row_text (self->code_row), seed, NULL))
    {
      cw_onboarding_restore_set_error (self, _("The recovery code looks mistyped: it should be "
                                               "fourteen groups of four letters and digits. Check "
                                               "each group."));
      gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
      return FALSE;
    }
  sodium_memzero (seed, sizeof seed);
  return TRUE;
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CwOnboardingRestore *self = CW_ONBOARDING_RESTORE (widget);

  if (is_complete (self) && check_form (self))
    g_signal_emit (self, signals[SUBMIT], 0);
}

static void
submit_activated_cb (CwOnboardingRestore *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "restore.submit", NULL);
}

static void
submit_backup_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CwOnboardingRestore *self = CW_ONBOARDING_RESTORE (widget);

  if (is_backup_complete (self))
    g_signal_emit (self, signals[SUBMIT_BACKUP], 0);
}

static void
backup_activated_cb (CwOnboardingRestore *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "restore.submit-backup", NULL);
}

static void
chooser_response_cb (CwOnboardingRestore *self,
                     int                  response)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (self->chooser));
  g_clear_object (&self->chooser);
  if (file != NULL)
    cw_onboarding_restore_set_backup_file (self, file);
}

static void
choose_backup_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CwOnboardingRestore *self = CW_ONBOARDING_RESTORE (widget);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Choose Your Backup"),
                                               GTK_WINDOW (gtk_widget_get_root (widget)),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                               _("_Cancel"));
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
cw_onboarding_restore_dispose (GObject *object)
{
  CwOnboardingRestore *self = CW_ONBOARDING_RESTORE (object);

  cw_onboarding_restore_clear (self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_ONBOARDING_RESTORE);
  g_clear_object (&self->backup_file);

  G_OBJECT_CLASS (cw_onboarding_restore_parent_class)->dispose (object);
}

static void
cw_onboarding_restore_class_init (CwOnboardingRestoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_onboarding_restore_dispose;

  /* Emitted when the form is complete and passed the local checks. */
  signals[SUBMIT] = g_signal_new ("submit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Emitted when a backup file is chosen and a passphrase typed. */
  signals[SUBMIT_BACKUP] = g_signal_new ("submit-backup", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/consentwallet/ConsentWallet/"
                                               "cw-onboarding-restore.ui");
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingRestore, scroller);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingRestore, invite_row);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingRestore, patient_row);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingRestore, code_row);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingRestore, error_label);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingRestore, backup_row);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingRestore, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingRestore, backup_error_label);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, submit_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, backup_activated_cb);
  gtk_widget_class_install_action (widget_class, "restore.submit", NULL, submit_action);
  gtk_widget_class_install_action (widget_class, "restore.submit-backup", NULL,
                                   submit_backup_action);
  gtk_widget_class_install_action (widget_class, "restore.choose-backup", NULL,
                                   choose_backup_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

/* libadwaita 1.2's password row gives its show-text button (a GtkButton
 * holding the "view-reveal" icon) no accessible name, so a screen reader
 * says only "button". */
static void
name_show_text_button (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *icon = gtk_widget_get_first_child (child);

      if (GTK_IS_BUTTON (child) && GTK_IS_IMAGE (icon) &&
          g_str_has_prefix (gtk_image_get_icon_name (GTK_IMAGE (icon)) ?: "", "view-"))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Show passphrase"), -1);
      else
        name_show_text_button (child);
    }
}

static void
cw_onboarding_restore_init (CwOnboardingRestore *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  name_show_text_button (GTK_WIDGET (self->passphrase_row));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "restore.submit", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "restore.submit-backup", FALSE);
}

void
cw_onboarding_restore_clear (CwOnboardingRestore *self)
{
  g_return_if_fail (CW_IS_ONBOARDING_RESTORE (self));

  if (self->code_row == NULL)
    return;
  /* GtkEntryBuffer overwrites text it deletes, so the typed code does
   * not linger in freed memory. */
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->patient_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->invite_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
  cw_onboarding_restore_set_backup_file (self, NULL);
  cw_onboarding_restore_set_error (self, NULL);
  cw_onboarding_restore_set_backup_error (self, NULL);
}

void
cw_onboarding_restore_set_error (CwOnboardingRestore *self,
                                 const char          *message)
{
  g_return_if_fail (CW_IS_ONBOARDING_RESTORE (self));

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

CwNodeProfile *
cw_onboarding_restore_get_profile (CwOnboardingRestore *self)
{
  g_autofree char *text = NULL;
  g_autoptr(CwInvite) invite = NULL;

  g_return_val_if_fail (CW_IS_ONBOARDING_RESTORE (self), NULL);

  /* Only the node profile is taken from the invite: an old, used or
   * expired invite of the same node serves as well, and everything the
   * node then sends is checked against that profile's log key. */
  text = g_strstrip (g_strdup (row_text (self->invite_row)));
  invite = cw_invite_parse (text, strlen (text), NULL);
  if (invite == NULL)
    return NULL;
  return cw_node_profile_copy (cw_invite_get_node_profile (invite));
}

const char *
cw_onboarding_restore_get_patient_id (CwOnboardingRestore *self)
{
  g_return_val_if_fail (CW_IS_ONBOARDING_RESTORE (self), NULL);
  return row_text (self->patient_row)[0] != '\0' ? row_text (self->patient_row) : NULL;
}

/* The backup form is the last thing on the page: on a small window its
 * message would be below the fold. */
static gboolean
scroll_to_end_cb (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       user_data)
{
  CwOnboardingRestore *self = CW_ONBOARDING_RESTORE (widget);
  GtkAdjustment *adjustment;

  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                        gtk_adjustment_get_page_size (adjustment));
  return G_SOURCE_REMOVE;
}

void
cw_onboarding_restore_set_backup_error (CwOnboardingRestore *self,
                                        const char          *message)
{
  g_return_if_fail (CW_IS_ONBOARDING_RESTORE (self));

  gtk_label_set_text (self->backup_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->backup_error_label), message != NULL);
  if (message != NULL)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_row));
      gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_to_end_cb, NULL, NULL);
    }
}

void
cw_onboarding_restore_set_backup_file (CwOnboardingRestore *self,
                                       GFile               *file)
{
  g_autofree char *name = NULL;

  g_return_if_fail (CW_IS_ONBOARDING_RESTORE (self));
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  g_set_object (&self->backup_file, file);
  if (file != NULL)
    name = g_file_get_basename (file);
  adw_action_row_set_subtitle (self->backup_row, name != NULL ? name : _("None chosen"));
  changed_cb (self);
}

GFile *
cw_onboarding_restore_get_backup_file (CwOnboardingRestore *self)
{
  g_return_val_if_fail (CW_IS_ONBOARDING_RESTORE (self), NULL);
  return self->backup_file;
}

const char *
cw_onboarding_restore_get_passphrase (CwOnboardingRestore *self)
{
  g_return_val_if_fail (CW_IS_ONBOARDING_RESTORE (self), NULL);
  return row_text (self->passphrase_row);
}

void
cw_onboarding_restore_fill_backup (CwOnboardingRestore *self,
                                   GFile               *file,
                                   const char          *passphrase)
{
  g_return_if_fail (CW_IS_ONBOARDING_RESTORE (self));

  cw_onboarding_restore_set_backup_file (self, file);
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), passphrase);
  gtk_widget_activate_action (GTK_WIDGET (self), "restore.submit-backup", NULL);
}

const char *
cw_onboarding_restore_get_code (CwOnboardingRestore *self)
{
  g_return_val_if_fail (CW_IS_ONBOARDING_RESTORE (self), NULL);
  return row_text (self->code_row);
}

void
cw_onboarding_restore_set_code (CwOnboardingRestore *self,
                                const char          *code)
{
  g_return_if_fail (CW_IS_ONBOARDING_RESTORE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->code_row), code);
}

void
cw_onboarding_restore_fill (CwOnboardingRestore *self,
                            const char          *invite,
                            const char          *patient_id,
                            const char          *code)
{
  g_return_if_fail (CW_IS_ONBOARDING_RESTORE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->invite_row), invite);
  gtk_editable_set_text (GTK_EDITABLE (self->patient_row), patient_id);
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), code);
  gtk_widget_activate_action (GTK_WIDGET (self), "restore.submit", NULL);
}

const char *
cw_onboarding_restore_get_error (CwOnboardingRestore *self)
{
  g_return_val_if_fail (CW_IS_ONBOARDING_RESTORE (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label))
         ? gtk_label_get_text (self->error_label) : NULL;
}

const char *
cw_onboarding_restore_get_backup_error (CwOnboardingRestore *self)
{
  g_return_val_if_fail (CW_IS_ONBOARDING_RESTORE (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->backup_error_label))
         ? gtk_label_get_text (self->backup_error_label) : NULL;
}
