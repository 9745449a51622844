/* cw-tx.h: placeholder, being written. */
#pragma once

#include <glib.h>
