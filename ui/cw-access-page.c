/* cw-access-page.c: the Access page: who can see what, until when. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cw-access-page-private.h"
#include "cw-grant-item.h"
#include "cw-staged-list.h"
#include "cw-ui-format.h"

struct _CwAccessPage
{
  GtkWidget           parent_instance;

  GtkStack           *stack;
  GtkStack           *results_stack;
  GtkSpinner         *loading_spinner;
  GtkSearchEntry     *search_entry;
  GtkDropDown        *sort_dropdown;
  GtkListView        *list_view;

  GListModel         *model;
  GtkFilterListModel *filter_model;
  GtkSortListModel   *sort_model;
  GtkCustomFilter    *filter;
  GtkCustomSorter    *sorter;
  guint               n_rows_created;
  guint               refilter_id;
  guint               spinner_id;
  GHashTable         *revoking;    /* grant IDs with a revoke under way */
  GHashTable         *bound_rows;  /* GtkListItems bound to an item */
};

G_DEFINE_FINAL_TYPE (CwAccessPage, cw_access_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void watch_state (CwAccessPage *self,
                         GObject      *item);

enum {
  SORT_BY_NAME,
  SORT_BY_EXPIRY,
};

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  CwAccessPage *self = user_data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  const char *state = cw_grant_item_get_state (item);
  g_autofree char *needle = NULL;
  g_autofree char *name = NULL;
  g_autofree char *organization = NULL;

  watch_state (self, item);

  /* Pending: signed, not in the log yet; it counts as given. */
  if (g_strcmp0 (state, "active") != 0 && g_strcmp0 (state, "pending") != 0)
    return FALSE;
  if (text == NULL || text[0] == '\0')
    return TRUE;

  needle = g_utf8_casefold (text, -1);
  name = g_utf8_casefold (cw_grant_item_get_provider_name (item), -1);
  if (strstr (name, needle) != NULL)
    return TRUE;
  organization = g_utf8_casefold (cw_grant_item_get_organization (item), -1);
  return strstr (organization, needle) != NULL;
}

static int
sort_func (gconstpointer a,
           gconstpointer b,
           gpointer      user_data)
{
  CwAccessPage *self = user_data;
  CwGrantItem *ga = (CwGrantItem *) a;
  CwGrantItem *gb = (CwGrantItem *) b;

  if (gtk_drop_down_get_selected (self->sort_dropdown) == SORT_BY_EXPIRY)
    {
      gint64 ea = cw_grant_item_get_expires (ga);
      gint64 eb = cw_grant_item_get_expires (gb);

      if (ea != eb)
        return ea < eb ? -1 : 1;
    }

  return g_utf8_collate (cw_grant_item_get_provider_name (ga),
                         cw_grant_item_get_provider_name (gb));
}

/* No model yet, or the wallet's model before its first load: an empty
 * list would claim that no one has access, which is not known yet. */
static gboolean
model_loaded (GListModel *model)
{
  gboolean loaded = TRUE;

  if (model == NULL)
    return FALSE;
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (model), "loaded") != NULL)
    g_object_get (model, "loaded", &loaded, NULL);
  return loaded;
}

/* A spinner that shows for a few milliseconds is only a flicker, and
 * drawing one loads the SVG renderer (librsvg) for its icon before the
 * window's first frame (docs/PERFORMANCE.md, "App startup"). So the loading
 * page shows its spinner only once loading has lasted this long. */
#define SPINNER_DELAY_MS 500

static void
show_spinner_cb (gpointer user_data)
{
  CwAccessPage *self = user_data;

  self->spinner_id = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->loading_spinner), TRUE);
  gtk_spinner_set_spinning (self->loading_spinner, TRUE);
}

static void
update_loading_spinner (CwAccessPage *self,
                        gboolean      loading)
{
  if (!loading)
    {
      g_clear_handle_id (&self->spinner_id, g_source_remove);
      gtk_spinner_set_spinning (self->loading_spinner, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->loading_spinner), FALSE);
    }
  else if (self->spinner_id == 0 && !gtk_widget_get_visible (GTK_WIDGET (self->loading_spinner)))
    {
      self->spinner_id = g_timeout_add_once (SPINNER_DELAY_MS, show_spinner_cb, self);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->spinner_id),
                                "[cw] access page spinner");
    }
}

static void
update_visible_page (CwAccessPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));
  gboolean searching = text != NULL && text[0] != '\0';
  gboolean loading = n_shown == 0 && !model_loaded (self->model);

  update_loading_spinner (self, loading);
  if (loading)
    cw_ui_show_stack_page (self->stack, "loading");
  else
    cw_ui_show_stack_page (self->stack, n_shown > 0 || searching ? "list" : "empty");
  /* Inside the list page: the results, or a search that found none. */
  if (!loading && (n_shown > 0 || searching))
    cw_ui_show_stack_page (self->results_stack, n_shown > 0 ? "results" : "no-results");
}

static void
items_changed_cb (CwAccessPage *self)
{
  update_visible_page (self);
}

static gboolean
refilter_idle_cb (gpointer user_data)
{
  CwAccessPage *self = user_data;

  self->refilter_id = 0;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  return G_SOURCE_REMOVE;
}

/* The engine updates items in place: one that changes state keeps its
 * place in the model, so filtering runs again, once per burst. */
static void
item_state_changed_cb (CwAccessPage *self)
{
  if (self->refilter_id == 0)
    self->refilter_id = g_idle_add (refilter_idle_cb, self);
}

static void
watch_state (CwAccessPage *self,
             GObject      *item)
{
  if (g_object_get_data (item, "cw-state-watched") == self)
    return;
  g_object_set_data (item, "cw-state-watched", self);
  g_signal_connect_object (item, "notify::state", G_CALLBACK (item_state_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
search_changed_cb (CwAccessPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
sort_changed_cb (CwAccessPage *self)
{
  gtk_sorter_changed (GTK_SORTER (self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

/* Rows */

/* A row is eight widgets: three labels, the verified mark and the revoke
 * button. The provider's name stays on one line; the categories and the
 * purpose and expiry lines wrap to a second line in a narrow window (at
 * 360 px the expiry was cut off) and only then ellipsize. The full text is
 * in the tooltip and the accessible labels. */
static GtkWidget *
new_row_label (GtkWidget  *box,
               const char *css_class,
               int         max_lines)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (max_lines > 1)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_lines (GTK_LABEL (label), max_lines);
    }
  else
    gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (GTK_BOX (box), label);
  return label;
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              CwAccessPage             *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *verified = gtk_image_new_from_icon_name ("emblem-ok-symbolic");
  GtkWidget *revoke = gtk_button_new_from_icon_name ("user-trash-symbolic");

  self->n_rows_created++;

  gtk_widget_set_margin_top (row, 9);
  gtk_widget_set_margin_bottom (row, 9);
  gtk_widget_set_margin_start (row, 6);
  gtk_widget_set_margin_end (row, 6);
  gtk_widget_set_hexpand (text, TRUE);
  g_object_set_data (G_OBJECT (row), "title", new_row_label (text, "heading", 1));
  g_object_set_data (G_OBJECT (row), "scopes", new_row_label (text, NULL, 2));
  g_object_set_data (G_OBJECT (row), "details", new_row_label (text, "caption", 2));

  gtk_widget_add_css_class (verified, "cw-verified");
  gtk_widget_set_valign (verified, GTK_ALIGN_CENTER);

  /* A target of the right type before the action, so it never looks
   * like a parameterless one. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (revoke), "s", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (revoke), "win.revoke");
  gtk_widget_set_tooltip_text (revoke, _("Revoke Access"));
  gtk_widget_add_css_class (revoke, "flat");
  gtk_widget_set_valign (revoke, GTK_ALIGN_CENTER);

  gtk_box_append (GTK_BOX (row), text);
  gtk_box_append (GTK_BOX (row), verified);
  gtk_box_append (GTK_BOX (row), revoke);
  g_object_set_data (G_OBJECT (row), "verified", verified);
  g_object_set_data (G_OBJECT (row), "revoke", revoke);

  gtk_list_item_set_child (list_item, row);
}

static void
update_row (CwAccessPage *self,
            GtkWidget    *row,
            CwGrantItem  *item)
{
  const char *organization = cw_grant_item_get_organization (item);
  const char *scopes = cw_grant_item_get_scopes_text (item);
  g_autofree char *expiry = cw_ui_format_expiry (cw_grant_item_get_expires (item),
                                                 g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *until = cw_ui_format_date (cw_grant_item_get_expires (item));
  g_autofree char *scopes_line = NULL;
  g_autofree char *details = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *accessible = NULL;
  gboolean revoking = g_hash_table_contains (self->revoking, cw_grant_item_get_id (item));
  GtkWidget *verified = g_object_get_data (G_OBJECT (row), "verified");
  GtkWidget *revoke = g_object_get_data (G_OBJECT (row), "revoke");

  /* TRANSLATORS: an organization, then the data categories a provider may see */
  scopes_line = organization[0] != '\0' ? g_strdup_printf (_("%s · %s"), organization, scopes)
                                        : g_strdup (scopes);
  /* TRANSLATORS: the purpose of a grant, then when it ends ("expires in 12 days") */
  details = g_strdup_printf (_("%s · %s"), cw_grant_item_get_purpose_text (item),
                             revoking ? _("Revoking…") : expiry);
  /* TRANSLATORS: tooltip of an Access row: provider, organization and categories,
   * purpose, last day */
  tooltip = g_strdup_printf (_("%s\n%s\nPurpose: %s\nUntil %s"),
                             cw_grant_item_get_provider_name (item), scopes_line,
                             cw_grant_item_get_purpose_text (item), until);

  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "title"),
                      cw_grant_item_get_provider_name (item));
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "scopes"), scopes_line);
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "details"), details);
  gtk_widget_set_tooltip_text (row, tooltip);

  gtk_widget_set_visible (verified, !revoking);
  if (cw_grant_item_get_verified (item))
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (verified), "emblem-ok-symbolic");
      gtk_widget_add_css_class (verified, "cw-verified");
      gtk_widget_set_tooltip_text (verified, _("Recorded in the public log and verified"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (verified),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Verified"), -1);
    }
  else
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (verified), "content-loading-symbolic");
      gtk_widget_remove_css_class (verified, "cw-verified");
      gtk_widget_set_tooltip_text (verified, _("Not confirmed by the log yet"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (verified),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Not verified yet"), -1);
    }

  gtk_widget_set_sensitive (revoke, !revoking);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (revoke), "s", cw_grant_item_get_id (item));
  accessible = g_strdup_printf (_("Revoke access for %s"), cw_grant_item_get_provider_name (item));
  gtk_accessible_update_property (GTK_ACCESSIBLE (revoke),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  cw_ui_name_list_row (row, cw_grant_item_get_provider_name (item));
}

static void
item_changed_cb (CwGrantItem *item,
                 GParamSpec  *pspec,
                 GtkWidget   *row)
{
  CwAccessPage *self = CW_ACCESS_PAGE (gtk_widget_get_ancestor (row, CW_TYPE_ACCESS_PAGE));

  if (self == NULL)
    return;
  update_row (self, row, item);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             CwAccessPage             *self)
{
  CwGrantItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *row = gtk_list_item_get_child (list_item);

  update_row (self, row, item);
  g_signal_connect_object (item, "notify", G_CALLBACK (item_changed_cb), row, 0);
  g_hash_table_add (self->bound_rows, list_item);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               CwAccessPage             *self)
{
  CwGrantItem *item = gtk_list_item_get_item (list_item);

  g_hash_table_remove (self->bound_rows, list_item);
  if (item != NULL)
    g_signal_handlers_disconnect_by_func (item, item_changed_cb,
                                          gtk_list_item_get_child (list_item));
}

/* A row opens the grant's details (win.grant-details). */
static void
activate_cb (CwAccessPage *self,
             guint         position)
{
  g_autoptr(CwGrantItem) item = g_list_model_get_item (G_LIST_MODEL (self->sort_model), position);

  if (item == NULL)
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "win.grant-details", "s",
                              cw_grant_item_get_id (item));
}

/* GObject */

static void
cw_access_page_dispose (GObject *object)
{
  CwAccessPage *self = CW_ACCESS_PAGE (object);

  g_clear_handle_id (&self->refilter_id, g_source_remove);
  g_clear_handle_id (&self->spinner_id, g_source_remove);
  /* The wallet's model outlives the page: stop following it before the
   * widgets that show it go. */
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, update_visible_page, self);
  if (self->sort_model != NULL)
    gtk_filter_list_model_set_model (self->filter_model, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_ACCESS_PAGE);
  g_clear_object (&self->model);
  g_clear_object (&self->sort_model);
  self->filter_model = NULL;  /* the sort model's */
  g_clear_object (&self->filter);
  g_clear_object (&self->sorter);
  g_clear_pointer (&self->bound_rows, g_hash_table_unref);
  g_clear_pointer (&self->revoking, g_hash_table_unref);

  G_OBJECT_CLASS (cw_access_page_parent_class)->dispose (object);
}

static void
cw_access_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CwAccessPage *self = CW_ACCESS_PAGE (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_access_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CwAccessPage *self = CW_ACCESS_PAGE (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      cw_access_page_set_model (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_access_page_class_init (CwAccessPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_access_page_dispose;
  object_class->get_property = cw_access_page_get_property;
  object_class->set_property = cw_access_page_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/consentwallet/ConsentWallet/cw-access-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CwAccessPage, stack);
  gtk_widget_class_bind_template_child (widget_class, CwAccessPage, results_stack);
  gtk_widget_class_bind_template_child (widget_class, CwAccessPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, CwAccessPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CwAccessPage, sort_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CwAccessPage, list_view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, sort_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, activate_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cw-access-page");
}

static void
cw_access_page_init (CwAccessPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drop_down_set_list_factory (self->sort_dropdown, cw_ui_named_string_factory ());

  self->revoking = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->bound_rows = g_hash_table_new (NULL, NULL);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->sorter = gtk_custom_sorter_new (sort_func, self, NULL);
  self->filter_model = gtk_filter_list_model_new (NULL, g_object_ref (GTK_FILTER (self->filter)));
  self->sort_model = gtk_sort_list_model_new (G_LIST_MODEL (self->filter_model),
                                              g_object_ref (GTK_SORTER (self->sorter)));
  g_signal_connect_object (self->sort_model, "items-changed",
                           G_CALLBACK (items_changed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);

  selection = gtk_no_selection_new (cw_staged_list_new (GTK_WIDGET (self),
                                                       G_LIST_MODEL (self->sort_model)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));

  update_visible_page (self);
}

GListModel *
cw_access_page_get_model (CwAccessPage *self)
{
  g_return_val_if_fail (CW_IS_ACCESS_PAGE (self), NULL);
  return self->model;
}

void
cw_access_page_set_model (CwAccessPage *self,
                          GListModel   *model)
{
  g_return_if_fail (CW_IS_ACCESS_PAGE (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (self->model == model)
    return;
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, update_visible_page, self);
  g_set_object (&self->model, model);
  if (model != NULL)
    g_signal_connect_object (model, "notify::loaded", G_CALLBACK (update_visible_page), self,
                             G_CONNECT_SWAPPED);

  gtk_filter_list_model_set_model (self->filter_model, model);
  update_visible_page (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

void
cw_access_page_set_revoking (CwAccessPage *self,
                             const char   *grant_id,
                             gboolean      revoking)
{
  GHashTableIter iter;
  GtkListItem *list_item;

  g_return_if_fail (CW_IS_ACCESS_PAGE (self));

  if (revoking)
    g_hash_table_add (self->revoking, g_strdup (grant_id));
  else
    g_hash_table_remove (self->revoking, grant_id);

  g_hash_table_iter_init (&iter, self->bound_rows);
  while (g_hash_table_iter_next (&iter, (gpointer *) &list_item, NULL))
    {
      CwGrantItem *item = gtk_list_item_get_item (list_item);

      if (item != NULL && g_strcmp0 (cw_grant_item_get_id (item), grant_id) == 0)
        update_row (self, gtk_list_item_get_child (list_item), item);
    }
}

gboolean
cw_access_page_get_revoking (CwAccessPage *self,
                             const char   *grant_id)
{
  g_return_val_if_fail (CW_IS_ACCESS_PAGE (self), FALSE);
  return g_hash_table_contains (self->revoking, grant_id);
}

void
cw_access_page_focus_search (CwAccessPage *self)
{
  g_return_if_fail (CW_IS_ACCESS_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

gpointer
cw_access_page_find_grant (CwAccessPage *self,
                           const char   *grant_id)
{
  guint n;

  g_return_val_if_fail (CW_IS_ACCESS_PAGE (self), NULL);

  n = self->model != NULL ? g_list_model_get_n_items (self->model) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CwGrantItem) item = g_list_model_get_item (self->model, i);

      if (g_strcmp0 (cw_grant_item_get_id (item), grant_id) == 0)
        return item;
    }
  return NULL;
}

guint
cw_access_page_get_n_rows_created (CwAccessPage *self)
{
  return self->n_rows_created;
}

GtkListView *
cw_access_page_get_list_view (CwAccessPage *self)
{
  return self->list_view;
}
