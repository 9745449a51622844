/* cw-onboarding-view.h: the wallet's first run and the way to another
 * clinic: welcome, the invite (from a consentwallet: link, a .cwinvite
 * file, pasted or dropped), who invites you, the identity made and
 * enrolled, the recovery code shown once and typed back in part, the
 * clinic's proposed first grant; and the restore with a recovery code on a
 * new computer. Every engine call is async and can be cancelled. */
#pragma once

#include <adwaita.h>

#include "cw-wallet.h"

G_BEGIN_DECLS

#define CW_TYPE_ONBOARDING_VIEW (cw_onboarding_view_get_type ())

G_DECLARE_FINAL_TYPE (CwOnboardingView, cw_onboarding_view, CW, ONBOARDING_VIEW, GtkWidget)

/* Property "wallet": set once, before the view is used. */
void      cw_onboarding_view_set_wallet  (CwOnboardingView *self,
                                          CwWallet         *wallet);
/* Opens an invite: a consentwallet: link or a .cwinvite file's text
 * (@len -1 for NUL-terminated). Ignored while another step is running. */
void      cw_onboarding_view_open_invite (CwOnboardingView *self,
                                          const char       *text,
                                          gssize            len);
/* Reads the invite from @file (at most an invite's size), then opens it. */
void      cw_onboarding_view_open_file   (CwOnboardingView *self,
                                          GFile            *file);
/* Property "active": TRUE from the moment an invite or a restore is
 * under way until the person leaves the last page; the window keeps the
 * view on screen meanwhile, also once the wallet is enrolled. */
gboolean  cw_onboarding_view_get_active  (CwOnboardingView *self);

G_END_DECLS
