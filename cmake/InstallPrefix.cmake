# Install-time script, run before every other install rule: a user who is not root installs under ~/.local
# instead of CMake's default /usr/local, which only root can write. ~/.local is where Debian's PATH
# (~/.local/bin, from ~/.profile) and man (~/.local/share/man, next to ~/.local/bin) look. Any other prefix
# (-DCMAKE_INSTALL_PREFIX, cmake --install --prefix, a package's staging folder) and DESTDIR are kept.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr/local" AND "$ENV{DESTDIR}" STREQUAL "")
  execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT uid STREQUAL "0" AND NOT "$ENV{HOME}" STREQUAL "")
    set(CMAKE_INSTALL_PREFIX "$ENV{HOME}/.local")
    message(STATUS "Not root: installing under ${CMAKE_INSTALL_PREFIX} (--prefix DIR for another place)")
  endif()
endif()
