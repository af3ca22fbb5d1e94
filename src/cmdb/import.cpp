#include "cmdb/import.h"
