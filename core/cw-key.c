#include "config.h"
#include "cw-key.h"
