# Debian packages of what this machine builds (`cpack -G DEB` in the build folder, docs/user-guide.md):
#   credssp-tools         credssp-analyze and credssp-probe with their man pages;
#   wireshark-plugin-cssp the plugin in the system plugin folder of the Wireshark it was built against, with
#                         a dependency pinned to that Wireshark's library and release (the plugin ABI changes
#                         with every minor release: a 4.0 plugin is not loaded by 4.4).
# The other dependencies come from dpkg-shlibdeps (Debian package dpkg-dev).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME credssp-tools)
set(CPACK_PACKAGE_VENDOR "credssp-tools developers")
set(CPACK_PACKAGE_CONTACT "credssp-tools developers <credssp-tools@users.noreply.invalid>")
# No CPACK_PACKAGE_DESCRIPTION_SUMMARY: each package's synopsis is the first line of its description.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME credssp-tools)
set(CPACK_COMPONENTS_ALL tools)
# The first line is the synopsis; CPack indents the others.
set(CPACK_DEBIAN_TOOLS_DESCRIPTION "explain RDP's CredSSP encryption oracle remediation errors
credssp-analyze reads pcap and pcapng captures of Remote Desktop connections,
decrypts their TLS from key logs, RSA keys or pcapng-embedded secrets, and
reports per connection the CredSSP version of each side, how the exchange
ended and a verdict: a version mismatch between a patched client and an
unpatched server (CVE-2018-0886), an unpatched client refused, an
authentication failure, and others. credssp-probe asks an RDP server for
its CredSSP version without credentials.")

if(CSSP_BUILD_PLUGIN)
  get_target_property(cssp_epan_soname epan IMPORTED_SONAME_NONE)
  if(NOT cssp_epan_soname)
    get_target_property(cssp_epan_soname epan IMPORTED_SONAME)
  endif()
  string(REGEX REPLACE "^libwireshark\\.so\\.([0-9]+)$" "libwireshark\\1" cssp_epan_package "${cssp_epan_soname}")
  math(EXPR cssp_next_minor "${Wireshark_MINOR_VERSION} + 1")
  set(CPACK_DEBIAN_PLUGIN_PACKAGE_NAME wireshark-plugin-cssp)
  set(CPACK_DEBIAN_PLUGIN_PACKAGE_DEPENDS
      "${cssp_epan_package} (>= ${Wireshark_MAJOR_VERSION}.${Wireshark_MINOR_VERSION}), ${cssp_epan_package} (<< ${Wireshark_MAJOR_VERSION}.${cssp_next_minor})")
  set(CPACK_DEBIAN_PLUGIN_PACKAGE_RECOMMENDS "wireshark | tshark")
  set(CPACK_DEBIAN_PLUGIN_PACKAGE_ENHANCES "wireshark, tshark")
  list(APPEND CPACK_COMPONENTS_ALL plugin)
  set(CPACK_DEBIAN_PLUGIN_DESCRIPTION "Wireshark plugin that explains RDP's CredSSP version negotiation
The cssp dissector decodes CredSSP inside RDP's TLS in Wireshark ${Wireshark_MAJOR_VERSION}.${Wireshark_MINOR_VERSION} and
tshark, compares the two sides' versions and states the CVE-2018-0886
encryption oracle remediation mismatch as fields, expert information and
statistics (-z cssp,tree).")
endif()
include(CPack)
