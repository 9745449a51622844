/* cw-node-records.c: the consent state the node keeps, as plain records,
 * and their text forms in the store. */
#include "config.h"

#include <string.h>

#include "cw-node-records.h"

static const char * const outcomes[] = {
  [CW_NODE_OUTCOME_ACCEPTED] = "accepted",
  [CW_NODE_OUTCOME_ALLOWED] = "allowed",
  [CW_NODE_OUTCOME_DENIED] = "denied",
};

static const char * const request_states[] = {
  [CW_NODE_REQUEST_PENDING] = "pending",
  [CW_NODE_REQUEST_GRANTED] = "granted",
  [CW_NODE_REQUEST_DENIED] = "denied",
};

static gboolean
lookup_name (const char * const *names,
             guint               n_names,
             const char         *text,
             guint              *out)
{
  for (guint i = 0; i < n_names; i++)
    {
      if (g_strcmp0 (names[i], text) == 0)
        {
          *out = i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
cw_node_outcome_to_string (CwNodeOutcome outcome)
{
  g_return_val_if_fail (outcome < G_N_ELEMENTS (outcomes), NULL);

  return outcomes[outcome];
}

gboolean
cw_node_outcome_from_string (const char    *text,
                             CwNodeOutcome *out)
{
  guint value;

  if (!lookup_name (outcomes, G_N_ELEMENTS (outcomes), text, &value))
    return FALSE;

  *out = value;

  return TRUE;
}

const char *
cw_node_request_state_to_string (CwNodeRequestState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (request_states), NULL);

  return request_states[state];
}

gboolean
cw_node_request_state_from_string (const char         *text,
                                   CwNodeRequestState *out)
{
  guint value;

  if (!lookup_name (request_states, G_N_ELEMENTS (request_states), text, &value))
    return FALSE;

  *out = value;

  return TRUE;
}

char *
cw_node_scopes_to_string (CwScopes scopes)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < CW_N_SCOPES; i++)
    {
      CwScopes scope = 1 << i;

      if ((scopes & scope) == 0)
        continue;
      if (text->len > 0)
        g_string_append_c (text, ',');
      g_string_append (text, cw_scope_to_string (scope));
    }

  return g_string_free (text, FALSE);
}

gboolean
cw_node_scopes_from_string (const char *text,
                            CwScopes   *out)
{
  g_auto(GStrv) names = g_strsplit (text, ",", -1);
  CwScopes scopes = 0;

  for (guint i = 0; names[i] != NULL; i++)
    {
      CwScopes scope;

      if (!cw_scope_from_string (names[i], &scope))
        return FALSE;
      scopes |= scope;
    }

  *out = scopes;

  return scopes != 0;
}

char *
cw_node_access_to_string (CwAccess access)
{
  if (access == (CW_ACCESS_STORE | CW_ACCESS_VIEW))
    return g_strdup ("store,view");

  return g_strdup (access == CW_ACCESS_STORE ? "store" : "view");
}

gboolean
cw_node_access_from_string (const char *text,
                            CwAccess   *out)
{
  if (g_strcmp0 (text, "store,view") == 0)
    *out = CW_ACCESS_STORE | CW_ACCESS_VIEW;
  else if (g_strcmp0 (text, "store") == 0)
    *out = CW_ACCESS_STORE;
  else if (g_strcmp0 (text, "view") == 0)
    *out = CW_ACCESS_VIEW;
  else
    return FALSE;

  return TRUE;
}

CwNodePatient *
cw_node_patient_copy (const CwNodePatient *self)
{
  CwNodePatient *copy = g_memdup2 (self, sizeof *self);

  copy->id = g_strdup (self->id);
  copy->clinic = g_strdup (self->clinic);

  return copy;
}

void
cw_node_patient_free (CwNodePatient *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->clinic);
  g_free (self);
}

CwNodeGrant *
cw_node_grant_copy (const CwNodeGrant *self)
{
  CwNodeGrant *copy = g_memdup2 (self, sizeof *self);

  copy->patient = g_strdup (self->patient);
  copy->provider = g_strdup (self->provider);
  copy->data_from = g_strdup (self->data_from);
  copy->data_to = g_strdup (self->data_to);

  return copy;
}

void
cw_node_grant_free (CwNodeGrant *self)
{
  if (self == NULL)
    return;
  g_free (self->patient);
  g_free (self->provider);
  g_free (self->data_from);
  g_free (self->data_to);
  g_free (self);
}

CwNodeRequest *
cw_node_request_copy (const CwNodeRequest *self)
{
  CwNodeRequest *copy = g_memdup2 (self, sizeof *self);

  copy->patient = g_strdup (self->patient);
  copy->provider = g_strdup (self->provider);
  copy->reason = g_strdup (self->reason);

  return copy;
}

void
cw_node_request_free (CwNodeRequest *self)
{
  if (self == NULL)
    return;
  g_free (self->patient);
  g_free (self->provider);
  g_free (self->reason);
  g_free (self);
}

CwNodeInvite *
cw_node_invite_copy (const CwNodeInvite *self)
{
  CwNodeInvite *copy = g_memdup2 (self, sizeof *self);

  copy->provider = g_strdup (self->provider);

  return copy;
}

void
cw_node_invite_free (CwNodeInvite *self)
{
  if (self == NULL)
    return;
  g_free (self->provider);
  g_free (self);
}

void
cw_node_tx_record_free (CwNodeTxRecord *self)
{
  if (self == NULL)
    return;
  g_free (self->patient);
  g_free (self->provider);
  g_clear_pointer (&self->envelope, g_bytes_unref);
  g_free (self);
}

CwNodeBatch *
cw_node_batch_new (guint64 old_size)
{
  CwNodeBatch *self = g_new0 (CwNodeBatch, 1);

  self->old_size = old_size;
  self->new_size = old_size;
  self->transactions = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_node_tx_record_free);
  self->patients = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_node_patient_free);
  self->grants = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_node_grant_free);
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_node_request_free);
  self->used_invites = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_node_invite_free);

  return self;
}

void
cw_node_batch_free (CwNodeBatch *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->tree_hashes, g_bytes_unref);
  g_ptr_array_unref (self->transactions);
  g_ptr_array_unref (self->patients);
  g_ptr_array_unref (self->grants);
  g_ptr_array_unref (self->requests);
  g_ptr_array_unref (self->used_invites);
  g_free (self);
}
