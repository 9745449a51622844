/* cw-onboarding-view.c: first run, joining a clinic and restoring, one
 * page per step in a GtkStack, driven by onboarding.* actions: the pages,
 * errors, accepting an invite and leaving. How an invite arrives is in
 * cw-onboarding-open.c, the later steps in cw-onboarding-steps.c. */
#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "cw-keyring.h"
#include "cw-node-client.h"
#include "cw-onboarding-view-internal.h"
#include "cw-recovery-code.h"
#include "cw-wallet-clinic.h"


G_DEFINE_FINAL_TYPE (CwOnboardingView, cw_onboarding_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_WALLET,
  PROP_ACTIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
cw_onboarding_view_wipe_code (CwOnboardingView *self)
{
  if (self->recovery_code != NULL)
    sodium_memzero (self->recovery_code, strlen (self->recovery_code));
  g_clear_pointer (&self->recovery_code, g_free);
  gtk_label_set_text (self->code_label, "");
  self->restore_pending = FALSE;
}

void
cw_onboarding_view_show_page (CwOnboardingView *self,
                              const char       *name)
{
  gboolean active = g_strcmp0 (name, "welcome") != 0;

  gtk_spinner_set_spinning (self->busy_spinner, g_strcmp0 (name, "busy") == 0);
  if (g_strcmp0 (name, "busy") != 0)
    self->committing = FALSE;
  gtk_stack_set_visible_child_name (self->pages, name);
  if (active != self->active)
    {
      self->active = active;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
    }
}

void
cw_onboarding_view_show_busy (CwOnboardingView *self,
                              const char       *title,
                              const char       *description)
{
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->committing = FALSE;
  adw_status_page_set_title (self->busy_page, title);
  adw_status_page_set_description (self->busy_page, description);
  gtk_widget_set_visible (self->busy_cancel_button, TRUE);
  cw_onboarding_view_show_page (self, "busy");
}

void
cw_onboarding_view_show_committing (CwOnboardingView *self,
                                    const char       *title,
                                    const char       *description)
{
  cw_onboarding_view_show_busy (self, title, description);
  /* Cancelling after the request left could leave the node with an
   * enrollment or a rotation whose key this computer just dropped. */
  self->committing = TRUE;
  gtk_widget_set_visible (self->busy_cancel_button, FALSE);
}

/* Back to the start: whatever was opened, prepared or shown is dropped; a
 * prepared enrollment takes its keys and code with it. */
static void
start_over (CwOnboardingView *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->invite);
  g_clear_object (&self->enrollment);
  g_clear_pointer (&self->clinic_name, g_free);
  cw_onboarding_view_wipe_code (self);
  cw_onboarding_restore_clear (self->restore_page);
  gtk_editable_set_text (GTK_EDITABLE (self->link_row), "");
  cw_onboarding_view_show_page (self, "welcome");
}

void
cw_onboarding_view_start_over (CwOnboardingView *self)
{
  start_over (self);
}

/* Errors: each refusal gets a title that says what happened; the engine's
 * message says why. */
static const char *
error_title (const GError *error)
{
  if (error->domain == CW_INVITE_ERROR)
    switch ((CwInviteError) error->code)
      {
      case CW_INVITE_ERROR_BAD_SIGNATURE:
        return _("This Invite Is Not Genuine");
      case CW_INVITE_ERROR_EXPIRED:
        return _("This Invite Has Expired");
      case CW_INVITE_ERROR_UNSUPPORTED:
        return _("This Invite Needs a Newer Consent Wallet");
      case CW_INVITE_ERROR_MALFORMED:
      case CW_INVITE_ERROR_TOO_LARGE:
      default:
        return _("This Is Not an Invite");
      }
  if (error->domain == CW_WALLET_ERROR)
    switch ((CwWalletError) error->code)
      {
      case CW_WALLET_ERROR_REJECTED:
        return _("The Clinic’s Node Refused This");
      case CW_WALLET_ERROR_INVALID_INVITE:
        return _("Unknown Clinic");
      case CW_WALLET_ERROR_WRONG_NODE:
        return _("This Invite Does Not Match Its Node");
      case CW_WALLET_ERROR_VERIFICATION:
        return _("What the Node Sent Did Not Verify");
      case CW_WALLET_ERROR_RESTORE_INCOMPLETE:
        return _("Restore Not Finished");
      default:
        return _("Something Went Wrong");
      }
  if (error->domain == CW_KEYRING_ERROR)
    return _("Your Keyring Is Not Available");
  if (error->domain == CW_NODE_CLIENT_ERROR)
    return _("Could Not Reach the Clinic’s Node");
  if (error->domain == CW_RECOVERY_CODE_ERROR)
    return _("The Recovery Code Looks Mistyped");
  if (error->domain == G_IO_ERROR)
    return _("Could Not Read the Invite File");
  return _("Something Went Wrong");
}

static const char *
error_advice (const GError *error)
{
  if (error->domain == CW_KEYRING_ERROR)
    return _("Nothing was created or sent. Your identity key is kept in your computer’s "
             "keyring: unlock it, or log in to a desktop session that has one, then open the "
             "invite again.");
  if (error->domain == CW_NODE_CLIENT_ERROR)
    return _("Check your internet connection and try again later.");
  /* The one case where something stays: the new key, which the node may
   * already require (its new code was shown and confirmed before). */
  if (g_error_matches (error, CW_WALLET_ERROR, CW_WALLET_ERROR_RESTORE_INCOMPLETE))
    return _("Choose Back, then “I Already Have a Wallet”, and restore with the newest "
             "recovery code you wrote down: the restore continues where it stopped.");
  return _("Nothing was created or changed on this computer.");
}

void
cw_onboarding_view_show_error (CwOnboardingView *self,
                               const GError     *error)
{
  g_autofree char *description = g_strdup_printf ("%s\n\n%s", error->message,
                                                  error_advice (error));

  g_clear_object (&self->cancellable);
  g_clear_object (&self->enrollment);
  adw_status_page_set_title (self->error_page, error_title (error));
  adw_status_page_set_description (self->error_page, description);
  cw_onboarding_view_show_page (self, "error");
}

void
cw_onboarding_view_show_done (CwOnboardingView *self,
                              const char       *description)
{
  g_clear_object (&self->cancellable);
  adw_status_page_set_description (self->done_page, description);
  cw_onboarding_view_show_page (self, "done");
}

const char *
cw_onboarding_view_clinic_name (CwOnboardingView *self)
{
  return self->clinic_name != NULL ? self->clinic_name : cw_invite_get_clinic (self->invite);
}

/* Accepting: enroll, or join with the same identity. */

static void
clinic_remembered_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(CwOnboardingView) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Only the grant dialog's provider list misses the clinic then: the
   * enrollment itself stands. */
  if (!cw_wallet_remember_clinic_finish (CW_WALLET (object), result, &error))
    g_debug ("The clinic was not added to the provider list: %s", error->message);
}

static void
invite_joined_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CwOnboardingView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cw_wallet_accept_invite_finish (CW_WALLET (object), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        start_over (self);
      else
        cw_onboarding_view_show_error (self, error);
      return;
    }
  g_clear_object (&self->cancellable);
  /* Joined: the same identity, no new code. */
  cw_onboarding_view_after_identity (self);
}

/* The keys exist in memory only: the code is shown and typed back before
 * anything is stored or sent. */
static void
enroll_prepared_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CwOnboardingView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *explanation = NULL;
  CwEnrollment *enrollment;

  enrollment = cw_wallet_prepare_enroll_finish (CW_WALLET (object), result, &error);
  if (enrollment == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        start_over (self);
      else
        cw_onboarding_view_show_error (self, error);
      return;
    }
  g_clear_object (&self->cancellable);
  g_clear_object (&self->enrollment);
  self->enrollment = enrollment;
  explanation = g_strdup_printf (_("Before you are registered with %s: if this computer is "
                                   "lost or broken, this code brings your wallet back on a new "
                                   "one. Write it on paper with your patient ID and keep it "
                                   "safe. The code is shown only now and is stored nowhere; "
                                   "next, you type parts of it back."),
                                 cw_onboarding_view_clinic_name (self));
  cw_onboarding_view_show_recovery_code (self,
                                         g_strdup (cw_enrollment_get_recovery_code (enrollment)),
                                         cw_enrollment_get_patient_id (enrollment), explanation);
}

static void
enroll_completed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(CwOnboardingView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cw_wallet_complete_enroll_finish (CW_WALLET (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        start_over (self);
      else
        cw_onboarding_view_show_error (self, error);
      return;
    }
  g_clear_object (&self->cancellable);
  g_clear_object (&self->enrollment);
  cw_wallet_remember_clinic_async (self->wallet, self->invite, NULL, clinic_remembered_cb,
                                   g_object_ref (self));
  cw_onboarding_view_after_identity (self);
}

void
cw_onboarding_view_complete_enroll (CwOnboardingView *self)
{
  g_autofree char *description = NULL;

  g_return_if_fail (self->enrollment != NULL);

  description = g_strdup_printf (_("Keeping your key in this computer’s keyring and "
                                   "registering it with %s…"),
                                 cw_onboarding_view_clinic_name (self));
  cw_onboarding_view_show_committing (self, _("Registering You"), description);
  cw_wallet_complete_enroll_async (self->wallet, self->enrollment, self->cancellable,
                                   enroll_completed_cb, g_object_ref (self));
}

static void
accept_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CwOnboardingView *self = CW_ONBOARDING_VIEW (widget);
  g_autofree char *description = NULL;

  if (self->invite == NULL || self->cancellable != NULL || self->enrollment != NULL)
    return;
  if (cw_wallet_get_enrolled (self->wallet))
    {
      description = g_strdup_printf (_("Adding %s to your wallet…"),
                                     cw_onboarding_view_clinic_name (self));
      cw_onboarding_view_show_busy (self, _("Joining the Clinic"), description);
      cw_wallet_accept_invite_async (self->wallet, self->invite, self->cancellable,
                                     invite_joined_cb, g_object_ref (self));
      return;
    }
  cw_onboarding_view_show_busy (self, _("Creating Your Identity"),
                                _("Making your personal key and its recovery code…"));
  cw_wallet_prepare_enroll_async (self->wallet, cw_invite_get_node_profile (self->invite),
                                  cw_invite_get_clinic (self->invite),
                                  cw_invite_get_code (self->invite), self->cancellable,
                                  enroll_prepared_cb, g_object_ref (self));
}

/* Leaving */

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CwOnboardingView *self = CW_ONBOARDING_VIEW (widget);

  /* The callback of the step under way goes back to where it started; an
   * enrollment whose code is on screen is dropped before it exists. */
  if (self->committing)
    return;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  else if (self->enrollment != NULL)
    start_over (self);
}

static void
start_over_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  start_over (CW_ONBOARDING_VIEW (widget));
}

static void
finish_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  start_over (CW_ONBOARDING_VIEW (widget));
}

/* GObject */

static void
cw_onboarding_view_dispose (GObject *object)
{
  CwOnboardingView *self = CW_ONBOARDING_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->code_label != NULL)
    cw_onboarding_view_wipe_code (self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_ONBOARDING_VIEW);
  g_clear_weak_pointer (&self->grant_dialog);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->invite);
  g_clear_object (&self->enrollment);
  g_clear_object (&self->wallet);

  G_OBJECT_CLASS (cw_onboarding_view_parent_class)->dispose (object);
}

static void
cw_onboarding_view_finalize (GObject *object)
{
  CwOnboardingView *self = CW_ONBOARDING_VIEW (object);

  g_free (self->clinic_name);

  G_OBJECT_CLASS (cw_onboarding_view_parent_class)->finalize (object);
}

static void
cw_onboarding_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CwOnboardingView *self = CW_ONBOARDING_VIEW (object);

  switch (prop_id)
    {
    case PROP_WALLET:
      g_value_set_object (value, self->wallet);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_onboarding_view_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CwOnboardingView *self = CW_ONBOARDING_VIEW (object);

  switch (prop_id)
    {
    case PROP_WALLET:
      cw_onboarding_view_set_wallet (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_onboarding_view_class_init (CwOnboardingViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_onboarding_view_dispose;
  object_class->finalize = cw_onboarding_view_finalize;
  object_class->get_property = cw_onboarding_view_get_property;
  object_class->set_property = cw_onboarding_view_set_property;

  properties[PROP_WALLET] =
    g_param_spec_object ("wallet", NULL, NULL, CW_TYPE_WALLET,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CW_TYPE_ONBOARDING_RESTORE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/consentwallet/ConsentWallet/"
                                               "cw-onboarding-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, pages);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, busy_page);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, busy_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, link_row);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, invite_title);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, invite_explanation);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, clinic_row);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, organization_row);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, node_row);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, expires_row);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, accept_button);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, recovery_explanation);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, patient_id_row);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, code_label);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, code_written_button);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, recovery_title);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, group_row_a);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, group_row_b);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, confirm_error_label);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, recovery_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, confirm_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, grant_page);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, accept_grant_button);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, edit_grant_button);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, done_page);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, error_page);
  gtk_widget_class_bind_template_child (widget_class, CwOnboardingView, restore_page);
  gtk_widget_class_install_action (widget_class, "onboarding.accept", NULL, accept_action);
  gtk_widget_class_install_action (widget_class, "onboarding.cancel", NULL, cancel_action);
  cw_onboarding_open_class_init (widget_class);
  cw_onboarding_steps_class_init (widget_class);
  gtk_widget_class_install_action (widget_class, "onboarding.start-over", NULL,
                                   start_over_action);
  gtk_widget_class_install_action (widget_class, "onboarding.finish", NULL, finish_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "onboarding.cancel",
                                       NULL);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cw_onboarding_view_init (CwOnboardingView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cw_onboarding_open_init (self);
}

void
cw_onboarding_view_set_wallet (CwOnboardingView *self,
                               CwWallet         *wallet)
{
  g_return_if_fail (CW_IS_ONBOARDING_VIEW (self));
  g_return_if_fail (wallet == NULL || CW_IS_WALLET (wallet));

  if (g_set_object (&self->wallet, wallet))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WALLET]);
}

gboolean
cw_onboarding_view_get_active (CwOnboardingView *self)
{
  g_return_val_if_fail (CW_IS_ONBOARDING_VIEW (self), FALSE);
  return self->active;
}

/* For the tests (cw-onboarding-view-private.h). */

const char *
cw_onboarding_view_get_page (CwOnboardingView *self)
{
  return gtk_stack_get_visible_child_name (self->pages);
}

const char *
cw_onboarding_view_get_clinic_name (CwOnboardingView *self)
{
  return adw_action_row_get_subtitle (self->clinic_row);
}

static AdwStatusPage *
visible_status_page (CwOnboardingView *self)
{
  const char *page = cw_onboarding_view_get_page (self);

  if (g_strcmp0 (page, "grant") == 0)
    return self->grant_page;
  if (g_strcmp0 (page, "done") == 0)
    return self->done_page;
  if (g_strcmp0 (page, "error") == 0)
    return self->error_page;
  return self->busy_page;
}

const char *
cw_onboarding_view_get_title (CwOnboardingView *self)
{
  if (g_strcmp0 (cw_onboarding_view_get_page (self), "recovery") == 0)
    return gtk_label_get_text (self->recovery_title);
  return adw_status_page_get_title (visible_status_page (self));
}

const char *
cw_onboarding_view_get_description (CwOnboardingView *self)
{
  if (g_strcmp0 (cw_onboarding_view_get_page (self), "recovery") == 0)
    return gtk_label_get_text (self->recovery_explanation);
  return adw_status_page_get_description (visible_status_page (self));
}

const char *
cw_onboarding_view_get_shown_code (CwOnboardingView *self)
{
  return gtk_label_get_text (self->code_label);
}

const char *
cw_onboarding_view_get_shown_patient_id (CwOnboardingView *self)
{
  return adw_action_row_get_subtitle (self->patient_id_row);
}

guint
cw_onboarding_view_get_asked_group (CwOnboardingView *self,
                                    guint             i)
{
  return self->asked[i] + 1;
}

AdwEntryRow *
cw_onboarding_view_get_group_row (CwOnboardingView *self,
                                  guint             i)
{
  return i == 0 ? self->group_row_a : self->group_row_b;
}

AdwEntryRow *
cw_onboarding_view_get_link_row (CwOnboardingView *self)
{
  return self->link_row;
}

CwOnboardingRestore *
cw_onboarding_view_get_restore (CwOnboardingView *self)
{
  return self->restore_page;
}

GtkWidget *
cw_onboarding_view_get_accept_grant_button (CwOnboardingView *self)
{
  return self->accept_grant_button;
}

GtkWidget *
cw_onboarding_view_get_edit_grant_button (CwOnboardingView *self)
{
  return self->edit_grant_button;
}

GtkWindow *
cw_onboarding_view_get_grant_dialog (CwOnboardingView *self)
{
  return self->grant_dialog;
}
