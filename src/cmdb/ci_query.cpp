#include "cmdb/ci_query.h"
