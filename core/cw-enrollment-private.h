/* cw-enrollment-private.h: the fields of a prepared enrollment, for
 * cw-wallet-enroll.c which fills and completes it. */
#pragma once

#include "cw-enrollment.h"
#include "cw-key.h"
#include "cw-node-profile.h"
#include "cw-wallet-store.h"

G_BEGIN_DECLS

struct _CwEnrollment
{
  GObject parent_instance;

  CwNodeProfile *profile;
  char *clinic;
  char *invite;
  CwSigningKey *identity_key;    /* sodium memory; %NULL once wiped */
  char *envelope;                /* the signed enroll transaction (DSSE JSON) */
  char *recovery_code;           /* sodium memory; %NULL once wiped */
  CwStoreIdentity *identity;     /* public parts, for the store */
  gboolean busy;                 /* a complete is under way */
  gboolean completed;
};

CwEnrollment *cw_enrollment_new (const CwNodeProfile *profile,
                                 const char          *clinic,
                                 const char          *invite);

G_END_DECLS
