#include "config.h"
#include "cw-encoding.h"
