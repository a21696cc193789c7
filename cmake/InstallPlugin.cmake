# Install-time script (run by cmake --install and CPack): copies the plugin to the folder CSSP_PLUGIN_INSTALL
# asks for, decided now rather than at configure time because who installs (root or not) and where (a /usr
# tree, a package's staging folder) is only known now. plugin/CMakeLists.txt sets the CSSP_* variables.
set(where "${CSSP_PLUGIN_INSTALL}")
if(where STREQUAL "auto")
  execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(CMAKE_INSTALL_PREFIX MATCHES "/usr/?$")
    set(where usr_tree)
  elseif(uid STREQUAL "0")
    set(where system)
  else()
    set(where personal)
  endif()
endif()

if(where STREQUAL "usr_tree")
  set(dest "${CMAKE_INSTALL_PREFIX}/${CSSP_WIRESHARK_PLUGIN_LIBDIR}/epan")
elseif(where STREQUAL "system")
  set(dest "${CSSP_WIRESHARK_PLUGIN_DIR}/epan")
else()
  if("$ENV{HOME}" STREQUAL "")
    message(FATAL_ERROR "HOME is not set: cannot find the personal plugin folder")
  endif()
  set(dest "$ENV{HOME}/.local/lib/wireshark/plugins/${CSSP_PLUGIN_ABI}/epan")
endif()
file(INSTALL "${CSSP_PLUGIN_FILE}" DESTINATION "${dest}"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
