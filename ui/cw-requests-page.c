/* cw-requests-page.c: pending provider requests. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cw-request-item.h"
#include "cw-requests-page.h"
#include "cw-staged-list.h"
#include "cw-staged-list.h"
#include "cw-ui-format.h"

struct _CwRequestsPage
{
  GtkWidget    parent_instance;

  GtkStack    *stack;
  GtkSpinner  *loading_spinner;
  GtkListView *list_view;

  GListModel         *model;
  GtkFilterListModel *filter_model;
  GtkCustomFilter    *filter;
  guint               refilter_id;
};

G_DEFINE_FINAL_TYPE (CwRequestsPage, cw_requests_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_N_PENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkWidget *
make_label (GtkWidget  *box,
            const char *name,
            const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (GTK_BOX (box), label);
  g_object_set_data (G_OBJECT (box), name, label);
  return label;
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              CwRequestsPage           *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *approve = gtk_button_new_with_mnemonic (_("_Approve…"));
  GtkWidget *deny = gtk_button_new_with_mnemonic (_("_Deny…"));

  gtk_widget_set_margin_top (row, 9);
  gtk_widget_set_margin_bottom (row, 9);
  gtk_widget_set_margin_start (row, 6);
  gtk_widget_set_margin_end (row, 6);

  make_label (row, "title", "heading");
  make_label (row, "scopes", NULL);
  make_label (row, "purpose", "caption");
  make_label (row, "reason", "dim-label");

  gtk_actionable_set_action_target (GTK_ACTIONABLE (approve), "s", "");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (deny), "s", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (approve), "win.approve");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (deny), "win.deny");
  gtk_widget_add_css_class (approve, "suggested-action");
  gtk_widget_add_css_class (deny, "destructive-action");
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_widget_set_margin_top (buttons, 6);
  gtk_box_append (GTK_BOX (buttons), deny);
  gtk_box_append (GTK_BOX (buttons), approve);
  gtk_box_append (GTK_BOX (row), buttons);
  g_object_set_data (G_OBJECT (row), "approve", approve);
  g_object_set_data (G_OBJECT (row), "deny", deny);

  gtk_list_item_set_child (list_item, row);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             CwRequestsPage           *self)
{
  CwRequestItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *row = gtk_list_item_get_child (list_item);
  const char *name = cw_request_item_get_provider_name (item);
  g_autofree char *title = g_strdup_printf (_("%s asks to see"), name);
  g_autofree char *until = cw_ui_format_date (cw_request_item_get_expires (item));
  g_autofree char *purpose = g_strdup_printf (_("Purpose: %s. Until %s"),
                                              cw_request_item_get_purpose_text (item), until);
  const char *reason = cw_request_item_get_reason (item);
  g_autofree char *approve_label = g_strdup_printf (_("Approve the request of %s"), name);
  g_autofree char *deny_label = g_strdup_printf (_("Deny the request of %s"), name);

  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "title"), title);
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "scopes"),
                      cw_request_item_get_scopes_text (item));
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "purpose"), purpose);
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "reason"), reason);
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "reason"), reason[0] != '\0');

  gtk_actionable_set_action_target (g_object_get_data (G_OBJECT (row), "approve"),
                                    "s", cw_request_item_get_id (item));
  gtk_actionable_set_action_target (g_object_get_data (G_OBJECT (row), "deny"),
                                    "s", cw_request_item_get_id (item));
  gtk_accessible_update_property (GTK_ACCESSIBLE (g_object_get_data (G_OBJECT (row), "approve")),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, approve_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (g_object_get_data (G_OBJECT (row), "deny")),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, deny_label, -1);
  cw_ui_name_list_row (row, title);
}

static void watch_state (CwRequestsPage *self,
                         GObject        *item);

static gboolean
pending_filter_func (gpointer item,
                     gpointer user_data)
{
  watch_state (user_data, item);
  return g_strcmp0 (cw_request_item_get_state (item), "pending") == 0;
}

/* No model yet, or the wallet's model before its first load: an empty
 * list would claim that there is nothing, which is not known yet. */
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

static void
update_visible_page (CwRequestsPage *self)
{
  guint n = cw_requests_page_get_n_pending (self);
  gboolean loading = n == 0 && !model_loaded (self->model);

  gtk_spinner_set_spinning (self->loading_spinner, loading);
  gtk_stack_set_visible_child_name (self->stack, loading ? "loading" : n > 0 ? "list" : "empty");
}

static void
pending_changed_cb (CwRequestsPage *self)
{
  update_visible_page (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
}

static gboolean
refilter_idle_cb (gpointer user_data)
{
  CwRequestsPage *self = user_data;

  self->refilter_id = 0;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  return G_SOURCE_REMOVE;
}

/* The engine updates items in place: one that changes state keeps its
 * place in the model, so filtering runs again, once per burst. */
static void
item_state_changed_cb (CwRequestsPage *self)
{
  if (self->refilter_id == 0)
    self->refilter_id = g_idle_add (refilter_idle_cb, self);
}

static void
watch_state (CwRequestsPage *self,
             GObject        *item)
{
  if (g_object_get_data (item, "cw-state-watched") == self)
    return;
  g_object_set_data (item, "cw-state-watched", self);
  g_signal_connect_object (item, "notify::state", G_CALLBACK (item_state_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
cw_requests_page_dispose (GObject *object)
{
  CwRequestsPage *self = CW_REQUESTS_PAGE (object);

  g_clear_handle_id (&self->refilter_id, g_source_remove);
  /* The wallet's model outlives the page: stop following it before the
   * widgets that show it go. */
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, update_visible_page, self);
  if (self->filter_model != NULL)
    gtk_filter_list_model_set_model (self->filter_model, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_REQUESTS_PAGE);
  g_clear_object (&self->model);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);

  G_OBJECT_CLASS (cw_requests_page_parent_class)->dispose (object);
}

static void
cw_requests_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CwRequestsPage *self = CW_REQUESTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, cw_requests_page_get_n_pending (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_requests_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CwRequestsPage *self = CW_REQUESTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      cw_requests_page_set_model (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_requests_page_class_init (CwRequestsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_requests_page_dispose;
  object_class->get_property = cw_requests_page_get_property;
  object_class->set_property = cw_requests_page_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/consentwallet/ConsentWallet/cw-requests-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CwRequestsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, CwRequestsPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, CwRequestsPage, list_view);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cw-requests-page");
}

static void
cw_requests_page_init (CwRequestsPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->filter = gtk_custom_filter_new (pending_filter_func, self, NULL);
  self->filter_model = gtk_filter_list_model_new (NULL, g_object_ref (GTK_FILTER (self->filter)));
  g_signal_connect_object (self->filter_model, "items-changed", G_CALLBACK (pending_changed_cb),
                           self, G_CONNECT_SWAPPED);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);
  selection = gtk_no_selection_new (cw_staged_list_new (GTK_WIDGET (self),
                                                       G_LIST_MODEL (self->filter_model)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  pending_changed_cb (self);
}

GListModel *
cw_requests_page_get_model (CwRequestsPage *self)
{
  g_return_val_if_fail (CW_IS_REQUESTS_PAGE (self), NULL);
  return self->model;
}

void
cw_requests_page_set_model (CwRequestsPage *self,
                            GListModel     *model)
{
  g_return_if_fail (CW_IS_REQUESTS_PAGE (self));

  if (self->model == model)
    return;
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, update_visible_page, self);
  g_set_object (&self->model, model);
  if (model != NULL)
    g_signal_connect_object (model, "notify::loaded", G_CALLBACK (update_visible_page), self,
                             G_CONNECT_SWAPPED);
  gtk_filter_list_model_set_model (self->filter_model, model);
  pending_changed_cb (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

guint
cw_requests_page_get_n_pending (CwRequestsPage *self)
{
  g_return_val_if_fail (CW_IS_REQUESTS_PAGE (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
}

gpointer
cw_requests_page_find_request (CwRequestsPage *self,
                               const char     *request_id)
{
  guint n = self->model != NULL ? g_list_model_get_n_items (self->model) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CwRequestItem) item = g_list_model_get_item (self->model, i);

      if (g_strcmp0 (cw_request_item_get_id (item), request_id) == 0)
        return item;
    }
  return NULL;
}
