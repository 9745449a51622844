/* witness-test-util.h: helpers for the witness tests: real `consent-node
 * witness` directories and servers, and a log built in the test that signs
 * c2sp.org/tlog-checkpoint notes and proves consistency. */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "cw-key.h"
#include "cw-log-tree.h"

G_BEGIN_DECLS

/* A witness directory made by `consent-node witness init`, and its
 * `witness serve` process while one runs. The process dies with the test
 * process even if the test aborts. */
typedef struct
{
  char *tmpdir;
  char *dir;
  char *name;
  char *verifier_key;
  char *pin;
  char *cert_path;
  CwVerifierKey *key;
  GSubprocess *process;
  char *url;
  SoupSession *session;
} TestWitness;

TestWitness *test_witness_new        (const char   *name);
void         test_witness_free       (TestWitness  *witness);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestWitness, test_witness_free)

void         test_witness_add_log    (TestWitness  *witness,
                                      const char   *origin,
                                      CwVerifierKey *log_key);
void         test_witness_start      (TestWitness  *witness);
/* SIGTERM; returns the exit status (-1 if it did not exit normally). */
int          test_witness_stop       (TestWitness  *witness);
/* POSTs @body to the witness's add-checkpoint URL; returns the status. */
guint        test_witness_post       (TestWitness  *witness,
                                      GBytes       *body,
                                      GBytes      **out_body,
                                      char        **out_content_type);
/* The size and base64 root `witness status` shows for @origin. */
void         test_witness_get_state  (TestWitness  *witness,
                                      const char   *origin,
                                      guint64      *out_size,
                                      char        **out_root);
guint64      test_witness_get_evidence (TestWitness *witness);

/* A log: its key and a tree of deterministic leaves. */
typedef struct
{
  char *origin;
  CwSigningKey *key;
  CwLogTree *tree;
  GByteArray *leaves;   /* 32 bytes each */
  guint8 seed;
} TestLog;

TestLog     *test_log_new            (const char   *origin);
/* A log with the same key and the first @size leaves of @log, growing
 * differently from there on: a fork. */
TestLog     *test_log_fork           (TestLog      *log,
                                      guint64       size);
void         test_log_free           (TestLog      *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestLog, test_log_free)

void         test_log_append         (TestLog      *log,
                                      guint         n);
CwVerifierKey *test_log_get_verifier (TestLog      *log);
/* The signed checkpoint of the first @size leaves. */
char        *test_log_sign           (TestLog      *log,
                                      guint64       size);
GPtrArray   *test_log_prove          (TestLog      *log,
                                      guint64       old_size,
                                      guint64       new_size);
/* An add-checkpoint body from @old_size to @new_size, proof included. */
GBytes      *test_log_request        (TestLog      *log,
                                      guint64       old_size,
                                      guint64       new_size);
/* A CwWitnessProofFunc over @user_data, a TestLog. */
GPtrArray   *test_log_proof_func     (guint64       old_size,
                                      guint64       new_size,
                                      gpointer      user_data,
                                      GError      **error);

G_END_DECLS
