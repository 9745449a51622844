/* cw-log-tree.h: placeholder, being written. */
#pragma once

#include <glib.h>
