/* fuzz-invite.c: cw_invite_parse() on arbitrary bytes, as a consentwallet:
 * URI or a .cwinvite note (PROTOCOL.md §11), then the signature check with
 * a fixed clinic key and the expiry check. */
#include "config.h"

#include "fuzz-common.h"

#include "cw-invite.h"

static CwSigningKey *clinic;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  static const guint8 seed[CW_SEED_SIZE] = { 42 };

  fuzz_init ();
  clinic = cw_signing_key_new_from_seed ("gp-one", CW_KEY_TYPE_ED25519, seed, NULL);
  if (clinic == NULL)
    abort ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(CwInvite) invite = NULL;
  g_autoptr(CwInvite) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *uri = NULL;
  const char *note;
  const CwNodeProfile *profile;

  invite = cw_invite_parse ((const char *) data, size, &error);
  if (invite == NULL)
    {
      FUZZ_ASSERT (error != NULL && error->domain == CW_INVITE_ERROR);
      return 0;
    }
  FUZZ_ASSERT (error == NULL);

  /* The signed text is exactly what the fields format to. */
  note = cw_invite_get_note (invite);
  FUZZ_ASSERT (note != NULL && strlen (note) <= CW_INVITE_MAX_NOTE_LENGTH);
  text = cw_invite_to_text (invite);
  FUZZ_ASSERT (g_str_has_prefix (note, text));
  FUZZ_ASSERT (note[strlen (text)] == '\n');

  profile = cw_invite_get_node_profile (invite);
  FUZZ_ASSERT (profile != NULL && g_str_has_prefix (profile->url, "https://"));
  FUZZ_ASSERT (profile->witness_keys == NULL ||
               g_strv_length (profile->witness_keys) <= CW_INVITE_MAX_WITNESSES);
  FUZZ_ASSERT (cw_invite_get_proposed_grant (invite) == NULL ||
               cw_invite_get_proposed_grant (invite)->days > 0);

  /* The note as a URI parses to the same invite. */
  uri = cw_invite_note_to_uri (note);
  again = cw_invite_parse (uri, strlen (uri), &error);
  FUZZ_ASSERT (again != NULL);
  FUZZ_ASSERT (g_strcmp0 (cw_invite_get_note (again), note) == 0);

  /* Verifying never crashes and marks the invite only on success. */
  if (cw_invite_verify_signature (invite, cw_signing_key_get_public_key (clinic), &error))
    FUZZ_ASSERT (cw_invite_is_verified (invite));
  else
    FUZZ_ASSERT (g_error_matches (error, CW_INVITE_ERROR, CW_INVITE_ERROR_BAD_SIGNATURE) &&
                 !cw_invite_is_verified (invite));
  g_clear_error (&error);
  cw_invite_check_expiry (invite, 0, NULL);

  return 0;
}
