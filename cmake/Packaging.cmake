# What `cmake --install` puts where, and the Debian package CPack builds from it
# (docs/operations.md). Configure with -DCMAKE_INSTALL_PREFIX=/usr for a system install or
# a package: the systemd unit and the default paths are filled in from the prefix.
include(GNUInstallDirs)

set(DFP_CONFIG_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/dfp")
# Derived from the prefix at every configure (a cached default would keep the first prefix's).
set(DFP_SYSTEMD_UNIT_DIR "" CACHE PATH
    "Where dfp-server.service is installed (empty: <prefix>/lib/systemd/system)")
set(dfp_unit_dir "${DFP_SYSTEMD_UNIT_DIR}")
if(NOT dfp_unit_dir)
  set(dfp_unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()

install(TARGETS dfp-server dfp-client dfp-admin dfp-bench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/dist/dfp-server.properties DESTINATION ${DFP_CONFIG_DIR})

configure_file(${PROJECT_SOURCE_DIR}/dist/dfp-server.service.in
               ${PROJECT_BINARY_DIR}/dist/dfp-server.service @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/dist/dfp-server.service DESTINATION ${dfp_unit_dir})

# Man pages, compressed as Debian wants them (gzip -n: no timestamp, reproducible).
set(dfp_man_pages dfp-server dfp-client dfp-admin dfp-bench)
set(dfp_man_outputs)
foreach(page ${dfp_man_pages})
  set(source ${PROJECT_SOURCE_DIR}/dist/man/${page}.1)
  set(output ${PROJECT_BINARY_DIR}/dist/man/${page}.1.gz)
  add_custom_command(OUTPUT ${output}
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/dist/man
                     COMMAND gzip -9nc ${source} > ${output}
                     DEPENDS ${source} VERBATIM)
  list(APPEND dfp_man_outputs ${output})
endforeach()
add_custom_target(dfp-man-pages ALL DEPENDS ${dfp_man_outputs})
install(FILES ${dfp_man_outputs} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "*.md")

# The .deb: `cpack -G DEB` in the build directory (scripts/package.sh).
configure_file(${PROJECT_SOURCE_DIR}/dist/debian/conffiles.in
               ${PROJECT_BINARY_DIR}/dist/debian/conffiles @ONLY)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dfp)
set(CPACK_PACKAGE_VENDOR "The DFP developers")
set(CPACK_PACKAGE_CONTACT "DFP developers <dfp@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "persistent discussion-forum server, client and admin tool")
set(CPACK_PACKAGE_DESCRIPTION
    "DFP is a small discussion forum spoken over its own line protocol, DFP/1. This package \
holds dfp-server (with a systemd unit running it as the dfp user, data in /var/lib/dfp), the \
terminal client dfp-client, the operator's tool dfp-admin and the load generator dfp-bench.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/dist/debian/postinst
    ${PROJECT_SOURCE_DIR}/dist/debian/prerm
    ${PROJECT_SOURCE_DIR}/dist/debian/postrm
    ${PROJECT_BINARY_DIR}/dist/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
