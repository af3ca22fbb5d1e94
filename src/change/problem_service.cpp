#include "change/problem_service.h"

namespace yunwei::change {

tickets::KindHooks ProblemService::hooks() { return {}; }

}  // namespace yunwei::change
