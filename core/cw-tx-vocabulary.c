/* cw-tx-vocabulary.c: the tables of transaction types, scopes, purposes and
 * access, and the lookups between their enums, wire names and display names.
 */
#include "config.h"

#include "cw-tx-vocabulary.h"
#include "cw-tx-private.h"

#ifndef N_
# define N_(s) (s)
#endif

static const struct {
  CwScopes    scope;
  const char *name;
  const char *display_name;
} scope_table[CW_N_SCOPES] = {
  { CW_SCOPE_SUMMARY,        "summary",        N_("Health summary") },
  { CW_SCOPE_ALLERGIES,      "allergies",      N_("Allergies") },
  { CW_SCOPE_MEDICATIONS,    "medications",    N_("Medications") },
  { CW_SCOPE_PROBLEMS,       "problems",       N_("Problems and conditions") },
  { CW_SCOPE_IMMUNIZATIONS,  "immunizations",  N_("Immunizations") },
  { CW_SCOPE_LAB_RESULTS,    "lab-results",    N_("Lab results") },
  { CW_SCOPE_IMAGING,        "imaging",        N_("Imaging") },
  { CW_SCOPE_CLINICAL_NOTES, "clinical-notes", N_("Clinical notes") },
  { CW_SCOPE_VITALS,         "vitals",         N_("Vital signs") },
  { CW_SCOPE_MENTAL_HEALTH,  "mental-health",  N_("Mental health") },
  { CW_SCOPE_SUBSTANCE_USE,  "substance-use",  N_("Substance use") },
  { CW_SCOPE_SEXUAL_HEALTH,  "sexual-health",  N_("Sexual and reproductive health") },
  { CW_SCOPE_GENETICS,       "genetics",       N_("Genetic information") },
  { CW_SCOPE_BILLING,        "billing",        N_("Billing and insurance") },
};

static const struct {
  const char *code;
  const char *display_name;
} purpose_table[CW_N_PURPOSES] = {
  [CW_PURPOSE_TREAT]    = { "TREAT",    N_("Treatment") },
  [CW_PURPOSE_ETREAT]   = { "ETREAT",   N_("Emergency treatment") },
  [CW_PURPOSE_CAREMGT]  = { "CAREMGT",  N_("Care management") },
  [CW_PURPOSE_HPAYMT]   = { "HPAYMT",   N_("Payment for care") },
  [CW_PURPOSE_HOPERAT]  = { "HOPERAT",  N_("Healthcare operations") },
  [CW_PURPOSE_HRESCH]   = { "HRESCH",   N_("Healthcare research") },
  [CW_PURPOSE_PUBHLTH]  = { "PUBHLTH",  N_("Public health") },
  [CW_PURPOSE_PATRQT]   = { "PATRQT",   N_("At the patient’s request") },
  [CW_PURPOSE_COVERAGE] = { "COVERAGE", N_("Insurance coverage") },
};

static const struct {
  CwAccess    access;
  const char *name;
} access_table[] = {
  /* Ascending by name, the order on the wire. */
  { CW_ACCESS_STORE, "store" },
  { CW_ACCESS_VIEW,  "view" },
};

static const char * const type_names[] = {
  [CW_TX_TYPE_ENROLL]  = "enroll",
  [CW_TX_TYPE_GRANT]   = "grant",
  [CW_TX_TYPE_REVOKE]  = "revoke",
  [CW_TX_TYPE_DENY]    = "deny",
  [CW_TX_TYPE_ROTATE]  = "rotate",
  [CW_TX_TYPE_REQUEST] = "request",
  [CW_TX_TYPE_ACCESS]  = "access",
};

const char *
cw_tx_type_to_string (CwTxType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (type_names), NULL);
  return type_names[type];
}

gboolean
cw_tx_type_from_string (const char *name,
                        CwTxType   *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    {
      if (g_strcmp0 (name, type_names[i]) == 0)
        {
          *type = i;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
cw_tx_type_is_provider_signed (CwTxType type)
{
  return type == CW_TX_TYPE_REQUEST || type == CW_TX_TYPE_ACCESS;
}

static int
scope_index (CwScopes scope)
{
  for (guint i = 0; i < G_N_ELEMENTS (scope_table); i++)
    if (scope_table[i].scope == scope)
      return i;
  return -1;
}

const char *
cw_scope_to_string (CwScopes scope)
{
  int i = scope_index (scope);
  return i < 0 ? NULL : scope_table[i].name;
}

gboolean
cw_scope_from_string (const char *name,
                      CwScopes   *scope)
{
  for (guint i = 0; i < G_N_ELEMENTS (scope_table); i++)
    {
      if (g_strcmp0 (name, scope_table[i].name) == 0)
        {
          *scope = scope_table[i].scope;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
cw_scope_is_sensitive (CwScopes scope)
{
  return scope_index (scope) >= 0 && (scope & CW_SCOPES_SENSITIVE) != 0;
}

const char *
cw_scope_get_display_name (CwScopes scope)
{
  int i = scope_index (scope);
  return i < 0 ? NULL : scope_table[i].display_name;
}

const char *
cw_purpose_to_string (CwPurpose purpose)
{
  g_return_val_if_fail ((guint) purpose < CW_N_PURPOSES, NULL);
  return purpose_table[purpose].code;
}

gboolean
cw_purpose_from_string (const char *code,
                        CwPurpose  *purpose)
{
  for (guint i = 0; i < CW_N_PURPOSES; i++)
    {
      if (g_strcmp0 (code, purpose_table[i].code) == 0)
        {
          *purpose = i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
cw_purpose_get_display_name (CwPurpose purpose)
{
  g_return_val_if_fail ((guint) purpose < CW_N_PURPOSES, NULL);
  return purpose_table[purpose].display_name;
}

const char *
cw_access_to_string (CwAccess access)
{
  for (guint i = 0; i < G_N_ELEMENTS (access_table); i++)
    if (access_table[i].access == access)
      return access_table[i].name;
  return NULL;
}

gboolean
cw_access_from_string (const char *name,
                       CwAccess   *access)
{
  for (guint i = 0; i < G_N_ELEMENTS (access_table); i++)
    {
      if (g_strcmp0 (name, access_table[i].name) == 0)
        {
          *access = access_table[i].access;
          return TRUE;
        }
    }
  return FALSE;
}
