# cmake --install: what a C++ program needs to embed Switchboard (component
# devel: the library, its public headers, a CMake package and a pkg-config
# file) and the daemon (component daemon: bin/switchboard). The .deb's own
# files (systemd unit, /etc/switchboard) are in cmake/package.cmake.
include(CMakePackageConfigHelpers)

set_target_properties(switchboard PROPERTIES VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})

# The headers switchboard.hpp includes, directly or not, and no others:
# tests/package/consumer_test.sh compiles the installed switchboard.hpp and
# fails if this list and what the compiler opens differ.
set(SWITCHBOARD_PUBLIC_HEADERS
  switchboard.hpp
  adapter/adapter.hpp adapter/redis/cluster.hpp adapter/room_index.hpp adapter/types.hpp
  app/server.hpp
  auth/authenticator.hpp auth/jwt.hpp
  ingest/consumer.hpp ingest/ingest.hpp ingest/router.hpp ingest/rules.hpp ingest/settings.hpp
  engine/cors.hpp engine/handshake.hpp engine/options.hpp engine/packet.hpp engine/server.hpp engine/session.hpp
  engine/sid.hpp
  net/field_list.hpp net/http_server.hpp net/http_types.hpp net/shard_pool.hpp
  redis/config.hpp
  service/cluster_presence.hpp service/options.hpp service/realtime_service.hpp service/room_template.hpp
  service/vocabulary.hpp
  store/room_store.hpp
  socketio/args.hpp socketio/handshake.hpp socketio/namespace.hpp socketio/options.hpp socketio/server.hpp
  socketio/socket.hpp)
set(SWITCHBOARD_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/switchboard)
foreach(header IN LISTS SWITCHBOARD_PUBLIC_HEADERS)
  get_filename_component(dir ${header} DIRECTORY)
  install(FILES src/${header} DESTINATION ${SWITCHBOARD_INSTALL_INCLUDEDIR}/${dir} COMPONENT devel)
endforeach()
install(FILES ${SWITCHBOARD_GENERATED_DIR}/version.hpp DESTINATION ${SWITCHBOARD_INSTALL_INCLUDEDIR} COMPONENT devel)

install(TARGETS switchboard EXPORT SwitchboardTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT devel
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT devel NAMELINK_COMPONENT devel)
install(TARGETS switchboard-daemon RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT daemon)
# What the daemon serves to browsers, where it looks for it beside
# bin/switchboard (app/web_flags.cpp): share/switchboard/demo, and the client
# bundle from npm (web/node_modules, installed by scripts/bootstrap.sh; never
# committed). Without it the package still builds, and the daemon says at
# start that it serves no bundle.
install(DIRECTORY web/demo/ DESTINATION ${CMAKE_INSTALL_DATADIR}/switchboard/demo COMPONENT daemon)
set(SWITCHBOARD_CLIENT_DIST ${CMAKE_CURRENT_SOURCE_DIR}/web/node_modules/socket.io-client/dist)
if(EXISTS ${SWITCHBOARD_CLIENT_DIST}/socket.io.min.js)
  install(DIRECTORY ${SWITCHBOARD_CLIENT_DIST}/ DESTINATION ${CMAKE_INSTALL_DATADIR}/switchboard/client COMPONENT daemon)
else()
  message(WARNING "web/node_modules/socket.io-client is absent (run scripts/bootstrap.sh): the installed daemon will "
    "serve no client bundle")
endif()

# find_package(Switchboard CONFIG) -> Switchboard::switchboard.
set(SWITCHBOARD_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Switchboard)
install(EXPORT SwitchboardTargets NAMESPACE Switchboard:: DESTINATION ${SWITCHBOARD_CMAKE_DIR} COMPONENT devel)
configure_package_config_file(cmake/SwitchboardConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/SwitchboardConfig.cmake
  INSTALL_DESTINATION ${SWITCHBOARD_CMAKE_DIR})
# 0.x: a minor release may break the API, so 0.5 accepts only 0.5.y.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/SwitchboardConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/SwitchboardConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/SwitchboardConfigVersion.cmake
  cmake/FindMsgpuck.cmake DESTINATION ${SWITCHBOARD_CMAKE_DIR} COMPONENT devel)

# switchboard.pc, relocatable: its prefix is found from where it lies.
file(RELATIVE_PATH SWITCHBOARD_PC_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
if(BUILD_SHARED_LIBS)
  # hiredis, rabbitmq-c and msgpuck are used inside the library only.
  set(SWITCHBOARD_PC_REQUIRES "openssl libjwt spdlog")
  set(SWITCHBOARD_PC_REQUIRES_PRIVATE "hiredis librabbitmq")
  set(SWITCHBOARD_PC_LIBS_PRIVATE "-lmsgpuck")
  set(SWITCHBOARD_PC_LIBS_STATIC "")
else()
  # A static library: a program links everything it uses.
  set(SWITCHBOARD_PC_REQUIRES "openssl libjwt spdlog hiredis librabbitmq")
  set(SWITCHBOARD_PC_REQUIRES_PRIVATE "")
  set(SWITCHBOARD_PC_LIBS_PRIVATE "")
  set(SWITCHBOARD_PC_LIBS_STATIC "-lmsgpuck")
endif()
list(JOIN SWITCHBOARD_BOOST_DEFINES " -D" SWITCHBOARD_PC_DEFINES)
configure_file(cmake/switchboard.pc.in ${CMAKE_CURRENT_BINARY_DIR}/switchboard.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/switchboard.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT devel)
