/* cw-enrollment.h: an enrollment prepared but not yet sent
 * (cw_wallet_prepare_enroll_async()): the new identity key and the
 * recovery code in sodium memory, and the signed enroll transaction.
 * Nothing of it is written anywhere until cw_wallet_complete_enroll_async();
 * dropping the last reference, or cw_enrollment_wipe(), wipes the secrets,
 * so a person who leaves before confirming the code leaves nothing behind. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CW_TYPE_ENROLLMENT (cw_enrollment_get_type ())

G_DECLARE_FINAL_TYPE (CwEnrollment, cw_enrollment, CW, ENROLLMENT, GObject)

/* The recovery code to show once (fourteen groups of four, sodium memory
 * owned by @self), or %NULL once wiped. */
const char  *cw_enrollment_get_recovery_code (CwEnrollment *self);
/* The patient ID the enrollment will register. */
const char  *cw_enrollment_get_patient_id    (CwEnrollment *self);
const char  *cw_enrollment_get_clinic        (CwEnrollment *self);
/* TRUE once cw_wallet_complete_enroll_async() succeeded with it. */
gboolean     cw_enrollment_get_completed     (CwEnrollment *self);
/* Wipes the identity key and the recovery code now; the enrollment can
 * no longer be completed. */
void         cw_enrollment_wipe              (CwEnrollment *self);

G_END_DECLS
