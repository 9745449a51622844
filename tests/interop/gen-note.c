/* gen-note.c: writes signed notes and a cosigned checkpoint made by the core
 * for check-note.go to open with Go's golang.org/x/mod/sumdb/note, and checks
 * the note Go signs in return.
 *
 * Specs: https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint,
 * https://c2sp.org/tlog-cosignature.
 *
 * Usage: gen-note DIR            write the artifacts into DIR
 *        gen-note --check DIR    verify DIR/go-signed.note (run by the Go side)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "cw-checkpoint.h"
#include "cw-cosignature.h"
#include "cw-key.h"
#include "cw-note.h"

#define LOG_NAME "consent.example.org/log"
#define WITNESS_NAME "witness.example.org/w1"
#define GO_SIGNER_NAME "go.example/signer"
#define COSIGNATURE_TIME 1700000000
#define TEXT_PLAIN "Consent Wallet interop note.\nSecond line, with UTF-8: Grüße ✓\n"
#define TEXT_TWO "A note\n\nwith a blank line inside, signed twice.\n"

static CwSigningKey *
key_from_seed (const char  *name,
               CwKeyType    type,
               guint8       fill,
               GError     **error)
{
  guint8 seed[CW_SEED_SIZE];

  memset (seed, fill, sizeof seed);
  return cw_signing_key_new_from_seed (name, type, seed, error);
}

static gboolean
write_file (const char  *dir,
            const char  *name,
            const char  *contents,
            GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_set_contents (path, contents, -1, error);
}

static char *
read_file (const char  *dir,
           const char  *name,
           GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  return contents;
}

/* A checkpoint signed by the log key and cosigned by the witness. */
static char *
make_checkpoint (CwSigningKey  *log,
                 CwSigningKey  *witness,
                 char         **out_body,
                 GError       **error)
{
  g_autoptr(CwCheckpoint) checkpoint = NULL;
  g_autofree char *body = NULL;
  g_autofree char *signed_note = NULL;
  g_autofree char *line = NULL;
  guint8 root[CW_CHECKPOINT_HASH_SIZE];

  for (guint i = 0; i < sizeof root; i++)
    root[i] = i * 7 + 1;

  if (!(checkpoint = cw_checkpoint_new (LOG_NAME, 123456789, root, NULL, error)) ||
      !(signed_note = cw_checkpoint_sign (checkpoint, log, error)))
    return NULL;

  body = cw_checkpoint_format (checkpoint);
  line = cw_cosignature_sign_line (witness, body, strlen (body), COSIGNATURE_TIME, error);
  if (line == NULL)
    return NULL;

  *out_body = g_steal_pointer (&body);
  return g_strconcat (signed_note, line, NULL);
}

static char *
key_lines (CwSigningKey **keys,
           const char   **labels,
           guint          n_keys)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n_keys; i++)
    {
      g_autofree char *vkey = cw_verifier_key_to_string (cw_signing_key_get_verifier (keys[i]));

      g_string_append_printf (out, "%s %s\n", labels[i], vkey);
    }

  return g_string_free (out, FALSE);
}

static gboolean
write_go_signer (const char    *dir,
                 CwSigningKey  *go_signer,
                 GError       **error)
{
  char *skey = cw_signing_key_to_string (go_signer);
  gboolean ok;

  if (skey == NULL)
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                           "Could not write out the signer key");
      return FALSE;
    }

  ok = write_file (dir, "go-signer.key", skey, error);
  cw_secure_string_free (skey);
  return ok;
}

/* The generator's own path, so that the Go side can call it back. */
static gboolean
write_self_path (const char  *dir,
                 GError     **error)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", error);

  return self != NULL && write_file (dir, "generator", self, error);
}

static gboolean
generate (const char  *dir,
          GError     **error)
{
  g_autoptr(CwSigningKey) log = NULL;
  g_autoptr(CwSigningKey) witness = NULL;
  g_autoptr(CwSigningKey) alice = NULL;
  g_autoptr(CwSigningKey) bob = NULL;
  g_autoptr(CwSigningKey) go_signer = NULL;
  g_autofree char *checkpoint = NULL;
  g_autofree char *body = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *two = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *time_text = g_strdup_printf ("%d\n", COSIGNATURE_TIME);

  if (!(log = key_from_seed (LOG_NAME, CW_KEY_TYPE_ED25519, 1, error)) ||
      !(witness = key_from_seed (WITNESS_NAME, CW_KEY_TYPE_COSIGNATURE_V1, 2, error)) ||
      !(alice = key_from_seed ("alice.example/a", CW_KEY_TYPE_ED25519, 3, error)) ||
      !(bob = key_from_seed ("bob.example/b", CW_KEY_TYPE_ED25519, 4, error)) ||
      !(go_signer = cw_signing_key_generate (GO_SIGNER_NAME, CW_KEY_TYPE_ED25519, error)))
    return FALSE;

  {
    CwSigningKey *both[] = { alice, bob };
    CwSigningKey *all[] = { log, witness, alice, bob, go_signer };
    const char *labels[] = { "log", "witness", "alice", "bob", "go-signer" };

    if (!(checkpoint = make_checkpoint (log, witness, &body, error)) ||
        !(plain = cw_note_sign (TEXT_PLAIN, &alice, 1, error)) ||
        !(two = cw_note_sign (TEXT_TWO, both, 2, error)))
      return FALSE;
    keys = key_lines (all, labels, G_N_ELEMENTS (all));
  }

  return write_file (dir, "checkpoint.note", checkpoint, error) &&
         write_file (dir, "checkpoint.txt", body, error) &&
         write_file (dir, "cosignature-time.txt", time_text, error) &&
         write_file (dir, "plain.note", plain, error) &&
         write_file (dir, "plain.txt", TEXT_PLAIN, error) &&
         write_file (dir, "two.note", two, error) &&
         write_file (dir, "two.txt", TEXT_TWO, error) &&
         write_file (dir, "keys.txt", keys, error) &&
         write_go_signer (dir, go_signer, error) &&
         write_self_path (dir, error);
}

/* Opens the note Go signed with the key we wrote, and re-signs its text:
 * Ed25519 is deterministic, so both must match byte for byte. */
static gboolean
check_go_note (const char  *dir,
               GError     **error)
{
  g_autoptr(CwSigningKey) signer = NULL;
  g_autoptr(CwNoteVerifiers) verifiers = cw_note_verifiers_new ();
  g_autoptr(CwNote) note = NULL;
  g_autofree char *skey = NULL;
  g_autofree char *msg = NULL;
  g_autofree char *text = NULL;
  g_autofree char *ours = NULL;

  if (!(skey = read_file (dir, "go-signer.key", error)) ||
      !(msg = read_file (dir, "go-signed.note", error)) ||
      !(text = read_file (dir, "go-signed.txt", error)) ||
      !(signer = cw_signing_key_new_from_string (skey, error)) ||
      !cw_note_verifiers_add (verifiers, cw_signing_key_get_verifier (signer), error) ||
      !(note = cw_note_open (msg, strlen (msg), verifiers, error)) ||
      !(ours = cw_note_sign (text, &signer, 1, error)))
    return FALSE;

  if (!g_str_equal (cw_note_get_text (note), text) ||
      cw_note_get_n_signatures (note) != 1 ||
      !g_str_equal (ours, msg))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "Go-signed note differs from what the core reads or signs");
      return FALSE;
    }

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (argc == 2)
    ok = generate (argv[1], &error);
  else if (argc == 3 && g_str_equal (argv[1], "--check"))
    ok = check_go_note (argv[2], &error);
  else
    {
      g_printerr ("Usage: %s DIR | --check DIR\n", argv[0]);
      return EXIT_FAILURE;
    }

  if (!ok)
    {
      g_printerr ("gen-note: %s\n", error->message);
      return EXIT_FAILURE;
    }

  if (argc == 3)
    g_print ("gen-note: Go-signed note verified and reproduced by the core\n");
  return EXIT_SUCCESS;
}
