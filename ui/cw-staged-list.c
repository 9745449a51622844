/* cw-staged-list.c: a list model handed to a GtkListView a screenful per
 * frame.
 *
 * GTK 4.8's GtkListView builds up to 200 rows (GTK_LIST_VIEW_MAX_LIST_ITEMS),
 * visible or not, as soon as its model changes: for the wallet's lists that
 * is 180-200 ms in one turn of the main loop, so the first frame that shows
 * a list waited for rows nobody sees yet (docs/PERFORMANCE.md, "App
 * startup"). cw_staged_list_new() wraps the model in a GtkSliceListModel
 * that shows its first CW_STAGED_LIST_ROWS_PER_FRAME items, paints them,
 * then, one frame of @owner at a time, shows that many more, until the view
 * has built all the rows it ever builds at once; from then on the whole
 * model, so that scrolling and later changes are the view's own. */
#include "config.h"

#include "cw-staged-list.h"

#define ROWS_BUILT_AT_MOST 200

typedef struct {
  GtkWidget *owner;    /* weak */
  guint      tick_id;
  gboolean   shown;    /* the frame with the items so far was painted */
} Stage;

static void
stage_free (Stage *stage)
{
  g_clear_weak_pointer (&stage->owner);
  g_free (stage);
}

static gboolean
grow_cb (GtkWidget     *owner,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  GtkSliceListModel *slice = user_data;
  Stage *stage = g_object_get_data (G_OBJECT (slice), "cw-stage");
  guint size = gtk_slice_list_model_get_size (slice);
  guint n = MIN (g_list_model_get_n_items (gtk_slice_list_model_get_model (slice)),
                 ROWS_BUILT_AT_MOST);

  /* A tick runs before its frame is painted: the first one leaves the
   * rows built so far to that frame alone. */
  if (!stage->shown)
    {
      stage->shown = TRUE;
      return G_SOURCE_CONTINUE;
    }
  if (size + CW_STAGED_LIST_ROWS_PER_FRAME >= n)
    {
      gtk_slice_list_model_set_size (slice, G_MAXUINT);
      stage->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  gtk_slice_list_model_set_size (slice, size + CW_STAGED_LIST_ROWS_PER_FRAME);
  return G_SOURCE_CONTINUE;
}

static void
model_changed_cb (GListModel        *model,
                  guint              position,
                  guint              removed,
                  guint              added,
                  GtkSliceListModel *slice)
{
  Stage *stage = g_object_get_data (G_OBJECT (slice), "cw-stage");

  if (stage->tick_id != 0 || stage->owner == NULL ||
      gtk_slice_list_model_get_size (slice) >= g_list_model_get_n_items (model))
    return;
  /* The tick holds the slice until it is done or @owner goes. */
  stage->shown = FALSE;
  stage->tick_id = gtk_widget_add_tick_callback (stage->owner, grow_cb, g_object_ref (slice),
                                                 g_object_unref);
}

/**
 * cw_staged_list_new:
 * @owner: the widget whose frames pace the growth (the list's page)
 * @model: (transfer none): the model to show
 *
 * Returns: (transfer full): @model as a GtkSliceListModel that starts with
 *   a screenful of items and grows to all of them over a few frames.
 */
GListModel *
cw_staged_list_new (GtkWidget  *owner,
                    GListModel *model)
{
  GtkSliceListModel *slice;
  Stage *stage;

  g_return_val_if_fail (GTK_IS_WIDGET (owner), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  slice = gtk_slice_list_model_new (g_object_ref (model), 0, CW_STAGED_LIST_ROWS_PER_FRAME);
  stage = g_new0 (Stage, 1);
  g_set_weak_pointer (&stage->owner, owner);
  g_object_set_data_full (G_OBJECT (slice), "cw-stage", stage, (GDestroyNotify) stage_free);
  g_signal_connect_object (model, "items-changed", G_CALLBACK (model_changed_cb), slice, 0);
  model_changed_cb (model, 0, 0, 0, slice);

  return G_LIST_MODEL (slice);
}
