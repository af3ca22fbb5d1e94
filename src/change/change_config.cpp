#include "change/change_config.h"
