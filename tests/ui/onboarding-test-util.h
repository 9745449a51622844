/* onboarding-test-util.h: what the onboarding UI tests share (see the .c
 * file): the fixture, invites, waiting, the recovery code typed back and
 * screenshots. */
#pragma once

#include <adwaita.h>

#include "cw-onboarding-view-private.h"
#include "cw-window-private.h"
#include "engine-test-util.h"
#include "ui-test-util.h"

G_BEGIN_DECLS

/* The clinic the invites come from, as the node's directory names it. */
#define CLINIC_ID "stmarys"
#define CLINIC_NAME "St Mary’s Family Practice"
#define CLINIC_ORGANIZATION "Riverside Health Partners"

typedef struct {
  EngineFixture     engine;
  CwSigningKey     *clinic_key;
  CwWindow         *window;
  CwOnboardingView *view;
} OnboardingFixture;

/* sodium, the keyring, GTK and libadwaita, the style sheet. */
void        onboarding_test_init              (int                 *argc,
                                               char              ***argv);

void        onboarding_fixture_setup          (OnboardingFixture   *f,
                                               gconstpointer        data);
void        onboarding_fixture_teardown       (OnboardingFixture   *f,
                                               gconstpointer        data);
/* A window on @wallet at size 0 (1200x800) or 1 (360x720). */
void        onboarding_open_window            (OnboardingFixture   *f,
                                               CwWallet            *wallet,
                                               guint                size);
void        onboarding_close_window           (OnboardingFixture   *f);

/* Runs the main loop while the view is busy, up to a minute; the page it
 * landed on. */
const char *onboarding_wait_not_busy          (OnboardingFixture   *f);
void        onboarding_save_screenshot        (OnboardingFixture   *f,
                                               const char          *name);
/* Items of the wallet's keyring schema in this session's keyring. */
guint       onboarding_count_keyring_items    (void);
/* No identity in the wallet or its store, @items keyring items. */
void        onboarding_assert_nothing_created (OnboardingFixture   *f,
                                               guint                items);

/* An invite signed by @signer (the clinic's key for %NULL) for a fresh
 * code of the clinic; @log_key %NULL for the node's. */
char       *onboarding_make_invite            (OnboardingFixture   *f,
                                               const char          *log_key,
                                               gint64               expires_in,
                                               const CwInviteGrant *grant,
                                               CwSigningKey        *signer,
                                               char               **out_code);
void        onboarding_write_file             (const char          *path,
                                               const char          *contents);
void        onboarding_paste_link             (OnboardingFixture   *f,
                                               const char          *link);
gboolean    onboarding_activate               (OnboardingFixture   *f,
                                               const char          *action);
/* Reads the code off the recovery page, types back the groups asked for
 * (after one wrong try) and returns the code as written down; screenshots
 * of the confirm page unless @screenshot_prefix is %NULL. */
char       *onboarding_confirm_code           (OnboardingFixture   *f,
                                               const char          *screenshot_prefix);

G_END_DECLS
