/* cw-fhir.c: placeholder, being written. */
#include "config.h"

#include "cw-fhir.h"
