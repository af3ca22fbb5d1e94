#pragma once

#include <string_view>

namespace yunwei::core {

// Sets up the process-wide spdlog logger: level ("trace".."off"), to stderr.
// Returns false for an unknown level name.
bool setup_logging(std::string_view level);

}  // namespace yunwei::core
