/* cw-fhir.h: placeholder, being written. */
#pragma once

#include <glib.h>
