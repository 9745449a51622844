/* test-node-bad-input.c: what a hostile client would send to a real
 * consent-node over HTTPS on 127.0.0.1, one table entry per request: bad
 * JSON and base64, wrong types, unknown payload types, non-canonical and
 * invalid payloads, bad signatures, rule violations, oversized and deeply
 * nested bodies, NUL bytes and invalid UTF-8, wrong methods, bad tile
 * paths and proof queries, header abuse. Every request must get its 4xx
 * JSON error with the expected stable code, and leave the log (checkpoint
 * and size) as it was, with the node still serving.
 *
 * Requests are written byte for byte on a TLS connection of our own, so
 * that nothing in an HTTP client library tidies them up first. */
#include "config.h"

#include <string.h>

#include "cw-encoding.h"
#include "node-test-tx.h"

#define ENVELOPE_TYPE CW_DSSE_PAYLOAD_TYPE
#define MAX_BODY (64 * 1024)

/* One hostile request. */
typedef struct
{
  char *name;
  GBytes *request;    /* the complete request, as sent */
  guint status;
  const char *code;   /* the stable error code expected; NULL when libsoup
                       * refuses the request before the node sees it
                       * (status 0: it drops the connection) */
} Case;

/* The node every case runs against, and what must not change. */
static struct
{
  TxNode node;
  char *authority;        /* "127.0.0.1:<port>" */
  guint16 port;
  GTlsCertificate *pinned;
  GBytes *checkpoint;     /* /log/checkpoint before any case */
  TxPatient *patient;     /* enrolled, with one grant */
  guint8 grant_id[CW_TX_ID_SIZE];
  TxPatient *stranger;    /* never enrolled */
  GPtrArray *cases;
} env;

static void
case_free (Case *c)
{
  g_free (c->name);
  g_bytes_unref (c->request);
  g_free (c);
}

/* HTTP over our own TLS connection -------------------------------------- */

typedef struct
{
  guint status;           /* 0: no answer */
  char *content_type;
  GBytes *body;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_clear_pointer (&answer->content_type, g_free);
  g_clear_pointer (&answer->body, g_bytes_unref);
}

/* The value of header @name in the head @head (CRLF lines), or NULL. */
static char *
find_header (const char *head,
             const char *name)
{
  g_auto(GStrv) lines = g_strsplit (head, "\r\n", -1);
  gsize name_len = strlen (name);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (lines[i], name, name_len) == 0 && lines[i][name_len] == ':')
        return g_strstrip (g_strdup (lines[i] + name_len + 1));
    }

  return NULL;
}

/* Decodes a chunked body; FALSE if it is not one. */
static gboolean
dechunk (const guint8  *data,
         gsize          len,
         GByteArray    *out)
{
  gsize pos = 0;

  while (pos < len)
    {
      const guint8 *eol = memchr (data + pos, '\n', len - pos);
      g_autofree char *line = NULL;
      guint64 size;

      if (eol == NULL)
        return FALSE;
      line = g_strndup ((const char *) data + pos, eol - (data + pos));
      g_strstrip (line);
      size = g_ascii_strtoull (line, NULL, 16);
      pos = eol - data + 1;
      if (size == 0)
        return TRUE;
      if (size > len - pos)
        return FALSE;
      g_byte_array_append (out, data + pos, size);
      pos += size + 2;
    }

  return FALSE;
}

/* Sends @request on a fresh connection and reads until the node closes it
 * (every request says "Connection: close"). */
static void
exchange (GBytes *request,
          Answer *answer)
{
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GByteArray) received = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *head = NULL;
  g_autofree char *encoding = NULL;
  const guint8 *data;
  const guint8 *end;
  gsize len;
  guint8 buffer[16384];
  gssize n;

  memset (answer, 0, sizeof *answer);

  tls = node_test_tls_connect (env.authority, env.port, env.pinned);

  data = g_bytes_get_data (request, &len);
  /* The node may answer and close before it has read all of a body it
   * refuses: a failed write is no failure, a missing answer is. */
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (tls), data, len, NULL, NULL,
                                  &error))
    {
      g_test_message ("write: %s", error->message);
      g_clear_error (&error);
    }

  while ((n = g_input_stream_read (g_io_stream_get_input_stream (tls), buffer, sizeof buffer,
                                   NULL, &error)) > 0)
    g_byte_array_append (received, buffer, n);
  if (error != NULL)
    g_test_message ("read: %s", error->message);
  g_clear_error (&error);
  g_io_stream_close (tls, NULL, NULL);

  end = received->len >= 4
          ? (const guint8 *) g_strstr_len ((const char *) received->data, received->len, "\r\n\r\n")
          : NULL;
  if (end == NULL || received->len < 12 || memcmp (received->data, "HTTP/1.", 7) != 0)
    return;

  head = g_strndup ((const char *) received->data, end - received->data);
  answer->status = (guint) g_ascii_strtoull (head + 9, NULL, 10);
  answer->content_type = find_header (head, "Content-Type");
  encoding = find_header (head, "Transfer-Encoding");

  data = end + 4;
  len = received->len - (data - received->data);
  if (encoding != NULL && g_ascii_strcasecmp (encoding, "chunked") == 0)
    {
      g_autoptr(GByteArray) body = g_byte_array_new ();

      g_assert_true (dechunk (data, len, body));
      answer->body = g_byte_array_free_to_bytes (g_steal_pointer (&body));
    }
  else
    {
      answer->body = g_bytes_new (data, len);
    }
}

/* Building requests ------------------------------------------------------ */

static GBytes *
make_request (const char   *method,
              const char   *target,
              const char   *headers,
              const guint8 *body,
              gssize        body_len)
{
  GString *request = g_string_new (NULL);

  if (body != NULL && body_len < 0)
    body_len = strlen ((const char *) body);

  g_string_append_printf (request, "%s %s HTTP/1.1\r\nHost: %s:%u\r\nConnection: close\r\n",
                          method, target, env.authority, env.port);
  if (headers != NULL)
    g_string_append (request, headers);
  if (body != NULL)
    {
      g_string_append_printf (request, "Content-Type: application/json\r\n"
                                       "Content-Length: %" G_GSSIZE_FORMAT "\r\n\r\n", body_len);
      g_string_append_len (request, (const char *) body, body_len);
    }
  else
    {
      g_string_append (request, "\r\n");
    }

  return g_string_free_to_bytes (request);
}

static void add_case (GBytes     *request,
                      guint       status,
                      const char *code,
                      const char *format,
                      ...) G_GNUC_PRINTF (4, 5);

static void
add_case (GBytes     *request,
          guint       status,
          const char *code,
          const char *format,
          ...)
{
  Case *c = g_new0 (Case, 1);
  va_list ap;

  va_start (ap, format);
  c->name = g_strdup_vprintf (format, ap);
  va_end (ap);
  c->request = request;
  c->status = status;
  c->code = code;

  for (guint i = 0; i < env.cases->len; i++)
    g_assert_cmpstr (((Case *) g_ptr_array_index (env.cases, i))->name, !=, c->name);
  g_ptr_array_add (env.cases, c);
}

static void
add_post (const char *name,
          const char *body,
          gssize      len,
          guint       status,
          const char *code)
{
  add_case (make_request ("POST", "/v1/tx", NULL, (const guint8 *) body, len), status, code,
            "%s", name);
}

static void
add_post_take (const char *name,
               char       *body,
               guint       status,
               const char *code)
{
  add_post (name, body, -1, status, code);
  g_free (body);
}

/* An envelope of @payload_type over @payload, its PAE signed by @key with
 * @sign_type (NULL: @payload_type), written as the node's writer would. */
static char *
make_envelope (const char   *payload_type,
               const char   *sign_type,
               const guint8 *payload,
               gsize         payload_len,
               CwSigningKey *key)
{
  g_autoptr(GBytes) pae = cw_dsse_pae (sign_type != NULL ? sign_type : payload_type,
                                       payload, payload_len);
  g_autofree char *payload_b64 = cw_base64_encode (payload, payload_len);
  g_autofree char *keyid = cw_dsse_key_id (cw_signing_key_get_public_key (key));
  g_autofree char *sig_b64 = NULL;
  guint8 sig[CW_SIGNATURE_SIZE];

  cw_signing_key_sign (key, g_bytes_get_data (pae, NULL), g_bytes_get_size (pae), sig);
  sig_b64 = cw_base64_encode (sig, sizeof sig);

  return g_strdup_printf ("{\"payload\":\"%s\",\"payloadType\":\"%s\",\"signatures\":"
                          "[{\"keyid\":\"%s\",\"sig\":\"%s\"}]}",
                          payload_b64, payload_type, keyid, sig_b64);
}

static char *
sign_tx (CwTx         *tx,
         CwSigningKey *key)
{
  g_autoptr(GBytes) payload = cw_tx_to_payload (tx);

  return make_envelope (ENVELOPE_TYPE, NULL, g_bytes_get_data (payload, NULL),
                        g_bytes_get_size (payload), key);
}

/* @text with the first @old replaced by @new; @old must occur. */
static char *
replace_once (const char *text,
              const char *old,
              const char *new)
{
  const char *at = strstr (text, old);
  GString *out;

  g_assert_nonnull (at);
  out = g_string_new_len (text, at - text);
  g_string_append (out, new);
  g_string_append (out, at + strlen (old));

  return g_string_free (out, FALSE);
}

/* @text with the string value of member @key replaced by @value. */
static char *
replace_value (const char *text,
               const char *key,
               const char *value)
{
  g_autofree char *member = g_strdup_printf ("\"%s\":\"", key);
  const char *at = strstr (text, member);
  const char *end;
  GString *out;

  g_assert_nonnull (at);
  at += strlen (member);
  end = strchr (at, '"');
  out = g_string_new_len (text, at - text);
  g_string_append (out, value);
  g_string_append (out, end);

  return g_string_free (out, FALSE);
}

static GDateTime *
now_plus (GTimeSpan span)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) whole = g_date_time_new_from_unix_utc (g_date_time_to_unix (now));

  return g_date_time_add (whole, span);
}

/* The patient's next grant, valid but never sent. */
static CwTx *
next_grant (CwScopes scopes)
{
  return tx_make_grant (env.patient, "gp-one", scopes, CW_PURPOSE_TREAT);
}

static char *
next_grant_payload (CwScopes scopes)
{
  g_autoptr(CwTx) tx = next_grant (scopes);
  g_autoptr(GBytes) payload = cw_tx_to_payload (tx);

  return g_strndup (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
}

/* Case tables ------------------------------------------------------------ */

/* Bodies that are not a DSSE envelope at all. */
static void
add_structural_cases (void)
{
  static const struct {
    const char *name;
    const char *body;
  } cases[] = {
    { "json/null", "null" },
    { "json/true", "true" },
    { "json/number", "42" },
    { "json/string", "\"envelope\"" },
    { "json/array", "[]" },
    { "json/empty-object", "{}" },
    { "json/open-brace", "{" },
    { "json/truncated", "{\"payloadType\":" },
    { "json/unterminated-string", "{\"payload\":\"abc" },
    { "json/single-quotes", "{'payload':'e30=','payloadType':'x','signatures':[]}" },
    { "json/comment", "/* hi */ {}" },
    { "json/trailing-comma", "{\"payload\":\"e30=\",}" },
    { "json/bare-word", "envelope" },
    { "json/two-objects", "{}{}" },
    { "json/whitespace-only", " \r\n\t " },
    { "json/nan", "{\"payload\":NaN}" },
    { "json/hex-number", "{\"payload\":0x10}" },
    { "json/unquoted-key", "{payload:\"e30=\"}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    add_post (cases[i].name, cases[i].body, -1, 400, "malformed_envelope");

  add_post ("json/empty-body", "", 0, 400, "malformed_envelope");
  add_post ("json/nul-byte", "{\"payload\":\"e30=\"\0}", 17, 400, "malformed_envelope");
  add_post ("json/invalid-utf8", "{\"payloadType\":\"\xff\xfe\"}", -1, 400, "malformed_envelope");
  add_post ("json/utf8-bom", "\xef\xbb\xbf{}", -1, 400, "malformed_envelope");
}

/* A signed, valid envelope broken at the envelope level. */
static void
add_envelope_cases (void)
{
  g_autoptr(CwTx) tx = next_grant (CW_SCOPE_SUMMARY);
  g_autofree char *good = sign_tx (tx, env.patient->key);
  g_autofree char *keyid = cw_dsse_key_id (cw_signing_key_get_public_key (env.patient->key));
  g_autofree char *sig_member = NULL;
  g_autofree char *payload_member = NULL;
  const char *at;
  static const struct {
    const char *name;
    const char *old;
    const char *new;
  } edits[] = {
    { "envelope/unknown-member", "]}", "],\"extra\":1}" },
    { "envelope/payload-type-number", "\"payloadType\":\"" ENVELOPE_TYPE "\"",
      "\"payloadType\":7" },
    { "envelope/payload-type-null", "\"payloadType\":\"" ENVELOPE_TYPE "\"",
      "\"payloadType\":null" },
    { "envelope/payload-type-unknown", ENVELOPE_TYPE, "application/json" },
    { "envelope/payload-type-case", ENVELOPE_TYPE, "application/vnd.consentwallet.TX+json" },
    { "envelope/payload-type-suffix", ENVELOPE_TYPE, ENVELOPE_TYPE "; charset=utf-8" },
    { "envelope/payload-type-nul", ENVELOPE_TYPE, ENVELOPE_TYPE "\\u0000" },
    { "envelope/missing-payload-type", "\"payloadType\":\"" ENVELOPE_TYPE "\",", "" },
    { "envelope/signature-extra-member", "\"sig\":", "\"alg\":\"ed25519\",\"sig\":" },
  };
  static const struct {
    const char *name;
    const char *signatures;   /* @K: the key ID, @S: the signature */
  } signature_lists[] = {
    { "envelope/signatures-empty", "[]" },
    { "envelope/signatures-null", "null" },
    { "envelope/signatures-object", "{\"keyid\":\"@K\",\"sig\":\"@S\"}" },
    { "envelope/signature-not-object", "[\"@K\",\"@S\"]" },
    { "envelope/signature-nested-array", "[[{\"keyid\":\"@K\",\"sig\":\"@S\"}]]" },
    { "envelope/signature-null-entry", "[{\"keyid\":\"@K\",\"sig\":\"@S\"},null]" },
    { "envelope/keyid-number", "[{\"keyid\":1,\"sig\":\"@S\"}]" },
    { "envelope/sig-number", "[{\"keyid\":\"@K\",\"sig\":1}]" },
    { "envelope/sig-array", "[{\"keyid\":\"@K\",\"sig\":[\"@S\"]}]" },
    { "envelope/keyid-null", "[{\"keyid\":null,\"sig\":\"@S\"}]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autofree char *body = replace_once (good, edits[i].old, edits[i].new);

      add_post (edits[i].name, body, -1, 400, "malformed_envelope");
    }

  /* Duplicates, missing members and broken base64, built from the parts. */
  at = strstr (good, "\"payload\":\"");
  payload_member = g_strndup (at, strchr (at + 11, '"') + 1 - at);
  at = strstr (good, "\"sig\":\"");
  sig_member = g_strndup (at, strchr (at + 7, '"') + 1 - at);

  for (guint i = 0; i < G_N_ELEMENTS (signature_lists); i++)
    {
      g_autofree char *sig = g_strndup (sig_member + 7, strlen (sig_member) - 8);
      g_autoptr(GString) list = g_string_new (signature_lists[i].signatures);

      g_string_replace (list, "@K", keyid, 0);
      g_string_replace (list, "@S", sig, 0);
      add_post_take (signature_lists[i].name,
                     g_strdup_printf ("{%s,\"payloadType\":\"%s\",\"signatures\":%s}",
                                      payload_member, ENVELOPE_TYPE, list->str),
                     400, "malformed_envelope");
    }

  {
    g_autofree char *dup = g_strdup_printf ("{%s,%s", payload_member, good + 1);
    g_autofree char *missing = replace_once (good, payload_member, "\"p\":\"\"");
    g_autofree char *no_sigs = g_strdup_printf ("{%s,\"payloadType\":\"%s\"}", payload_member,
                                                ENVELOPE_TYPE);
    g_autofree char *no_keyid = replace_once (good, "\"keyid\":\"", "\"kid\":\"");
    g_autofree char *no_sig = replace_once (good, sig_member, "\"s\":\"\"");
    g_autofree char *keyid_upper = NULL;
    g_autofree char *keyid_short = NULL;
    g_autofree char *upper = g_ascii_strup (keyid, -1);

    add_post ("envelope/duplicate-payload", dup, -1, 400, "malformed_envelope");
    add_post ("envelope/missing-payload", missing, -1, 400, "malformed_envelope");
    add_post ("envelope/missing-signatures", no_sigs, -1, 400, "malformed_envelope");
    add_post ("envelope/missing-keyid", no_keyid, -1, 400, "malformed_envelope");
    add_post ("envelope/missing-sig", no_sig, -1, 400, "malformed_envelope");
    add_post_take ("envelope/trailing-garbage", g_strconcat (good, "x", NULL), 400,
                   "malformed_envelope");
    add_post_take ("envelope/two-envelopes", g_strconcat (good, good, NULL), 400,
                   "malformed_envelope");
    add_post_take ("envelope/wrapped-in-array", g_strdup_printf ("[%s]", good), 400,
                   "malformed_envelope");

    /* A key ID in another spelling names no key. */
    keyid_upper = replace_once (good, keyid, upper);
    add_post ("envelope/keyid-upper-case", keyid_upper, -1, 400, "malformed_envelope");
    keyid_short = replace_once (good, keyid, "abcd");
    add_post ("envelope/keyid-short", keyid_short, -1, 400, "malformed_envelope");
  }

  /* Base64 that is not canonical, in the payload and in the signature. */
  {
    const char *payload_b64 = payload_member + 11;
    gsize payload_len = strlen (payload_b64) - 1;
    const char *sig_b64 = sig_member + 7;
    g_autofree char *payload_value = g_strndup (payload_b64, payload_len);
    g_autofree char *sig_value = g_strndup (sig_b64, strlen (sig_b64) - 1);
    g_autofree char *bad_char = g_strdup (payload_value);
    g_autofree char *with_newline = g_strdup_printf ("%.8s\\n%s", payload_value, payload_value + 8);
    g_autofree char *url_safe = g_strdup (payload_value);
    g_autofree char *sig_bits = g_strdup (sig_value);
    g_autofree char *sig_short = NULL;
    g_autofree char *sig_long = NULL;
    guint8 zero[CW_SIGNATURE_SIZE + 1] = { 0 };
    g_autofree char *b64_63 = cw_base64_encode (zero, CW_SIGNATURE_SIZE - 1);
    g_autofree char *b64_65 = cw_base64_encode (zero, CW_SIGNATURE_SIZE + 1);
    char *padding;

    bad_char[4] = '*';
    add_post_take ("base64/payload-bad-character", replace_once (good, payload_value, bad_char),
                   400, "malformed_envelope");
    add_post_take ("base64/payload-escaped-newline", replace_once (good, payload_value, with_newline), 400, "malformed_envelope");
    url_safe[0] = '-';
    url_safe[1] = '_';
    add_post_take ("base64/payload-url-safe", replace_once (good, payload_value, url_safe), 400, "malformed_envelope");
    padding = strchr (payload_value, '=');
    if (padding != NULL)
      {
        g_autofree char *unpadded = g_strndup (payload_value, padding - payload_value);

        add_post_take ("base64/payload-unpadded", replace_once (good, payload_value, unpadded),
                   400, "malformed_envelope");
      }
    else
      {
        g_autofree char *cut = g_strndup (payload_value, payload_len - 1);

        add_post_take ("base64/payload-truncated", replace_once (good, payload_value, cut),
                   400, "malformed_envelope");
      }
    /* Empty is valid base64 of an empty payload, which is no transaction. */
    add_post_take ("base64/payload-empty", replace_once (good, payload_value, ""), 400,
                   "invalid_transaction");
    add_post_take ("base64/payload-padding-only", replace_once (good, payload_value, "===="),
                   400, "malformed_envelope");

    /* 64 bytes end in "==" after a character whose low 4 bits are unused. */
    g_assert_true (g_str_has_suffix (sig_bits, "=="));
    {
      static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      char *last = sig_bits + strlen (sig_bits) - 3;

      *last = alphabet[(strchr (alphabet, *last) - alphabet) | 1];
    }
    add_post_take ("base64/sig-nonzero-trailing-bits", replace_once (good, sig_value, sig_bits),
                   400, "malformed_envelope");
    add_post_take ("base64/sig-bad-character", replace_once (good, sig_value, "!!!!"), 400, "malformed_envelope");
    sig_short = replace_once (good, sig_value, b64_63);
    add_post ("base64/sig-63-bytes", sig_short, -1, 400, "malformed_envelope");
    sig_long = replace_once (good, sig_value, b64_65);
    add_post ("base64/sig-65-bytes", sig_long, -1, 400, "malformed_envelope");
  }

  /* Signature counts. */
  {
    g_autofree char *prefix = g_strndup (good, strchr (good, '[') + 1 - good);
    g_autofree char *one = g_strdup (strchr (good, '[') + 1);
    g_autoptr(GString) list = g_string_new (NULL);

    one[strlen (one) - 2] = '\0';   /* the signature object alone */
    g_string_append (list, one);
    for (guint i = 1; i < 5; i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(CwSigningKey) other = cw_signing_key_generate ("other", CW_KEY_TYPE_ED25519,
                                                                 &error);
        g_autofree char *other_id = NULL;
        g_autofree char *other_one = NULL;

        g_assert_no_error (error);
        other_id = cw_dsse_key_id (cw_signing_key_get_public_key (other));
        other_one = replace_once (one, keyid, other_id);
        g_string_append_printf (list, ",%s", other_one);
      }
    /* The signature cap is one of the envelope's size limits. */
    add_post_take ("envelope/five-signatures", g_strdup_printf ("%s%s]}", prefix, list->str),
                   413, "payload_too_large");
    add_post_take ("envelope/same-keyid-twice", g_strdup_printf ("%s%s,%s]}", prefix, one, one),
                   400, "malformed_envelope");
  }

  /* Sizes, nesting and long strings. */
  {
    g_autoptr(GString) deep = g_string_new ("{\"payload\":");
    char *filler = g_strnfill (30000, 'a');
    char *spaces = g_strnfill (CW_DSSE_MAX_ENVELOPE_SIZE, ' ');

    for (guint i = 0; i < 15000; i++)
      g_string_append_c (deep, '[');
    for (guint i = 0; i < 15000; i++)
      g_string_append_c (deep, ']');
    g_string_append_c (deep, '}');
    add_post ("nesting/15000-arrays", deep->str, -1, 400, "malformed_envelope");

    g_string_assign (deep, "");
    for (guint i = 0; i < 5000; i++)
      g_string_append (deep, "{\"a\":");
    g_string_append (deep, "1");
    for (guint i = 0; i < 5000; i++)
      g_string_append_c (deep, '}');
    add_post ("nesting/5000-objects", deep->str, -1, 400, "malformed_envelope");

    add_post_take ("size/huge-payload-type", replace_once (good, ENVELOPE_TYPE, filler), 400,
                   "malformed_envelope");
    add_post_take ("size/huge-member-name", g_strdup_printf ("{\"%s\":1,%s", filler, good + 1),
                   400, "malformed_envelope");
    /* A valid envelope in white space, over 32 KiB but under the body cap. */
    add_post_take ("size/envelope-over-32k", g_strconcat (spaces, good, "\n\n\n", NULL), 413,
                   "payload_too_large");
    g_free (filler);
    g_free (spaces);
  }

  /* A payload over 16 KiB, signed. */
  {
    char *big = g_strnfill (17000, 'x');
    add_post_take ("size/payload-over-16k",
                   make_envelope (ENVELOPE_TYPE, NULL, (const guint8 *) big, strlen (big),
                                  env.patient->key),
                   413, "payload_too_large");
    g_free (big);
  }

  /* Bodies over the node's cap: declared, sent, and chunked. */
  {
    char *big = g_strnfill (MAX_BODY + 1, ' ');
    GString *chunked = g_string_new (NULL);

    add_post ("size/body-over-cap", big, -1, 413, "payload_too_large");
    {
      /* Sent in full: the node reads it to answer, and must not keep it. */
      char *huge = g_strnfill (16 * 1024 * 1024, ' ');

      add_post ("size/body-16-mib", huge, -1, 413, "payload_too_large");
      g_free (huge);
    }
    g_string_append_printf (chunked, "POST /v1/tx HTTP/1.1\r\nHost: %s:%u\r\n"
                                     "Connection: close\r\nContent-Type: application/json\r\n"
                                     "Transfer-Encoding: chunked\r\n\r\n",
                            env.authority, env.port);
    for (guint i = 0; i < 5; i++)
      {
        g_string_append_printf (chunked, "%x\r\n", 16384);
        g_string_append_len (chunked, big, 16384);
        g_string_append (chunked, "\r\n");
      }
    g_string_append (chunked, "0\r\n\r\n");
    add_case (g_string_free_to_bytes (chunked), 413, "payload_too_large", "size/chunked-over-cap");
    g_free (big);
  }
}

/* Signed by the patient's key, but the payload is not canonical or breaks
 * a value rule. */
static void
add_payload_cases (void)
{
  g_autofree char *base = next_grant_payload (CW_SCOPE_SUMMARY | CW_SCOPE_ALLERGIES);
  g_autofree char *time_value = NULL;
  const char *at;
  static const struct {
    const char *name;
    const char *old;
    const char *new;
  } edits[] = {
    { "canonical/space-after-colon", "\"v\":1}", "\"v\": 1}" },
    { "canonical/space-after-comma", ",\"v\":1}", ", \"v\":1}" },
    { "canonical/leading-space", "{\"access\"", " {\"access\"" },
    { "canonical/trailing-newline", "\"v\":1}", "\"v\":1}\n" },
    { "canonical/pretty-printed", "{\"access\"", "{\n  \"access\"" },
    { "canonical/unsorted-keys", "{\"access\":[\"view\"],\"expires\"",
      "{\"expires\"" },
    { "canonical/float", "\"v\":1}", "\"v\":1.0}" },
    { "canonical/exponent", "\"v\":1}", "\"v\":1e0}" },
    { "canonical/leading-zero", "\"seq\":2", "\"seq\":02" },
    { "canonical/plus-sign", "\"seq\":2", "\"seq\":+2" },
    { "canonical/escaped-letter", "\"type\":\"grant\"", "\"type\":\"gr\\u0061nt\"" },
    { "canonical/escaped-slash", "\"purpose\":\"TREAT\"", "\"purpose\":\"TREAT\\/\"" },
    { "canonical/upper-case-escape", "\"purpose\":\"TREAT\"", "\"purpose\":\"TRE\\u001FAT\"" },
    { "canonical/duplicate-key", "\"v\":1}", "\"v\":1,\"v\":1}" },
    { "canonical/trailing-garbage", "\"v\":1}", "\"v\":1}x" },
    { "canonical/lone-surrogate", "\"purpose\":\"TREAT\"", "\"purpose\":\"\\ud800\"" },
    { "utf8/invalid-byte", "\"purpose\":\"TREAT\"", "\"purpose\":\"TR\xff" "EAT\"" },
    { "utf8/overlong", "\"purpose\":\"TREAT\"", "\"purpose\":\"TR\xc1\x85" "AT\"" },
    { "utf8/raw-control", "\"purpose\":\"TREAT\"", "\"purpose\":\"TR\x01" "EAT\"" },
    { "utf8/encoded-surrogate", "\"purpose\":\"TREAT\"", "\"purpose\":\"\xed\xa0\x80\"" },
    { "value/version-2", "\"v\":1}", "\"v\":2}" },
    { "value/version-string", "\"v\":1}", "\"v\":\"1\"}" },
    { "value/version-true", "\"v\":1}", "\"v\":true}" },
    { "value/unknown-type", "\"type\":\"grant\"", "\"type\":\"grunt\"" },
    { "value/type-number", "\"type\":\"grant\"", "\"type\":3" },
    { "value/seq-string", "\"seq\":2", "\"seq\":\"2\"" },
    { "value/seq-negative", "\"seq\":2", "\"seq\":-2" },
    { "value/seq-too-large", "\"seq\":2", "\"seq\":9007199254740993" },
    { "value/missing-purpose", "\"purpose\":\"TREAT\",", "" },
    { "value/unknown-field", "\"v\":1}", "\"v\":1,\"zzz\":1}" },
    { "value/null-field", "\"purpose\":\"TREAT\"", "\"purpose\":null" },
    { "value/unknown-purpose", "\"purpose\":\"TREAT\"", "\"purpose\":\"PLAY\"" },
    { "value/unknown-scope", "\"scopes\":[\"allergies\",\"summary\"]",
      "\"scopes\":[\"allergies\",\"everything\"]" },
    { "value/unsorted-scopes", "\"scopes\":[\"allergies\",\"summary\"]",
      "\"scopes\":[\"summary\",\"allergies\"]" },
    { "value/repeated-scope", "\"scopes\":[\"allergies\",\"summary\"]",
      "\"scopes\":[\"allergies\",\"allergies\"]" },
    { "value/no-scopes", "\"scopes\":[\"allergies\",\"summary\"]", "\"scopes\":[]" },
    { "value/scopes-string", "\"scopes\":[\"allergies\",\"summary\"]", "\"scopes\":\"summary\"" },
    { "value/no-access", "\"access\":[\"view\"]", "\"access\":[]" },
    { "value/unknown-access", "\"access\":[\"view\"]", "\"access\":[\"edit\"]" },
    { "value/provider-upper-case", "\"provider\":\"gp-one\"", "\"provider\":\"GP-ONE\"" },
    { "value/provider-trailing-dash", "\"provider\":\"gp-one\"", "\"provider\":\"gp-one-\"" },
    { "value/provider-empty", "\"provider\":\"gp-one\"", "\"provider\":\"\"" },
    { "value/data-from-after-to", "\"expires\":",
      "\"data_from\":\"2025-02-01\",\"data_to\":\"2025-01-01\",\"expires\":" },
    { "value/bad-date", "\"expires\":", "\"data_from\":\"2025-13-01\",\"expires\":" },
    { "value/seq-on-enroll-type", "\"type\":\"grant\"", "\"type\":\"enroll\"" },
    { "value/request-bad-id", "\"scopes\":", "\"request\":\"AAAA\",\"scopes\":" },
  };
  /* One string member's value replaced. */
  static const struct {
    const char *name;
    const char *key;
    const char *value;
  } values[] = {
    { "value/expires-before-time", "expires", "2000-01-01T00:00:00Z" },
    { "value/expires-not-a-time", "expires", "tomorrow" },
    { "value/expires-year-zero", "expires", "0000-01-01T00:00:00Z" },
    { "value/expires-feb-30", "expires", "2099-02-30T00:00:00Z" },
    { "value/expires-leap-second", "expires", "2099-12-31T23:59:60Z" },
    { "value/prev-bad-base64", "prev", "!!!!" },
    { "value/prev-short", "prev", "AAAA" },
    { "value/prev-empty", "prev", "" },
    { "value/patient-short", "patient", "AAAA" },
    { "value/patient-url-safe", "patient", "-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_8=" },
    { "value/nonce-short", "nonce", "AAAAAAAAAAAAAAAAAAAA" },
    { "value/nonce-long", "nonce", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
  };

  /* The time value, to break its format. */
  at = strstr (base, "\"time\":\"");
  g_assert_nonnull (at);
  time_value = g_strndup (at + 8, 20);

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autofree char *payload = replace_once (base, edits[i].old, edits[i].new);

      add_post_take (edits[i].name, make_envelope (ENVELOPE_TYPE, NULL, (const guint8 *) payload,
                                                   strlen (payload), env.patient->key),
                     400, "invalid_transaction");
    }

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *payload = replace_value (base, values[i].key, values[i].value);

      add_post_take (values[i].name, make_envelope (ENVELOPE_TYPE, NULL, (const guint8 *) payload,
                                                    strlen (payload), env.patient->key),
                     400, "invalid_transaction");
    }

  {
    static const char *bad_times[] = { "space", "fraction", "offset", "lower-case", "no-seconds" };
    g_autofree char *space = g_strdup (time_value);
    g_autofree char *fraction = g_strdup_printf ("%.19s.5Z", time_value);
    g_autofree char *offset = g_strdup_printf ("%.19s+00:00", time_value);
    g_autofree char *lower = g_ascii_strdown (time_value, -1);
    g_autofree char *no_seconds = g_strdup_printf ("%.16sZ", time_value);
    const char *time_values[] = { space, fraction, offset, lower, no_seconds };

    space[10] = ' ';
    for (guint i = 0; i < G_N_ELEMENTS (time_values); i++)
      {
        g_autofree char *payload = replace_once (base, time_value, time_values[i]);
        g_autofree char *body = make_envelope (ENVELOPE_TYPE, NULL, (const guint8 *) payload,
                                               strlen (payload), env.patient->key);
        g_autofree char *name = g_strdup_printf ("value/time-%s", bad_times[i]);

        add_post (name, body, -1, 400, "invalid_transaction");
      }
  }

  /* Payloads that are not a JSON object, and a NUL inside one. */
  {
    static const char *not_objects[] = { "hello", "[1]", "\"grant\"", "{}", "" };

    for (guint i = 0; i < G_N_ELEMENTS (not_objects); i++)
      {
        g_autofree char *body = make_envelope (ENVELOPE_TYPE, NULL,
                                               (const guint8 *) not_objects[i],
                                               strlen (not_objects[i]), env.patient->key);
        g_autofree char *name = g_strdup_printf ("value/payload-not-object-%u", i);

        add_post (name, body, -1, 400, "invalid_transaction");
      }
  }
  {
    g_autofree char *payload = replace_once (base, "\"TREAT\"", "\"TR@AT\"");
    g_autofree char *body = NULL;

    *strchr (payload, '@') = '\0';
    body = make_envelope (ENVELOPE_TYPE, NULL, (const guint8 *) payload, strlen (base),
                          env.patient->key);
    add_post ("utf8/nul-in-payload", body, -1, 400, "invalid_transaction");
  }
  {
    g_autoptr(GString) nested = g_string_new (NULL);
    g_autofree char *payload = NULL;
    g_autofree char *body = NULL;

    for (guint i = 0; i < 17; i++)
      g_string_append_c (nested, '[');
    for (guint i = 0; i < 17; i++)
      g_string_append_c (nested, ']');
    g_string_prepend (nested, "\"v\":1,\"zz\":");
    g_string_append_c (nested, '}');
    payload = replace_once (base, "\"v\":1}", nested->str);
    body = make_envelope (ENVELOPE_TYPE, NULL, (const guint8 *) payload, strlen (payload),
                          env.patient->key);
    add_post ("nesting/payload-17-levels", body, -1, 400, "invalid_transaction");
  }
  {
    char *long_value = g_strnfill (15000, 'a');
    g_autofree char *field = g_strdup_printf ("\"purpose\":\"%s\"", long_value);
    g_autofree char *payload = replace_once (base, "\"purpose\":\"TREAT\"", field);
    g_autofree char *body = make_envelope (ENVELOPE_TYPE, NULL, (const guint8 *) payload,
                                           strlen (payload), env.patient->key);

    add_post ("size/payload-huge-string", body, -1, 400, "invalid_transaction");
    g_free (long_value);
  }
}

/* Signatures that do not count. */
static void
add_signature_cases (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSigningKey) other = cw_signing_key_generate ("other", CW_KEY_TYPE_ED25519, &error);
  g_autoptr(CwTx) tx = next_grant (CW_SCOPE_SUMMARY);
  g_autoptr(GBytes) payload = cw_tx_to_payload (tx);
  const guint8 *data = g_bytes_get_data (payload, NULL);
  gsize len = g_bytes_get_size (payload);
  g_autofree char *good = sign_tx (tx, env.patient->key);
  g_autofree char *keyid = cw_dsse_key_id (cw_signing_key_get_public_key (env.patient->key));
  g_autofree char *other_id = NULL;

  g_assert_no_error (error);
  other_id = cw_dsse_key_id (cw_signing_key_get_public_key (other));

  add_post_take ("signature/other-key", make_envelope (ENVELOPE_TYPE, NULL, data, len, other), 403, "bad_signature");
  add_post_take ("signature/provider-key", make_envelope (ENVELOPE_TYPE, NULL, data, len,
                                                     env.node.gp_key), 403, "bad_signature");
  add_post_take ("signature/recovery-key", make_envelope (ENVELOPE_TYPE, NULL, data, len,
                                                     env.patient->recovery), 403, "bad_signature");
  add_post_take ("signature/other-payload-type-in-pae", make_envelope (ENVELOPE_TYPE, "application/json", data, len, env.patient->key), 403, "bad_signature");
  {
    g_autofree char *env_other = make_envelope (ENVELOPE_TYPE, NULL, data, len, other);

    add_post_take ("signature/patient-keyid-other-sig", replace_once (env_other, other_id, keyid), 403, "bad_signature");
  }
  {
    char *flipped = g_strdup (good);
    char *sig = strstr (flipped, "\"sig\":\"") + 7;

    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    add_post_take ("signature/flipped-bit", flipped, 403, "bad_signature");
  }
  {
    guint8 zero[CW_SIGNATURE_SIZE] = { 0 };
    g_autofree char *zeros = cw_base64_encode (zero, sizeof zero);
    const char *sig = strstr (good, "\"sig\":\"") + 7;
    g_autofree char *value = g_strndup (sig, strchr (sig, '"') - sig);

    add_post_take ("signature/all-zero", replace_once (good, value, zeros), 403, "bad_signature");
  }
  {
    /* Signed over a different payload than the one sent. */
    g_autoptr(CwTx) twin = next_grant (CW_SCOPE_SUMMARY);
    g_autofree char *twin_env = sign_tx (twin, env.patient->key);
    const char *sig = strstr (twin_env, "\"sig\":\"") + 7;
    const char *good_sig = strstr (good, "\"sig\":\"") + 7;
    g_autofree char *twin_value = g_strndup (sig, strchr (sig, '"') - sig);
    g_autofree char *good_value = g_strndup (good_sig, strchr (good_sig, '"') - good_sig);

    add_post_take ("signature/from-another-payload", replace_once (good, good_value, twin_value), 403, "bad_signature");
  }
  {
    g_autoptr(CwTx) request = NULL;
    g_autoptr(GDateTime) expires = now_plus (G_TIME_SPAN_DAY);
    CwTxCommon common = { env.patient->id, 0, NULL, NULL, NULL };

    request = cw_tx_new_request (&common, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT,
                                 CW_ACCESS_VIEW, expires, "Checkup", &error);
    g_assert_no_error (error);
    add_post_take ("signature/request-by-patient", sign_tx (request, env.patient->key), 403, "bad_signature");
    add_post_take ("signature/request-by-other-provider", sign_tx (request, env.node.lab_key), 403, "bad_signature");
  }
  {
    g_autoptr(TxPatient) newcomer = tx_patient_new ();
    g_autofree char *code = tx_node_invite (&env.node, "gp-one");
    g_autoptr(CwTx) enroll = tx_make_enroll (newcomer, code, "gp-one");

    add_post_take ("signature/enroll-by-other-key", sign_tx (enroll, other), 403, "bad_signature");
  }
}

/* Well-formed, well-signed transactions the rules refuse. */
static void
add_rule_cases (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) tomorrow = now_plus (G_TIME_SPAN_DAY);
  g_autoptr(GDateTime) two_days_ago = now_plus (-2 * G_TIME_SPAN_DAY);
  g_autoptr(GDateTime) yesterday = now_plus (-G_TIME_SPAN_DAY);
  g_autoptr(GDateTime) in_an_hour = now_plus (G_TIME_SPAN_HOUR);
  g_autoptr(GDateTime) in_two_days = now_plus (2 * G_TIME_SPAN_DAY);
  guint8 random_id[CW_TX_ID_SIZE];

  for (guint i = 0; i < sizeof random_id; i++)
    random_id[i] = (guint8) g_random_int ();

  {
    g_autoptr(CwTx) tx = tx_make_grant (env.stranger, "gp-one", CW_SCOPE_SUMMARY,
                                        CW_PURPOSE_TREAT);

    add_post_take ("rule/grant-unknown-patient", sign_tx (tx, env.stranger->key), 422, "unknown_patient");
  }
  {
    g_autoptr(CwTx) tx = tx_make_grant (env.patient, "nobody-here", CW_SCOPE_SUMMARY,
                                        CW_PURPOSE_TREAT);

    add_post_take ("rule/grant-unknown-provider", sign_tx (tx, env.patient->key), 422, "unknown_provider");
  }
  {
    CwTxCommon common = tx_patient_next (env.patient, two_days_ago);
    g_autoptr(CwTx) tx = cw_tx_new_grant (&common, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT,
                                          CW_ACCESS_VIEW, NULL, NULL, yesterday, NULL, &error);

    g_assert_no_error (error);
    add_post_take ("rule/grant-expired", sign_tx (tx, env.patient->key), 422, "expired");
  }
  {
    CwTxCommon common = tx_patient_next (env.patient, in_an_hour);
    g_autoptr(CwTx) tx = cw_tx_new_grant (&common, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT,
                                          CW_ACCESS_VIEW, NULL, NULL, in_two_days, NULL, &error);

    g_assert_no_error (error);
    add_post_take ("rule/time-in-future", sign_tx (tx, env.patient->key), 422, "time_in_future");
  }
  {
    CwTxCommon common = tx_patient_next (env.patient, NULL);
    g_autoptr(CwTx) tx = NULL;

    common.seq = 7;
    tx = cw_tx_new_grant (&common, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, CW_ACCESS_VIEW,
                          NULL, NULL, tomorrow, NULL, &error);
    g_assert_no_error (error);
    add_post_take ("rule/seq-gap", sign_tx (tx, env.patient->key), 409, "chain_conflict");
  }
  {
    CwTxCommon common = tx_patient_next (env.patient, NULL);
    g_autoptr(CwTx) tx = NULL;

    common.seq = 1;
    tx = cw_tx_new_grant (&common, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, CW_ACCESS_VIEW,
                          NULL, NULL, tomorrow, NULL, &error);
    g_assert_no_error (error);
    add_post_take ("rule/seq-replayed", sign_tx (tx, env.patient->key), 409, "chain_conflict");
  }
  {
    CwTxCommon common = tx_patient_next (env.patient, NULL);
    g_autoptr(CwTx) tx = NULL;

    common.prev = random_id;
    tx = cw_tx_new_grant (&common, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, CW_ACCESS_VIEW,
                          NULL, NULL, tomorrow, NULL, &error);
    g_assert_no_error (error);
    add_post_take ("rule/wrong-prev", sign_tx (tx, env.patient->key), 409, "chain_conflict");
  }
  {
    g_autofree char *code = tx_node_invite (&env.node, "gp-one");
    g_autoptr(CwTx) tx = tx_make_enroll (env.patient, code, "gp-one");

    add_post_take ("rule/enroll-twice", sign_tx (tx, env.patient->key), 409, "chain_conflict");
  }
  {
    g_autoptr(TxPatient) newcomer = tx_patient_new ();
    g_autoptr(CwTx) tx = tx_make_enroll (newcomer, "NOT-A-REAL-CODE", "gp-one");

    add_post_take ("rule/enroll-unknown-invite", sign_tx (tx, newcomer->key), 422, "invalid_invite");
  }
  {
    g_autoptr(TxPatient) newcomer = tx_patient_new ();
    g_autofree char *code = tx_node_invite (&env.node, "gp-one");
    g_autoptr(CwTx) tx = tx_make_enroll (newcomer, code, "lab-two");

    add_post_take ("rule/enroll-other-clinics-invite", sign_tx (tx, newcomer->key), 422, "invalid_invite");
  }
  {
    g_autoptr(TxPatient) newcomer = tx_patient_new ();
    g_autofree char *code = tx_node_invite (&env.node, "gp-one");
    g_autoptr(CwTx) tx = tx_make_enroll (newcomer, code, "nobody-here");

    /* The invite check comes first: this code is gp-one's. */
    add_post_take ("rule/enroll-unknown-clinic", sign_tx (tx, newcomer->key), 422,
                   "invalid_invite");
  }
  {
    CwTxCommon common = tx_patient_next (env.patient, NULL);
    g_autoptr(CwTx) tx = cw_tx_new_revoke (&common, random_id, &error);

    g_assert_no_error (error);
    add_post_take ("rule/revoke-unknown-grant", sign_tx (tx, env.patient->key), 422, "unknown_grant");
  }
  {
    CwTxCommon common = tx_patient_next (env.patient, NULL);
    g_autoptr(CwTx) tx = cw_tx_new_deny (&common, random_id, &error);

    g_assert_no_error (error);
    add_post_take ("rule/deny-unknown-request", sign_tx (tx, env.patient->key), 422, "unknown_request");
  }
  {
    CwTxCommon common = tx_patient_next (env.patient, NULL);
    g_autoptr(CwTx) tx = cw_tx_new_grant (&common, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT,
                                          CW_ACCESS_VIEW, NULL, NULL, tomorrow, random_id,
                                          &error);

    g_assert_no_error (error);
    add_post_take ("rule/grant-unknown-request", sign_tx (tx, env.patient->key), 422, "unknown_request");
  }
  {
    g_autoptr(TxPatient) other = tx_patient_new ();
    CwTxCommon other_common = { other->id, 1, random_id, NULL, NULL };
    g_autoptr(CwTx) foreign = cw_tx_new_revoke (&other_common, env.grant_id, &error);

    g_assert_no_error (error);
    add_post_take ("rule/revoke-by-stranger", sign_tx (foreign, other->key), 422, "unknown_patient");
  }
  {
    CwTxCommon common = tx_patient_next (env.patient, NULL);
    g_autoptr(CwTx) tx = cw_tx_new_rotate (&common, env.patient->id, NULL, &error);

    g_assert_no_error (error);
    add_post_take ("rule/rotate-to-same-key", sign_tx (tx, env.patient->key), 422, "invalid_key");
  }
  {
    CwTxCommon common = { env.patient->id, 0, NULL, two_days_ago, NULL };
    g_autoptr(CwTx) tx = cw_tx_new_request (&common, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT,
                                            CW_ACCESS_VIEW, yesterday, "Checkup", &error);

    g_assert_no_error (error);
    add_post_take ("rule/request-expired", sign_tx (tx, env.node.gp_key), 422, "expired");
  }
  {
    CwTxCommon common = { env.stranger->id, 0, NULL, NULL, NULL };
    g_autoptr(CwTx) tx = cw_tx_new_request (&common, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT,
                                            CW_ACCESS_VIEW, tomorrow, "Checkup", &error);

    g_assert_no_error (error);
    add_post_take ("rule/request-unknown-patient", sign_tx (tx, env.node.gp_key), 422, "unknown_patient");
  }
  {
    CwTxCommon common = { env.stranger->id, 0, NULL, NULL, NULL };
    g_autoptr(CwTx) tx = cw_tx_new_access (&common, "gp-one", env.grant_id, CW_SCOPE_SUMMARY,
                                           CW_PURPOSE_TREAT, &error);

    g_assert_no_error (error);
    add_post_take ("rule/access-unknown-patient", sign_tx (tx, env.node.gp_key), 422, "unknown_patient");
  }
  {
    CwTxCommon common = { env.patient->id, 0, NULL, NULL, NULL };
    g_autoptr(CwTx) tx = cw_tx_new_access (&common, "nobody-here", env.grant_id,
                                           CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, &error);

    g_assert_no_error (error);
    add_post_take ("rule/access-unknown-provider", sign_tx (tx, env.node.gp_key), 422, "unknown_provider");
  }
}

/* Requests that never reach a transaction. */
static void
add_http_cases (void)
{
  static const struct {
    const char *method;
    const char *target;
    guint status;
    const char *code;
  } cases[] = {
    /* Methods. */
    { "GET", "/v1/tx", 405, "method_not_allowed" },
    { "PUT", "/v1/tx", 405, "method_not_allowed" },
    { "DELETE", "/v1/tx", 405, "method_not_allowed" },
    { "OPTIONS", "/v1/tx", 405, "method_not_allowed" },
    { "POST", "/log/checkpoint", 405, "method_not_allowed" },
    { "DELETE", "/log/checkpoint", 405, "method_not_allowed" },
    { "PUT", "/log/tile/0/000.p/2", 405, "method_not_allowed" },
    { "POST", "/v1/log/proof/inclusion?index=0&size=1", 405, "method_not_allowed" },
    { "PATCH", "/v1/log/proof/consistency?old=1&new=2", 405, "method_not_allowed" },
    { "POST", "/v1/providers", 405, "method_not_allowed" },
    { "DELETE", "/v1/providers/gp-one", 405, "method_not_allowed" },
    { "BREW", "/log/checkpoint", 405, "method_not_allowed" },
    /* Paths. */
    { "GET", "/", 404, "not_found" },
    { "GET", "/v1", 404, "not_found" },
    { "GET", "/v1/", 404, "not_found" },
    { "GET", "/v2/tx", 404, "not_found" },
    { "GET", "/log", 404, "not_found" },
    { "GET", "/log/checkpoint/", 404, "not_found" },
    { "GET", "/log/checkpoint.txt", 404, "not_found" },
    { "GET", "/LOG/CHECKPOINT", 404, "not_found" },
    { "GET", "/log/checkpoint%00", 404, "not_found" },
    { "GET", "/log//checkpoint", 404, "not_found" },
    { "GET", "/log/tile/0/00", 404, "not_found" },
    { "GET", "/log/tile/0/0000", 404, "not_found" },
    { "GET", "/log/tile/0/x000/000", 404, "not_found" },
    { "GET", "/log/tile/0/x001", 404, "not_found" },
    { "GET", "/log/tile/0/001", 404, "not_found" },
    { "GET", "/log/tile/0/000", 404, "not_found" },
    { "GET", "/log/tile/0/000.p/0", 404, "not_found" },
    { "GET", "/log/tile/0/000.p/256", 404, "not_found" },
    { "GET", "/log/tile/0/000.p/02", 404, "not_found" },
    { "GET", "/log/tile/0/000.p/3", 404, "not_found" },
    { "GET", "/log/tile/0/000.p/", 404, "not_found" },
    { "GET", "/log/tile/0/000.p/-1", 404, "not_found" },
    { "GET", "/log/tile/0/000.p/2/", 404, "not_found" },
    { "GET", "/log/tile/0/000.q/2", 404, "not_found" },
    { "GET", "/log/tile/00/000.p/2", 404, "not_found" },
    { "GET", "/log/tile/1/000.p/1", 404, "not_found" },
    { "GET", "/log/tile/7/000.p/1", 404, "not_found" },
    { "GET", "/log/tile/8/000.p/1", 404, "not_found" },
    { "GET", "/log/tile/99/000", 404, "not_found" },
    { "GET", "/log/tile/4294967296/000", 404, "not_found" },
    { "GET", "/log/tile/18446744073709551616/000", 404, "not_found" },
    { "GET", "/log/tile/-1/000", 404, "not_found" },
    { "GET", "/log/tile/0/x999/x999/x999/x999/x999/x999/999", 404, "not_found" },
    { "GET", "/log/tile/0/x18446744073709551/615", 404, "not_found" },
    { "GET", "/log/tile/entries/000.p/0", 404, "not_found" },
    { "GET", "/log/tile/entries/000.p/3", 404, "not_found" },
    { "GET", "/log/tile/entries/001", 404, "not_found" },
    { "GET", "/log/tile/entries/x001/000", 404, "not_found" },
    { "GET", "/log/tile/entries/", 404, "not_found" },
    { "GET", "/log/tile/data/000.p/2", 404, "not_found" },
    { "GET", "/log/tile/8/0/000.p/2", 404, "not_found" },
    { "GET", "/log/tile/", 404, "not_found" },
    { "GET", "/log/tile/0", 404, "not_found" },
    { "GET", "/log/tile/0/", 404, "not_found" },
    { "GET", "/v1/providers/NO-SUCH", 404, "provider_not_found" },
    { "GET", "/v1/providers/%00", 404, "provider_not_found" },
    { "GET", "/v1/providers/gp-one/", 404, "provider_not_found" },
    /* Proof queries. */
    { "GET", "/v1/log/proof/inclusion", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=0", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?size=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=&size=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=-1&size=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=%2B0&size=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=00&size=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=0x0&size=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=1e0&size=2", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=0.0&size=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=%200&size=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=0%00&size=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=0&size=1%00", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=18446744073709551616&size=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=0&size=1&extra=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=0&size=1&size=2", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=1&index=0&size=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?INDEX=0&size=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?old=1&new=2", 400, "invalid_query" },
    { "GET", "/v1/log/proof/inclusion?index=0&size=0", 400, "out_of_range" },
    { "GET", "/v1/log/proof/inclusion?index=2&size=2", 400, "out_of_range" },
    { "GET", "/v1/log/proof/inclusion?index=0&size=3", 400, "out_of_range" },
    { "GET", "/v1/log/proof/inclusion?index=0&size=18446744073709551615", 400, "out_of_range" },
    { "GET", "/v1/log/proof/inclusion?index=18446744073709551615&size=2", 400, "out_of_range" },
    { "GET", "/v1/log/proof/consistency", 400, "invalid_query" },
    { "GET", "/v1/log/proof/consistency?old=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/consistency?old=1&new=two", 400, "invalid_query" },
    { "GET", "/v1/log/proof/consistency?old=1&new=2&old=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/consistency?index=0&size=1", 400, "invalid_query" },
    { "GET", "/v1/log/proof/consistency?old=1;new=2", 400, "invalid_query" },
    { "GET", "/v1/log/proof/consistency?old=0&new=1", 400, "out_of_range" },
    { "GET", "/v1/log/proof/consistency?old=2&new=1", 400, "out_of_range" },
    { "GET", "/v1/log/proof/consistency?old=1&new=3", 400, "out_of_range" },
    { "GET", "/v1/log/proof/consistency?old=1&new=18446744073709551615", 400, "out_of_range" },
    /* Provider search queries. */
    { "GET", "/v1/providers?x=1", 400, "invalid_query" },
    { "GET", "/v1/providers?q=%00", 400, "invalid_query" },
    { "GET", "/v1/providers?q=%ff%fe", 400, "invalid_query" },
    { "GET", "/v1/providers?q=%07bell", 400, "invalid_query" },
    { "GET", "/v1/providers?q=a&q=b", 400, "invalid_query" },
    /* Authenticated reads without a signature. */
    { "GET", "/v1/patients/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/chain", 401,
      "unauthenticated" },
    { "GET", "/v1/patients/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/grants", 401,
      "unauthenticated" },
    { "GET", "/v1/tx/0000000000000000000000000000000000000000000000000000000000000000", 401,
      "unauthenticated" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* A test path has no empty element: "/" becomes ":" in the name. */
      g_autofree char *target = g_strdelimit (g_strdup (cases[i].target), "/", ':');

      add_case (make_request (cases[i].method, cases[i].target, NULL, NULL, 0), cases[i].status,
                cases[i].code, "http/%s%s", cases[i].method, target);
    }

  {
    char *long_q = g_strnfill (200, 'a');
    g_autofree char *target = g_strdup_printf ("/v1/providers?q=%s", long_q);
    char *long_path = g_strnfill (4000, 'a');
    g_autofree char *path_target = g_strdup_printf ("/log/tile/0/%s", long_path);

    add_case (make_request ("GET", target, NULL, NULL, 0), 400, "invalid_query",
              "http/provider-query-200-chars");
    add_case (make_request ("GET", path_target, NULL, NULL, 0), 404, "not_found",
              "http/tile-path-4000-chars");
    g_free (long_q);
    g_free (long_path);
  }
}

/* Header abuse that the node itself answers. */
static void
add_header_cases (void)
{
  g_autoptr(GString) many = g_string_new (NULL);
  g_autoptr(CwTx) tx = next_grant (CW_SCOPE_SUMMARY);
  g_autofree char *good = sign_tx (tx, env.patient->key);
  char *big = g_strnfill (16000, 'a');
  g_autofree char *big_header = g_strdup_printf ("X-Big: %s\r\n", big);

  for (guint i = 0; i < 500; i++)
    g_string_append_printf (many, "X-Header-%u: %u\r\n", i, i);

  add_case (make_request ("GET", "/v1/log/proof/inclusion?index=0&size=9", many->str, NULL, 0),
            400, "out_of_range", "header/500-headers");
  add_case (make_request ("GET", "/v1/log/proof/inclusion?index=0&size=9", big_header, NULL, 0),
            400, "out_of_range", "header/16k-header");
  add_case (make_request ("GET", "/v1/patients/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/chain",
                          "Signature-Input: sig1=(\r\nSignature: sig1=::\r\n", NULL, 0),
            401, "unauthenticated", "header/garbage-signature");
  add_case (make_request ("POST", "/v1/tx", "Content-Encoding: gzip\r\n",
                          (const guint8 *) "\x1f\x8b\x08\x00", 4), 400, "malformed_envelope",
            "header/gzip-body");
  add_case (make_request ("POST", "/v1/tx", "Expect: 100-continue\r\n"
                          "Content-Type: application/json\r\nContent-Length: 99999999\r\n",
                          NULL, 0), 413, "payload_too_large", "header/expect-continue-huge");
  {
    /* The body the node signs is the body, whatever Content-Type says. */
    g_autofree char *body = replace_once (good, "\"payloadType\"", "\"payloadTyp\"");
    g_autoptr(GString) request = g_string_new (NULL);

    g_string_append_printf (request, "POST /v1/tx HTTP/1.1\r\nHost: %s:%u\r\n"
                                     "Connection: close\r\nContent-Type: text/plain\r\n"
                                     "Content-Length: %zu\r\n\r\n%s",
                            env.authority, env.port, strlen (body), body);
    add_case (g_string_free_to_bytes (g_steal_pointer (&request)), 400, "malformed_envelope",
              "header/text-plain-body");
  }
  g_free (big);
}

/* Requests libsoup refuses before any handler of the node runs: it answers
 * 400 without a body, which is all HTTP allows for a request it cannot
 * even parse. */
static void
add_protocol_cases (void)
{
  static const struct {
    const char *name;
    const char *request;   /* %s:%u is the authority */
  } cases[] = {
    { "protocol/bad-percent-escape",
      "GET /v1/log/proof/inclusion?index=%%zz&size=1 HTTP/1.1\r\nHost: %s:%u\r\n"
      "Connection: close\r\n\r\n" },
    { "protocol/garbage-request-line", "GARBAGE\r\nHost: %s:%u\r\n\r\n" },
    { "protocol/no-http-version", "GET /log/checkpoint\r\nHost: %s:%u\r\n\r\n" },
    { "protocol/absolute-http-uri",
      "GET http://%s:%u/log/checkpoint HTTP/1.1\r\nConnection: close\r\n\r\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      char *request = g_strdup_printf (cases[i].request, env.authority, env.port);
#pragma GCC diagnostic pop

      add_case (g_bytes_new_take (request, strlen (request)), 400, NULL, "%s", cases[i].name);
    }

  /* Bytes libsoup lets through, which the node must refuse itself. */
  add_case (make_request ("GET", "/log/check\001point", NULL, NULL, 0), 404, "not_found",
            "protocol/control-character-in-path");
  /* A length libsoup would misread: the node drops the connection. */
  add_case (make_request ("POST", "/v1/tx", "Content-Length: -5\r\n", NULL, 0), 0, NULL,
            "protocol/negative-content-length");
  /* libsoup keeps one of two lengths; the body is no envelope either way. */
  add_case (make_request ("POST", "/v1/tx", "Content-Length: 5\r\nContent-Length: 6\r\n",
                          (const guint8 *) "{}", 2), 400, "malformed_envelope",
            "protocol/two-content-lengths");
  add_case (make_request ("POST", "/v1/tx", "Content-Length: 0x10\r\n", NULL, 0), 400, NULL,
            "protocol/hex-content-length");
  {
    char *huge = g_strnfill (100 * 1024, 'a');
    g_autofree char *header = g_strdup_printf ("X-Huge: %s\r\n", huge);
    g_autoptr(GString) many = g_string_new (NULL);

    for (guint i = 0; i < 20000; i++)
      g_string_append_printf (many, "X-%u: %u\r\n", i, i);
    /* Past libsoup's header limit the connection is dropped unanswered. */
    add_case (make_request ("GET", "/log/tile/0/999", header, NULL, 0), 0, NULL,
              "protocol/100k-header");
    add_case (make_request ("GET", "/log/tile/0/999", many->str, NULL, 0), 0, NULL,
              "protocol/20000-headers");
    g_free (huge);
  }
}

/* Running the cases ------------------------------------------------------ */

static GBytes *
get_checkpoint (void)
{
  g_autoptr(GBytes) request = make_request ("GET", "/log/checkpoint", NULL, NULL, 0);
  Answer answer;
  GBytes *body;

  exchange (request, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  body = g_bytes_ref (answer.body);
  answer_clear (&answer);

  return body;
}

/* Checks one answer; FALSE (with the reason logged) when it is not the
 * expected JSON error. */
static gboolean
answer_is_expected (const Case   *c,
                    const Answer *answer)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *error_object;
  const char *code;

  if (answer->status != c->status)
    {
      g_test_message ("status %u, expected %u", answer->status, c->status);
      return FALSE;
    }
  if (c->code == NULL)
    return TRUE;
  if (answer->content_type == NULL || !g_str_has_prefix (answer->content_type, "application/json"))
    {
      g_test_message ("content type %s", answer->content_type);
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (answer->body, NULL),
                                   g_bytes_get_size (answer->body), NULL))
    return FALSE;

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "error") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (root), "error")))
    return FALSE;

  error_object = json_object_get_object_member (json_node_get_object (root), "error");
  code = json_object_get_string_member_with_default (error_object, "code", NULL);
  if (g_strcmp0 (code, c->code) != 0)
    {
      g_test_message ("code %s, expected %s", code, c->code);
      return FALSE;
    }

  return json_object_get_string_member_with_default (error_object, "message", NULL) != NULL;
}

static void
run_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GBytes) after = NULL;
  Answer answer;

  exchange (c->request, &answer);
  g_test_message ("%s → %u %.*s", c->name, answer.status,
                  answer.body != NULL ? (int) MIN (g_bytes_get_size (answer.body), 300) : 0,
                  answer.body != NULL ? (const char *) g_bytes_get_data (answer.body, NULL) : "");
  if (!answer_is_expected (c, &answer))
    g_test_fail_printf ("%s: not the expected %u %s", c->name, c->status, c->code);
  answer_clear (&answer);

  /* Still serving, and nothing changed. */
  after = get_checkpoint ();
  if (!g_bytes_equal (after, env.checkpoint))
    {
      g_test_fail_printf ("%s changed the log", c->name);
      /* Later cases compare against what the log is now. */
      g_bytes_unref (env.checkpoint);
      env.checkpoint = g_bytes_ref (after);
    }
}

static void
setup_node (void)
{
  g_autofree char *code = NULL;
  g_autoptr(CwTx) enroll = NULL;
  g_autoptr(CwTx) grant = NULL;
  g_autoptr(JsonObject) receipt = NULL;
  g_autoptr(GError) error = NULL;
  const char *host;
  const char *colon;

  tx_node_setup (&env.node);
  tx_node_start (&env.node);

  host = env.node.server->url + strlen ("https://");
  colon = strrchr (host, ':');
  env.authority = g_strndup (host, colon - host);
  env.port = (guint16) g_ascii_strtoull (colon + 1, NULL, 10);
  env.pinned = g_tls_certificate_new_from_file (env.node.cert_path, &error);
  g_assert_no_error (error);

  env.patient = tx_patient_new ();
  env.stranger = tx_patient_new ();
  code = tx_node_invite (&env.node, "gp-one");
  enroll = tx_make_enroll (env.patient, code, "gp-one");
  g_clear_pointer (&receipt, json_object_unref);
  receipt = tx_submit_ok (&env.node, enroll, env.patient->key);
  tx_patient_advance (env.patient, enroll);

  grant = tx_make_grant (env.patient, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT);
  g_clear_pointer (&receipt, json_object_unref);
  receipt = tx_submit_ok (&env.node, grant, env.patient->key);
  tx_patient_advance (env.patient, grant);
  cw_tx_compute_id (grant, env.grant_id);

  env.checkpoint = get_checkpoint ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  env.cases = g_ptr_array_new_with_free_func ((GDestroyNotify) case_free);
  setup_node ();

  add_structural_cases ();
  add_envelope_cases ();
  add_payload_cases ();
  add_signature_cases ();
  add_rule_cases ();
  add_http_cases ();
  add_header_cases ();
  add_protocol_cases ();
  g_test_message ("%u bad requests", env.cases->len);
  g_assert_cmpuint (env.cases->len, >=, 100);

  for (guint i = 0; i < env.cases->len; i++)
    {
      Case *c = g_ptr_array_index (env.cases, i);
      g_autofree char *path = g_strdup_printf ("/node/bad-input/%s", c->name);

      g_test_add_data_func (path, c, run_case);
    }

  status = g_test_run ();

  tx_node_stop (&env.node);
  tx_node_teardown (&env.node);
  g_clear_pointer (&env.cases, g_ptr_array_unref);
  g_clear_pointer (&env.checkpoint, g_bytes_unref);
  g_clear_pointer (&env.patient, tx_patient_free);
  g_clear_pointer (&env.stranger, tx_patient_free);
  g_clear_object (&env.pinned);
  g_free (env.authority);

  return status;
}
