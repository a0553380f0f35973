# cpack -G DEB (scripts/package.sh): the daemon as switchboard_<version>_amd64.deb.
# It holds the install component "daemon": /usr/bin/switchboard, and the files
# of packaging/ below, which go to absolute paths and so only into the package
# (EXCLUDE_FROM_ALL: cmake --install into a prefix never writes /etc or /lib).
if(BUILD_SHARED_LIBS)
  # The package ships the daemon alone, which links the static library.
  message(STATUS "BUILD_SHARED_LIBS: no Debian package (configure without it for cpack -G DEB)")
  return()
endif()

install(FILES packaging/switchboard.service DESTINATION /lib/systemd/system COMPONENT daemon EXCLUDE_FROM_ALL)
install(FILES packaging/switchboard.toml DESTINATION /etc/switchboard COMPONENT daemon EXCLUDE_FROM_ALL)
# Secrets go here (JWT_SECRET, API_KEY): readable by root and, through its
# group set by postinst, the service alone.
install(FILES packaging/switchboard.env DESTINATION /etc/switchboard COMPONENT daemon EXCLUDE_FROM_ALL
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES README.md CHANGELOG.md DESTINATION /usr/share/doc/switchboard COMPONENT daemon EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME switchboard)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Switchboard maintainers <switchboard@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Socket.IO v4 server in C++: the switchboard real-time service")
set(CPACK_PACKAGE_DESCRIPTION "Switchboard serves unchanged Socket.IO v4 clients (Engine.IO v4, Socket.IO v5) with \
JWT auth, per-user rooms, presence and an HTTP API, and joins clusters of Node.js Socket.IO servers over the Redis \
adapter. This package runs it as the systemd service switchboard.service.")
# Only the daemon component, absolute paths included; DESTDIR keeps those
# inside CPack's staging directory.
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_CURRENT_BINARY_DIR};${PROJECT_NAME};daemon;/")
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The runtime libraries come from dpkg-shlibdeps on the binary, not from a list kept here.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/conffiles
  ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/postinst
  ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/prerm
  ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
