/* cw-node-server-witnesses.c: GET /v1/log/witnesses, the consortium's
 * newest witness set note as published by `consent-node witness-set
 * publish` (PROTOCOL.md §4 "Witness sets"). Wallets check it themselves.
 *
 * The note is read from its file on each request: publish replaces the
 * file by a rename, so every serving thread sees a whole note, old or new,
 * without any state shared between threads, and a publish takes effect at
 * once. A set is a few KiB and wallets ask once per sync. */
#include "config.h"

#include "cw-node-api-error.h"
#include "cw-node-server-private.h"
#include "cw-node-witness-set.h"

#define WITNESSES_PATH "/v1/log/witnesses"

gboolean
cw_node_server_handle_witness_set (CwNodeServer      *self,
                                   SoupServerMessage *msg,
                                   const char        *path)
{
  g_autofree char *file = NULL;
  g_autofree char *note = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  gsize len = 0;

  if (!g_str_equal (path, WITNESSES_PATH))
    return FALSE;
  if (!cw_node_server_check_read_method (msg))
    return TRUE;

  file = cw_node_witness_set_path (self->config);
  if (!g_file_get_contents (file, &note, &len, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        cw_node_api_error_respond (msg, CW_NODE_API_ERROR_NOT_FOUND,
                                   "This consortium has not rotated its witnesses");
      else
        cw_node_server_respond_internal_error (msg, "Reading the witness set", error);
      return TRUE;
    }

  headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&note), len);
  return TRUE;
}
