/* cw-http-signature.h: placeholder, being written. */
#pragma once

#include <glib.h>
