// Linked instead of the generated web_assets.cpp when built with -DYUNWEI_WEB=OFF.
#include "http/assets.h"

namespace yunwei::http {

const std::vector<EmbeddedAsset>& embedded_assets() {
  static const std::vector<EmbeddedAsset> kNone;
  return kNone;
}

}  // namespace yunwei::http
