# Builds web/ with Vite and turns web/dist into a C++ source (YUNWEI_WEB_ASSETS_CPP) that
# src/http compiles into the binary. npm ci runs when package-lock.json changes; the Vite build
# runs when anything under web/src changes.
find_program(YUNWEI_NODE node)
find_program(YUNWEI_NPM npm)
if(NOT YUNWEI_NODE OR NOT YUNWEI_NPM)
  message(FATAL_ERROR
    "Node.js and npm are needed to build the web UI (apt-get install nodejs npm, or run "
    "scripts/install-deps.sh). To build the API server alone, configure with -DYUNWEI_WEB=OFF.")
endif()

set(WEB_DIR ${PROJECT_SOURCE_DIR}/web)
set(WEB_OUT ${PROJECT_BINARY_DIR}/web)
set(YUNWEI_WEB_ASSETS_CPP ${WEB_OUT}/web_assets.cpp)
file(GLOB_RECURSE WEB_SOURCES CONFIGURE_DEPENDS
  ${WEB_DIR}/src/* ${WEB_DIR}/public/* ${WEB_DIR}/index.html ${WEB_DIR}/vite.config.*
  ${WEB_DIR}/tsconfig*.json ${WEB_DIR}/scripts/embed.mjs)

add_custom_command(
  OUTPUT ${WEB_OUT}/npm-ci.stamp
  COMMAND ${YUNWEI_NPM} ci --no-audit --no-fund --loglevel=error
  COMMAND ${CMAKE_COMMAND} -E touch ${WEB_OUT}/npm-ci.stamp
  WORKING_DIRECTORY ${WEB_DIR}
  DEPENDS ${WEB_DIR}/package.json ${WEB_DIR}/package-lock.json
  COMMENT "Installing web UI dependencies (npm ci)")

add_custom_command(
  OUTPUT ${YUNWEI_WEB_ASSETS_CPP}
  COMMAND ${YUNWEI_NPM} run build --silent
  COMMAND ${YUNWEI_NODE} scripts/embed.mjs dist ${YUNWEI_WEB_ASSETS_CPP}
  WORKING_DIRECTORY ${WEB_DIR}
  DEPENDS ${WEB_OUT}/npm-ci.stamp ${WEB_SOURCES}
  COMMENT "Building the web UI (vite) and embedding it")

add_custom_target(yunwei_web_build DEPENDS ${YUNWEI_WEB_ASSETS_CPP})
