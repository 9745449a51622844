/* cw-node-results-listing.c: the strict parser of the node's list pages
 * (docs/PROTOCOL.md §8, cw_node_listing_parse()). A page holds up to 1000
 * items and ~1.5 MB; a json-glib tree of it, written back to text envelope
 * by envelope, cost more than everything else in a sync. So the page is
 * checked as strict JSON once (cw_canonical_json_check_document(): UTF-8,
 * no duplicate names, depth, no U+0000) and then walked with cw-json-reader.h, taking
 * each envelope's text as it stands; the rules on members, types, ranges,
 * base64 and counts are those of the other parsers in cw-node-results.c. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-canonical-json.h"
#include "cw-encoding.h"
#include "cw-json-reader.h"
#include "cw-merkle.h"
#include "cw-node-results.h"

/* Items per page the node may send (PROTOCOL.md: limit ≤ 1000). */
#define MAX_ITEMS 1000

G_GNUC_PRINTF (2, 3)
static gboolean
malformed (GError     **error,
           const char  *format,
           ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, CW_NODE_RESULTS_ERROR, CW_NODE_RESULTS_ERROR_MALFORMED,
               _("The node sent an answer that is not valid: %s"), what);
  return FALSE;
}

static gboolean
read_uint (CwJsonReader  *reader,
           const char    *name,
           guint64       *out,
           GError       **error)
{
  if (!cw_json_reader_read_uint (reader, out))
    return malformed (error, _("“%s” is missing or not a non-negative integer"), name);
  return TRUE;
}

/* A base64 transaction ID (32 bytes). */
static char *
read_id (CwJsonReader  *reader,
         const char    *name,
         GError       **error)
{
  g_autofree char *text = cw_json_reader_read_string (reader);
  guint8 id[CW_MERKLE_HASH_SIZE];

  if (text == NULL)
    {
      malformed (error, _("“%s” is missing or not a string"), name);
      return NULL;
    }
  if (!cw_base64_decode_fixed (text, -1, id, sizeof id, NULL))
    {
      malformed (error, _("“%s” is not a base64 transaction ID"), name);
      return NULL;
    }
  return g_steal_pointer (&text);
}

static char *
read_outcome (CwJsonReader  *reader,
              GError       **error)
{
  g_autofree char *outcome = cw_json_reader_read_string (reader);

  if (outcome == NULL)
    {
      malformed (error, _("“outcome” is missing or not a string"));
      return NULL;
    }
  if (!g_str_equal (outcome, "allowed") && !g_str_equal (outcome, "denied"))
    {
      malformed (error, _("“outcome” is neither “allowed” nor “denied”"));
      return NULL;
    }
  return g_steal_pointer (&outcome);
}

/* The proof's hashes into @item, in one buffer. */
static gboolean
read_proof (CwJsonReader    *reader,
            CwNodeListItem  *item,
            GError         **error)
{
  guint8 hashes[CW_MERKLE_MAX_PROOF_LENGTH * CW_MERKLE_HASH_SIZE];
  guint n = 0;
  gboolean bad = FALSE;

  if (!cw_json_reader_begin (reader, '['))
    return malformed (error, _("“proof” is missing or not an array"));
  while (cw_json_reader_next_element (reader, &bad))
    {
      g_autofree char *decoded = NULL;
      const char *text;
      gsize len;
      gboolean ok;

      if (n >= CW_MERKLE_MAX_PROOF_LENGTH)
        return malformed (error, _("the proof is longer than any tree needs"));
      /* Base64 has no escapes; a hash written with some is still read. */
      if (cw_json_reader_read_plain_string (reader, &text, &len))
        ok = cw_base64_decode_fixed (text, (gssize) len, hashes + n * CW_MERKLE_HASH_SIZE,
                                     CW_MERKLE_HASH_SIZE, NULL);
      else
        ok = (decoded = cw_json_reader_read_string (reader)) != NULL &&
             cw_base64_decode_fixed (decoded, -1, hashes + n * CW_MERKLE_HASH_SIZE,
                                     CW_MERKLE_HASH_SIZE, NULL);
      if (!ok)
        return malformed (error, _("a proof hash is not base64 of 32 bytes"));
      n++;
    }
  if (bad)
    return malformed (error, _("the proof array is cut short"));

  item->proof = g_memdup2 (hashes, (gsize) n * CW_MERKLE_HASH_SIZE);
  item->n_proof = n;
  return TRUE;
}

typedef enum {
  M_SEQ = 1 << 0,
  M_ID = 1 << 1,
  M_INDEX = 1 << 2,
  M_OUTCOME = 1 << 3,
  M_ENVELOPE = 1 << 4,
  M_PROOF = 1 << 5,
} ItemMember;

static const char * const item_names[] = { "seq", "id", "index", "outcome", "envelope", "proof" };

static CwNodeListItem *
read_item (CwJsonReader    *reader,
           CwNodeListKind   kind,
           GError         **error)
{
  g_autoptr(CwNodeListItem) item = g_new0 (CwNodeListItem, 1);
  guint wanted = M_ID | M_INDEX | M_ENVELOPE | M_PROOF;
  guint seen = 0;
  gboolean bad = FALSE;
  char *name;

  if (kind == CW_NODE_LIST_CHAIN)
    wanted |= M_SEQ;
  else if (kind == CW_NODE_LIST_ACCESS)
    wanted |= M_OUTCOME;

  if (!cw_json_reader_begin (reader, '{'))
    return malformed (error, _("a list item is not an object")), NULL;

  while (cw_json_reader_next_member (reader, &name, &bad))
    {
      g_autofree char *owned = name;
      guint member = 0;

      for (guint i = 0; i < G_N_ELEMENTS (item_names); i++)
        if (g_str_equal (name, item_names[i]))
          member = 1u << i;
      if ((member & wanted) == 0)
        return malformed (error, _("unexpected member “%s”"), name), NULL;
      /* The strict check refused duplicate names already. */
      seen |= member;

      switch (member)
        {
        case M_SEQ:
          if (!read_uint (reader, "seq", &item->seq, error))
            return NULL;
          break;
        case M_ID:
          if ((item->id = read_id (reader, "id", error)) == NULL)
            return NULL;
          break;
        case M_INDEX:
          if (!read_uint (reader, "index", &item->index, error))
            return NULL;
          break;
        case M_OUTCOME:
          if ((item->outcome = read_outcome (reader, error)) == NULL)
            return NULL;
          break;
        case M_ENVELOPE:
          if (cw_json_reader_peek (reader) != '{' ||
              (item->envelope = cw_json_reader_read_compact (reader, NULL)) == NULL)
            return malformed (error, _("“envelope” is missing or not an object")), NULL;
          break;
        case M_PROOF:
          if (!read_proof (reader, item, error))
            return NULL;
          break;
        default:
          g_assert_not_reached ();
        }
    }
  if (bad)
    return malformed (error, _("a list item is cut short")), NULL;

  for (guint i = 0; i < G_N_ELEMENTS (item_names); i++)
    if ((wanted & ~seen) & (1u << i))
      return malformed (error, _("“%s” is missing"), item_names[i]), NULL;

  return g_steal_pointer (&item);
}

/* {"seq", "id"}, both required. */
static gboolean
read_head (CwJsonReader   *reader,
           CwNodeListing  *listing,
           GError        **error)
{
  gboolean has_seq = FALSE, bad = FALSE;
  char *name;

  /* A patient always has a head (the enroll), so it is required. */
  if (!cw_json_reader_begin (reader, '{'))
    return malformed (error, _("“head” is missing or not an object"));
  while (cw_json_reader_next_member (reader, &name, &bad))
    {
      g_autofree char *owned = name;

      if (g_str_equal (name, "seq"))
        {
          if (!read_uint (reader, "seq", &listing->head_seq, error))
            return FALSE;
          has_seq = TRUE;
        }
      else if (g_str_equal (name, "id"))
        {
          if ((listing->head_id = read_id (reader, "id", error)) == NULL)
            return FALSE;
        }
      else
        {
          return malformed (error, _("unexpected member “%s”"), name);
        }
    }
  if (bad || !has_seq || listing->head_id == NULL)
    return malformed (error, _("“head” is missing or not an object"));

  listing->has_head = TRUE;
  return TRUE;
}

static gboolean
read_items (CwJsonReader    *reader,
            CwNodeListing   *listing,
            const char      *array_name,
            GError         **error)
{
  gboolean bad = FALSE;

  if (!cw_json_reader_begin (reader, '['))
    return malformed (error, _("“%s” is missing or not an array"), array_name);
  while (cw_json_reader_next_element (reader, &bad))
    {
      CwNodeListItem *item;

      if (listing->items->len >= MAX_ITEMS)
        return malformed (error, _("more items than a page may hold"));
      if ((item = read_item (reader, listing->kind, error)) == NULL)
        return FALSE;
      g_ptr_array_add (listing->items, item);
    }
  if (bad)
    return malformed (error, _("“%s” is cut short"), array_name);
  return TRUE;
}

CwNodeListing *
cw_node_listing_parse (GBytes          *body,
                       CwNodeListKind   kind,
                       GError         **error)
{
  static const char * const array_names[] = { "transactions", "grants", "requests", "events" };
  g_autoptr(CwNodeListing) listing = NULL;
  g_autoptr(GError) cause = NULL;
  gboolean has_items = FALSE, has_next = FALSE, bad = FALSE;
  CwJsonReader reader;
  const char *data;
  gsize len;
  char *name;

  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (array_names), NULL);

  if (body == NULL)
    return malformed (error, _("the body is empty")), NULL;
  data = g_bytes_get_data (body, &len);
  if (!cw_canonical_json_check_document ((const guint8 *) data, len, &cause))
    return malformed (error, "%s", cause->message), NULL;

  listing = g_new0 (CwNodeListing, 1);
  listing->kind = kind;
  listing->items = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_node_list_item_free);

  cw_json_reader_init (&reader, data, len);
  if (!cw_json_reader_begin (&reader, '{'))
    return malformed (error, _("the body is not a JSON object")), NULL;

  while (cw_json_reader_next_member (&reader, &name, &bad))
    {
      g_autofree char *owned = name;

      if (g_str_equal (name, "checkpoint"))
        {
          if ((listing->checkpoint = cw_json_reader_read_string (&reader)) == NULL)
            return malformed (error, _("“checkpoint” is missing or not a string")), NULL;
        }
      else if (g_str_equal (name, "head") && kind == CW_NODE_LIST_CHAIN)
        {
          if (!read_head (&reader, listing, error))
            return NULL;
        }
      else if (g_str_equal (name, array_names[kind]))
        {
          if (!read_items (&reader, listing, array_names[kind], error))
            return NULL;
          has_items = TRUE;
        }
      else if (g_str_equal (name, "next"))
        {
          has_next = TRUE;
          if (cw_json_reader_peek (&reader) == 'n')
            {
              if (!cw_json_reader_read_null (&reader))
                return malformed (error,
                                  _("“next” is missing or not a non-negative integer")), NULL;
            }
          else
            {
              if (!read_uint (&reader, "next", &listing->next, error))
                return NULL;
              listing->has_next = TRUE;
            }
        }
      else
        {
          return malformed (error, _("unexpected member “%s”"), name), NULL;
        }
    }
  if (bad)
    return malformed (error, _("the body is cut short")), NULL;

  if (listing->checkpoint == NULL)
    return malformed (error, _("“checkpoint” is missing or not a string")), NULL;
  if (kind == CW_NODE_LIST_CHAIN && !listing->has_head)
    return malformed (error, _("“head” is missing or not an object")), NULL;
  if (!has_items)
    return malformed (error, _("“%s” is missing or not an array"), array_names[kind]), NULL;
  if (!has_next)
    return malformed (error, _("“next” is missing")), NULL;

  return g_steal_pointer (&listing);
}
