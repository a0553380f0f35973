# Finds msgpuck (Debian libmsgpuck-dev: a static library and msgpuck.h), which
# has no CMake or pkg-config package of its own, and defines Msgpuck::msgpuck.
# Used by the build and, installed beside SwitchboardConfig.cmake, by programs
# that link the static libswitchboard.
find_path(Msgpuck_INCLUDE_DIR msgpuck.h)
find_library(Msgpuck_LIBRARY NAMES libmsgpuck.a msgpuck)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Msgpuck REQUIRED_VARS Msgpuck_LIBRARY Msgpuck_INCLUDE_DIR)
if(Msgpuck_FOUND AND NOT TARGET Msgpuck::msgpuck)
  add_library(Msgpuck::msgpuck UNKNOWN IMPORTED)
  set_target_properties(Msgpuck::msgpuck PROPERTIES
    IMPORTED_LOCATION "${Msgpuck_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Msgpuck_INCLUDE_DIR}")
endif()
mark_as_advanced(Msgpuck_INCLUDE_DIR Msgpuck_LIBRARY)
