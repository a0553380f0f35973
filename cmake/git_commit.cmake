# Run at every build (cmake -P): writes OUTPUT from INPUT with
# SWITCHBOARD_GIT_COMMIT set to the short commit of SOURCE_DIR, or "unknown"
# when SOURCE_DIR is not the top of a git checkout (a source tarball, even one
# unpacked inside another repository). configure_file leaves OUTPUT untouched
# when its content would not change, so nothing recompiles until the commit does.
set(SWITCHBOARD_GIT_COMMIT unknown)
if(GIT_EXECUTABLE)
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse --show-toplevel --short HEAD
    OUTPUT_VARIABLE out ERROR_QUIET RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(rc EQUAL 0)
    string(REPLACE "\n" ";" out "${out}")
    list(GET out 0 top)
    list(GET out 1 commit)
    file(REAL_PATH "${SOURCE_DIR}" source)
    file(REAL_PATH "${top}" top)
    if(top STREQUAL source)
      set(SWITCHBOARD_GIT_COMMIT "${commit}")
    endif()
  endif()
endif()
configure_file("${INPUT}" "${OUTPUT}" @ONLY)
