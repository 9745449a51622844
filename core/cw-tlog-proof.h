/* cw-tlog-proof.h: placeholder, being written. */
#pragma once

#include <glib.h>
