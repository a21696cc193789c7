# Files installed compressed (gzip -9n: reproducible), as Debian policy asks of man pages and changelogs.
#   cssp_install_gzipped(SOURCE DESTINATION COMPONENT [EXCLUDE_FROM_ALL])
#   cssp_install_man_page(PAGE COMPONENT)   docs/PAGE into share/man/man<section>
function(cssp_install_gzipped source destination component)
  get_filename_component(name "${source}" NAME)
  string(MAKE_C_IDENTIFIER "gz_${destination}_${name}" target)
  set(compressed "${CMAKE_CURRENT_BINARY_DIR}/${target}/${name}.gz")
  add_custom_command(OUTPUT "${compressed}"
                     COMMAND ${CMAKE_COMMAND} -E make_directory "${CMAKE_CURRENT_BINARY_DIR}/${target}"
                     COMMAND gzip -9nc "${source}" > "${compressed}" DEPENDS "${source}"
                     COMMENT "Compressing ${name}")
  add_custom_target("${target}" ALL DEPENDS "${compressed}")
  install(FILES "${compressed}" DESTINATION "${destination}" COMPONENT "${component}" ${ARGN})
endfunction()

function(cssp_install_man_page page component)
  string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section "${page}")
  cssp_install_gzipped("${PROJECT_SOURCE_DIR}/docs/${page}" "share/man/man${section}" "${component}")
endfunction()
