/* cw-enrollment.c: a prepared enrollment, holding its secrets in sodium
 * memory until it is completed or dropped. */
#include "config.h"

#include "cw-enrollment-private.h"

G_DEFINE_FINAL_TYPE (CwEnrollment, cw_enrollment, G_TYPE_OBJECT)

CwEnrollment *
cw_enrollment_new (const CwNodeProfile *profile,
                   const char          *clinic,
                   const char          *invite)
{
  CwEnrollment *self = g_object_new (CW_TYPE_ENROLLMENT, NULL);

  self->profile = cw_node_profile_copy (profile);
  self->clinic = g_strdup (clinic);
  self->invite = g_strdup (invite);
  return self;
}

void
cw_enrollment_wipe (CwEnrollment *self)
{
  g_return_if_fail (CW_IS_ENROLLMENT (self));

  g_clear_pointer (&self->identity_key, cw_signing_key_unref);
  g_clear_pointer (&self->recovery_code, cw_secure_string_free);
}

static void
cw_enrollment_finalize (GObject *object)
{
  CwEnrollment *self = CW_ENROLLMENT (object);

  cw_enrollment_wipe (self);
  g_clear_pointer (&self->profile, cw_node_profile_free);
  g_free (self->clinic);
  g_free (self->invite);
  g_free (self->envelope);
  g_clear_pointer (&self->identity, cw_store_identity_free);

  G_OBJECT_CLASS (cw_enrollment_parent_class)->finalize (object);
}

static void
cw_enrollment_class_init (CwEnrollmentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cw_enrollment_finalize;
}

static void
cw_enrollment_init (CwEnrollment *self)
{
}

const char *
cw_enrollment_get_recovery_code (CwEnrollment *self)
{
  g_return_val_if_fail (CW_IS_ENROLLMENT (self), NULL);
  return self->recovery_code;
}

const char *
cw_enrollment_get_patient_id (CwEnrollment *self)
{
  g_return_val_if_fail (CW_IS_ENROLLMENT (self), NULL);
  return self->identity != NULL ? self->identity->patient_id : NULL;
}

const char *
cw_enrollment_get_clinic (CwEnrollment *self)
{
  g_return_val_if_fail (CW_IS_ENROLLMENT (self), NULL);
  return self->clinic;
}

gboolean
cw_enrollment_get_completed (CwEnrollment *self)
{
  g_return_val_if_fail (CW_IS_ENROLLMENT (self), FALSE);
  return self->completed;
}
