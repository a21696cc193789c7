# Finds the libraries the project builds against and, when one is missing, stops with a message naming the
# Debian package that provides it. The analyzer needs GLib, OpenSSL and libpcap; the Wireshark plugin also
# needs Wireshark's development files (4.0, 4.2, 4.4 or 4.6) and the headers they include. With
# CSSP_PLUGIN=AUTO (the default) a machine without them builds the analyzer alone and says why.

include(CheckCSourceCompiles)
include(CheckIncludeFile)

find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: install the Debian package 'pkg-config' (apt-get install pkg-config)")
endif()

pkg_check_modules(GLIB IMPORTED_TARGET glib-2.0>=2.74)
if(NOT GLIB_FOUND)
  message(FATAL_ERROR "GLib 2 development files not found: install the Debian package 'libglib2.0-dev'")
endif()

find_package(OpenSSL 3.0)
if(NOT OPENSSL_FOUND)
  message(FATAL_ERROR "OpenSSL 3 development files not found: install the Debian package 'libssl-dev'")
endif()

pkg_check_modules(PCAP IMPORTED_TARGET libpcap)
if(NOT PCAP_FOUND)
  message(FATAL_ERROR "libpcap development files not found: install the Debian package 'libpcap-dev'")
endif()
set(CMAKE_REQUIRED_INCLUDES ${PCAP_INCLUDE_DIRS})
set(CMAKE_REQUIRED_DEFINITIONS -D_DEFAULT_SOURCE)  # pcap.h needs the BSD u_int types
if(NOT CSSP_HAVE_PCAP_H)
  unset(CSSP_HAVE_PCAP_H CACHE)
endif()
check_include_file(pcap/pcap.h CSSP_HAVE_PCAP_H)
unset(CMAKE_REQUIRED_INCLUDES)
unset(CMAKE_REQUIRED_DEFINITIONS)
if(NOT CSSP_HAVE_PCAP_H)
  message(FATAL_ERROR "pcap/pcap.h not found: install the Debian package 'libpcap-dev'")
endif()

# --- the Wireshark plugin ---------------------------------------------------------------------------------
set(CSSP_PLUGIN "AUTO" CACHE STRING "Build the Wireshark plugin: AUTO (when Wireshark's development files are there), ON or OFF")
set_property(CACHE CSSP_PLUGIN PROPERTY STRINGS AUTO ON OFF)
set(CSSP_BUILD_PLUGIN OFF)
set(cssp_plugin_missing "")

# Wireshark releases whose plugin API the sources follow (plugin/ws-compat.h holds the differences).
set(CSSP_WIRESHARK_SUPPORTED 4.0 4.2 4.4 4.6)

if(NOT CSSP_PLUGIN STREQUAL "OFF")
  find_package(Wireshark 4.0 QUIET)
  if(NOT Wireshark_FOUND OR NOT TARGET epan OR NOT TARGET wsutil)
    set(cssp_plugin_missing "Wireshark development files not found: install the Debian packages 'wireshark-dev' "
                            "and 'libwireshark-dev'")
  elseif(NOT "${Wireshark_MAJOR_VERSION}.${Wireshark_MINOR_VERSION}" IN_LIST CSSP_WIRESHARK_SUPPORTED)
    set(cssp_plugin_missing "Wireshark ${Wireshark_VERSION} found; the plugin supports ${CSSP_WIRESHARK_SUPPORTED}")
  else()
    # epan's TLS header includes libgcrypt's, which no wireshark-dev package depends on.
    set(CMAKE_REQUIRED_LIBRARIES epan)
    set(CMAKE_REQUIRED_QUIET ON)
    # a failed check is not cached, so installing the package and configuring again is enough
    foreach(check CSSP_HAVE_GCRYPT_H CSSP_HAVE_EPAN_TLS_H)
      if(NOT ${check})
        unset(${check} CACHE)
      endif()
    endforeach()
    check_c_source_compiles("#include <gcrypt.h>\nint main(void) { return 0; }" CSSP_HAVE_GCRYPT_H)
    if(NOT CSSP_HAVE_GCRYPT_H)
      set(cssp_plugin_missing "gcrypt.h not found (Wireshark's TLS header needs it): install the Debian package "
                              "'libgcrypt20-dev'")
    else()
      check_c_source_compiles([[
        #include <epan/packet.h>
        #include <epan/dissectors/packet-tls-utils.h>
        int main(void) { return 0; }]] CSSP_HAVE_EPAN_TLS_H)
      if(NOT CSSP_HAVE_EPAN_TLS_H)
        set(cssp_plugin_missing "Wireshark's epan headers (epan/packet.h, epan/dissectors/packet-tls-utils.h) do "
                                "not compile here: see CMakeFiles/CMakeConfigureLog.yaml or CMakeError.log")
      endif()
    endif()
    unset(CMAKE_REQUIRED_LIBRARIES)
    unset(CMAKE_REQUIRED_QUIET)
  endif()

  if(cssp_plugin_missing STREQUAL "")
    set(CSSP_BUILD_PLUGIN ON)
  elseif(CSSP_PLUGIN STREQUAL "ON")
    message(FATAL_ERROR "${cssp_plugin_missing} (or configure with -DCSSP_PLUGIN=OFF to build the analyzer alone)")
  else()
    message(WARNING "The Wireshark plugin will not be built: ${cssp_plugin_missing}. "
                    "credssp-analyze is built and tested without it.")
  endif()
endif()

if(CSSP_BUILD_PLUGIN)
  message(STATUS "Wireshark ${Wireshark_VERSION}, OpenSSL ${OPENSSL_VERSION}, GLib ${GLIB_VERSION}, libpcap ${PCAP_VERSION}")
else()
  message(STATUS "Without the Wireshark plugin; OpenSSL ${OPENSSL_VERSION}, GLib ${GLIB_VERSION}, libpcap ${PCAP_VERSION}")
endif()
