/* cw-activity-page.c: the Activity timeline. */
#include "config.h"

#include <inttypes.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cw-activity-item.h"
#include "cw-activity-page-private.h"
#include "cw-staged-list.h"
#include "cw-ui-format.h"

struct _CwActivityPage
{
  GtkWidget           parent_instance;

  GtkStack           *stack;
  GtkSpinner         *loading_spinner;
  GtkSearchEntry     *provider_entry;
  GtkStack           *results_stack;
  GtkDropDown        *kind_dropdown;
  GtkListView        *list_view;

  GListModel         *model;
  GtkFilterListModel *filter_model;
  GtkCustomFilter    *filter;           /* by kind */
  GtkStringFilter    *provider_filter;  /* by provider name, as typed */
};

G_DEFINE_FINAL_TYPE (CwActivityPage, cw_activity_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SHOW_ALL,
  SHOW_ACCESS,
  SHOW_REFUSED,
  SHOW_OWN,
};

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  CwActivityPage *self = user_data;
  gboolean access = g_strcmp0 (cw_activity_item_get_kind (item), "access") == 0;

  switch (gtk_drop_down_get_selected (self->kind_dropdown))
    {
    case SHOW_ACCESS:
      return access;
    case SHOW_REFUSED:
      return access && g_strcmp0 (cw_activity_item_get_state (item), "denied") == 0;
    case SHOW_OWN:
      return !access;
    default:
      return TRUE;
    }
}

static void
kind_changed_cb (CwActivityPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
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
update_visible_page (CwActivityPage *self)
{
  guint n = self->model != NULL ? g_list_model_get_n_items (self->model) : 0;
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  gboolean loading = n == 0 && !model_loaded (self->model);

  gtk_spinner_set_spinning (self->loading_spinner, loading);
  gtk_stack_set_visible_child_name (self->stack, loading ? "loading" : n > 0 ? "list" : "empty");
  /* Inside the list page: the entries, or filters that match none. */
  if (n > 0)
    cw_ui_show_stack_page (self->results_stack, n_shown > 0 ? "results" : "no-results");
}

/* "You gave St Mary's Cardiology access", or without a provider (the
 * grant or request is not in the wallet) "You gave access". */
static char *
transaction_title (const char *kind,
                   const char *provider)
{
  if (g_strcmp0 (kind, "enroll") == 0)
    return g_strdup (_("You joined Consent Wallet"));
  if (g_strcmp0 (kind, "rotate") == 0)
    return g_strdup (_("You changed your key"));
  if (provider == NULL || provider[0] == '\0')
    {
      if (g_strcmp0 (kind, "grant") == 0)
        return g_strdup (_("You gave access"));
      if (g_strcmp0 (kind, "revoke") == 0)
        return g_strdup (_("You revoked access"));
      if (g_strcmp0 (kind, "deny") == 0)
        return g_strdup (_("You denied a request"));
      return g_strdup (_("Your change"));
    }
  /* TRANSLATORS: %s is a provider, "St Mary's Cardiology" */
  if (g_strcmp0 (kind, "grant") == 0)
    return g_strdup_printf (_("You gave %s access"), provider);
  /* TRANSLATORS: %s is a provider */
  if (g_strcmp0 (kind, "revoke") == 0)
    return g_strdup_printf (_("You revoked access for %s"), provider);
  /* TRANSLATORS: %s is a provider */
  if (g_strcmp0 (kind, "deny") == 0)
    return g_strdup_printf (_("You denied a request from %s"), provider);
  return g_strdup (_("Your change"));
}

static void
state_label (const char  *state,
             const char **text,
             const char **css_class)
{
  if (g_strcmp0 (state, "queued") == 0)
    {
      *text = _("Will be sent when online");
      *css_class = "waiting";
    }
  else if (g_strcmp0 (state, "sent") == 0)
    {
      *text = _("Sent");
      *css_class = "waiting";
    }
  else if (g_strcmp0 (state, "confirmed") == 0)
    {
      *text = _("Confirmed");
      *css_class = "confirmed";
    }
  else
    {
      *text = _("Rejected");
      *css_class = "rejected";
    }
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              CwActivityPage           *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);
  GtkWidget *state = gtk_label_new (NULL);

  gtk_widget_set_margin_top (row, 9);
  gtk_widget_set_margin_bottom (row, 9);
  gtk_widget_set_margin_start (row, 6);
  gtk_widget_set_margin_end (row, 6);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
  gtk_widget_add_css_class (title, "title");
  gtk_widget_add_css_class (title, "heading");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (state, "cw-state-pill");

  gtk_box_append (GTK_BOX (text), title);
  gtk_box_append (GTK_BOX (text), subtitle);
  gtk_box_append (GTK_BOX (row), icon);
  gtk_box_append (GTK_BOX (row), text);
  gtk_box_append (GTK_BOX (row), state);
  g_object_set_data (G_OBJECT (row), "icon", icon);
  g_object_set_data (G_OBJECT (row), "title", title);
  g_object_set_data (G_OBJECT (row), "subtitle", subtitle);
  g_object_set_data (G_OBJECT (row), "state", state);

  gtk_list_item_set_child (list_item, row);
}

/* What a row says of @item: its title ("St Mary's Cardiology opened your
 * records", "You gave St Mary's Cardiology access") and the line below. */
void
cw_activity_page_describe (CwActivityItem  *item,
                           char           **title,
                           char           **subtitle)
{
  g_autofree char *when = cw_ui_format_date_time (cw_activity_item_get_time (item));
  const char *scopes = cw_activity_item_get_scopes_text (item);
  g_autofree char *logged = NULL;

  if (g_strcmp0 (cw_activity_item_get_kind (item), "access") == 0)
    {
      gboolean refused = g_strcmp0 (cw_activity_item_get_state (item), "denied") == 0;

      *title = g_strdup_printf (refused ? _("%s tried to open your records and was refused")
                                        : _("%s opened your records"),
                                cw_activity_item_get_provider_name (item));
      *subtitle = g_strdup_printf ("%s · %s", scopes, when);
      return;
    }

  *title = transaction_title (cw_activity_item_get_kind (item),
                              cw_activity_item_get_provider_name (item));
  if (cw_activity_item_get_verified (item))
    /* TRANSLATORS: a date and time, then the log entry of the change */
    logged = g_strdup_printf (_("%s · verified, log entry %" PRId64), when,
                              cw_activity_item_get_log_index (item));
  else
    logged = g_strdup (when);
  /* TRANSLATORS: data categories, then the date and log entry */
  *subtitle = scopes != NULL && scopes[0] != '\0' ? g_strdup_printf (_("%s · %s"), scopes, logged)
                                                  : g_steal_pointer (&logged);
}

static void
update_row (GtkWidget      *row,
            CwActivityItem *item)
{
  GtkWidget *state = g_object_get_data (G_OBJECT (row), "state");
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  const char *icon_name;

  gtk_widget_remove_css_class (row, "cw-refused");
  gtk_widget_remove_css_class (state, "waiting");
  gtk_widget_remove_css_class (state, "confirmed");
  gtk_widget_remove_css_class (state, "rejected");

  cw_activity_page_describe (item, &title, &subtitle);
  if (g_strcmp0 (cw_activity_item_get_kind (item), "access") == 0)
    {
      gboolean refused = g_strcmp0 (cw_activity_item_get_state (item), "denied") == 0;

      icon_name = refused ? "dialog-warning-symbolic" : "document-open-symbolic";
      if (refused)
        gtk_widget_add_css_class (row, "cw-refused");
      gtk_label_set_text (GTK_LABEL (state), refused ? _("Refused") : _("Allowed"));
      gtk_widget_add_css_class (state, refused ? "rejected" : "confirmed");
    }
  else
    {
      const char *text, *css_class;

      icon_name = "emblem-documents-symbolic";
      state_label (cw_activity_item_get_state (item), &text, &css_class);
      gtk_label_set_text (GTK_LABEL (state), text);
      gtk_widget_add_css_class (state, css_class);
    }

  gtk_image_set_from_icon_name (g_object_get_data (G_OBJECT (row), "icon"), icon_name);
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "title"), title);
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "subtitle"), subtitle);
  cw_ui_name_list_row (row, title);
}

/* Own transactions change state in place (queued, sent, confirmed). */
static void
item_changed_cb (CwActivityItem *item,
                 GParamSpec     *pspec,
                 GtkWidget      *row)
{
  update_row (row, item);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             CwActivityPage           *self)
{
  CwActivityItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *row = gtk_list_item_get_child (list_item);

  update_row (row, item);
  g_signal_connect_object (item, "notify", G_CALLBACK (item_changed_cb), row, 0);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               CwActivityPage           *self)
{
  CwActivityItem *item = gtk_list_item_get_item (list_item);

  if (item != NULL)
    g_signal_handlers_disconnect_by_func (item, item_changed_cb,
                                          gtk_list_item_get_child (list_item));
}

static void
cw_activity_page_dispose (GObject *object)
{
  CwActivityPage *self = CW_ACTIVITY_PAGE (object);

  /* The wallet's model outlives the page: stop following it before the
   * widgets that show it go. */
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, update_visible_page, self);
  if (self->filter_model != NULL)
    gtk_filter_list_model_set_model (self->filter_model, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_ACTIVITY_PAGE);
  g_clear_object (&self->model);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->provider_filter);

  G_OBJECT_CLASS (cw_activity_page_parent_class)->dispose (object);
}

static void
cw_activity_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CwActivityPage *self = CW_ACTIVITY_PAGE (object);

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
cw_activity_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CwActivityPage *self = CW_ACTIVITY_PAGE (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      cw_activity_page_set_model (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_activity_page_class_init (CwActivityPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_activity_page_dispose;
  object_class->get_property = cw_activity_page_get_property;
  object_class->set_property = cw_activity_page_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/consentwallet/ConsentWallet/cw-activity-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CwActivityPage, stack);
  gtk_widget_class_bind_template_child (widget_class, CwActivityPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, CwActivityPage, provider_entry);
  gtk_widget_class_bind_template_child (widget_class, CwActivityPage, results_stack);
  gtk_widget_class_bind_template_child (widget_class, CwActivityPage, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CwActivityPage, list_view);
  gtk_widget_class_bind_template_callback (widget_class, kind_changed_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cw-activity-page");
}

static void
cw_activity_page_init (CwActivityPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkNoSelection) selection = NULL;
  GtkEveryFilter *every;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drop_down_set_list_factory (self->kind_dropdown, cw_ui_named_string_factory ());

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->provider_filter =
    gtk_string_filter_new (gtk_property_expression_new (CW_TYPE_ACTIVITY_ITEM, NULL,
                                                        "provider-name"));
  gtk_string_filter_set_match_mode (self->provider_filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  gtk_string_filter_set_ignore_case (self->provider_filter, TRUE);
  g_object_bind_property (self->provider_entry, "text", self->provider_filter, "search",
                          G_BINDING_SYNC_CREATE);
  every = gtk_every_filter_new ();
  gtk_multi_filter_append (GTK_MULTI_FILTER (every), g_object_ref (GTK_FILTER (self->filter)));
  gtk_multi_filter_append (GTK_MULTI_FILTER (every),
                           g_object_ref (GTK_FILTER (self->provider_filter)));
  self->filter_model = gtk_filter_list_model_new (NULL, GTK_FILTER (every));
  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (update_visible_page), self, G_CONNECT_SWAPPED);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);

  selection = gtk_no_selection_new (cw_staged_list_new (GTK_WIDGET (self),
                                                       G_LIST_MODEL (self->filter_model)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  update_visible_page (self);
}

GListModel *
cw_activity_page_get_model (CwActivityPage *self)
{
  g_return_val_if_fail (CW_IS_ACTIVITY_PAGE (self), NULL);
  return self->model;
}

void
cw_activity_page_focus_search (CwActivityPage *self)
{
  g_return_if_fail (CW_IS_ACTIVITY_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->provider_entry));
}

void
cw_activity_page_set_model (CwActivityPage *self,
                            GListModel     *model)
{
  g_return_if_fail (CW_IS_ACTIVITY_PAGE (self));

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

const char *
cw_activity_page_get_results_state (CwActivityPage *self)
{
  return gtk_stack_get_visible_child_name (self->results_stack);
}

guint
cw_activity_page_get_n_shown (CwActivityPage *self)
{
  return g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
}
