/* cw-tiles.h: placeholder, being written. */
#pragma once

#include <glib.h>
