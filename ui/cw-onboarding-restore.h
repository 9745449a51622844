/* cw-onboarding-restore.h: the onboarding's restore form: the node (from
 * any invite of the patient's clinic), the recovery code written down at
 * enrollment and, optionally, the patient ID; or a backup file and its
 * passphrase. It checks what can be checked on the spot and emits "submit"
 * or "submit-backup"; CwOnboardingView runs the restore. */
#pragma once

#include <adwaita.h>

#include "cw-node-profile.h"

G_BEGIN_DECLS

#define CW_TYPE_ONBOARDING_RESTORE (cw_onboarding_restore_get_type ())

G_DECLARE_FINAL_TYPE (CwOnboardingRestore, cw_onboarding_restore, CW, ONBOARDING_RESTORE,
                      GtkWidget)

/* Empties the form (the code is wiped from the entry). */
void           cw_onboarding_restore_clear         (CwOnboardingRestore  *self);
/* Shows @message under the form, or hides it for %NULL. */
void           cw_onboarding_restore_set_error     (CwOnboardingRestore  *self,
                                                    const char           *message);
/* What was typed, read when "submit" is emitted. The profile is the
 * invite's (the form was already checked); free it. */
CwNodeProfile *cw_onboarding_restore_get_profile   (CwOnboardingRestore  *self);
/* %NULL when left empty. */
const char    *cw_onboarding_restore_get_patient_id (CwOnboardingRestore *self);
const char    *cw_onboarding_restore_get_code      (CwOnboardingRestore  *self);
/* Replaces the code typed: a restore that did not finish runs again with
 * its new code. */
void           cw_onboarding_restore_set_code      (CwOnboardingRestore  *self,
                                                    const char           *code);

/* The backup: the file chosen (or %NULL) and its passphrase. */
void           cw_onboarding_restore_set_backup_file (CwOnboardingRestore *self,
                                                     GFile               *file);
GFile         *cw_onboarding_restore_get_backup_file (CwOnboardingRestore *self);
const char    *cw_onboarding_restore_get_passphrase  (CwOnboardingRestore *self);
void           cw_onboarding_restore_set_backup_error (CwOnboardingRestore *self,
                                                      const char          *message);

/* For the tests: the message under the code form or the backup form, or
 * %NULL while none is shown. */
const char    *cw_onboarding_restore_get_error        (CwOnboardingRestore *self);
const char    *cw_onboarding_restore_get_backup_error (CwOnboardingRestore *self);
/* For the tests: fill the form as a person types it, then press Restore. */
void           cw_onboarding_restore_fill          (CwOnboardingRestore  *self,
                                                    const char           *invite,
                                                    const char           *patient_id,
                                                    const char           *code);
/* For the tests: choose @file, type @passphrase, press Restore From Backup. */
void           cw_onboarding_restore_fill_backup   (CwOnboardingRestore  *self,
                                                    GFile                *file,
                                                    const char           *passphrase);

G_END_DECLS
