/* node-test-util.h: helpers for the node tests: temporary directories,
 * running consent-node and reading its output, and a pinned HTTPS client. */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* What a finished consent-node run printed and how it ended. */
typedef struct
{
  char *out;
  char *err;
  int exit_status;   /* -1 unless it exited normally */
} NodeRun;

void      node_run_free              (NodeRun      *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodeRun, node_run_free)

/* The consent-node executable under test. */
const char *node_test_binary         (void);
/* A new argv (no NULL yet) that starts with CW_NODE_WRAPPER's words, if
 * set, then the node binary; the strings are not owned. */
GPtrArray  *node_test_argv_new       (void);

/* A new empty private directory; node_test_remove_tree() deletes it. */
char     *node_test_make_tmpdir      (void);
void      node_test_remove_tree      (const char   *path);

/* Runs consent-node with the NULL-terminated arguments and waits. */
NodeRun  *node_test_run              (const char   *first_arg,
                                      ...) G_GNUC_NULL_TERMINATED;
NodeRun  *node_test_runv             (const char * const *args);

/* Value of a "key: value" line of @text, or NULL. */
char     *node_test_get_field        (const char   *text,
                                      const char   *key);

/* Sets [@group] @key = @value in the node.conf of the node in @dir. */
void      node_test_set_config       (const char   *dir,
                                      const char   *group,
                                      const char   *key,
                                      const char   *value);

/* File mode bits (& 0777) of @path, or -1. */
int       node_test_file_mode        (const char   *path);

/* Whether @needle occurs in the bytes of @path (a missing file has none). */
gboolean  node_test_file_contains    (const char   *path,
                                      const char   *needle);

/* A running `consent-node serve`. It dies with the test process even if
 * the test aborts (PR_SET_PDEATHSIG), and node_test_server_free() kills
 * it if it still runs. */
typedef struct
{
  GSubprocess *process;
  char *url;
  GDataInputStream *output;   /* stdout and stderr, if started logged */
} NodeServer;

NodeServer *node_test_server_start   (const char   *dir);
/* Like node_test_server_start(), but with the node's log readable by
 * node_test_server_wait_log(): its stderr shares the stdout pipe, and
 * G_MESSAGES_DEBUG=consent-node adds the node's debug lines. Read the log
 * on, or the node may block once the pipe is full. */
NodeServer *node_test_server_start_logged (const char *dir);
/* Reads the node's output up to the next line that contains @needle and
 * returns it; NULL if the output ends first (the node exited). */
char       *node_test_server_wait_log (NodeServer  *server,
                                       const char  *needle);
/* Sends SIGTERM and returns the exit status (-1 if it did not exit). */
int         node_test_server_stop    (NodeServer   *server);
void        node_test_server_free    (NodeServer   *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodeServer, node_test_server_free)

/* A session that accepts exactly the certificate in @cert_path. */
SoupSession *node_test_session_new   (const char   *cert_path);

/* Sends a request and returns the status; @out_body gets the body. */
guint       node_test_request        (SoupSession  *session,
                                      const char   *method,
                                      const char   *url,
                                      GBytes       *body,
                                      gboolean      chunked,
                                      GBytes      **out_body,
                                      char        **out_content_type);

/* A TLS connection to @host:@port, its handshake done, that accepts only
 * the certificate @pinned: for tests that write raw HTTP. */
GIOStream       *node_test_tls_connect         (const char      *host,
                                                guint16          port,
                                                GTlsCertificate *pinned);

/* A POST to @url whose head the server took in (it answered "100
 * Continue") and whose @body is sent only by
 * node_test_held_request_finish(): a request in progress for as long as a
 * test wants. The server's certificate must be the one in @cert_path. */
typedef struct _NodeHeldRequest NodeHeldRequest;

NodeHeldRequest *node_test_held_request_start  (const char      *url,
                                                const char      *cert_path,
                                                GBytes          *body);
/* Sends the body and reads the answer until the server closes the
 * connection: its status; @out_body gets its body and @out_close whether
 * it said "Connection: close". */
guint            node_test_held_request_finish (NodeHeldRequest *held,
                                                GBytes         **out_body,
                                                gboolean        *out_close);
void             node_test_held_request_free   (NodeHeldRequest *held);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodeHeldRequest, node_test_held_request_free)

/* Whether a new connection to the address and port of @url is refused. */
gboolean         node_test_connection_refused  (const char      *url);

G_END_DECLS
