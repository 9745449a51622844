/* cw-canonical-json.h: placeholder, being written. */
#pragma once

#include <glib.h>
