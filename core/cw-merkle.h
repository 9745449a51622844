/* cw-merkle.h: placeholder, being written. */
#pragma once

#include <glib.h>
