# Finds the libraries the project builds against and, when one is missing,
# stops with a message naming the Debian 12 package that provides it.

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

find_package(Wireshark 4.0 QUIET)
if(NOT Wireshark_FOUND OR NOT TARGET epan OR NOT TARGET wsutil)
  message(FATAL_ERROR "Wireshark 4.0 development files not found (find_package(Wireshark) with targets epan, wsutil): "
                      "install the Debian packages 'wireshark-dev' and 'libwireshark-dev'")
endif()
if(NOT Wireshark_MAJOR_VERSION EQUAL 4 OR NOT Wireshark_MINOR_VERSION EQUAL 0)
  message(FATAL_ERROR "Wireshark ${Wireshark_VERSION} found; the plugin targets the 4.0 ABI (Debian 12 'wireshark-dev')")
endif()
message(STATUS "Wireshark ${Wireshark_VERSION}, OpenSSL ${OPENSSL_VERSION}, GLib ${GLIB_VERSION}, libpcap ${PCAP_VERSION}")
