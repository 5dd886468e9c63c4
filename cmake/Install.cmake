# SPDX-License-Identifier: BSD-3-Clause
# What `cmake --install` puts where (docs/install.md), and the Debian package
# `cpack` makes of it. Included by the top-level CMakeLists.txt when
# STSE_EMU_INSTALL is on (the default when stsafe-emu is the top-level project).
#
#   bin/                          stsafe-emu, stsafe-cli
#   lib/                          libstsafe-emu-MODULE.a, libstsafe-emu-MODULE.so*,
#                                 libstsafe-i2cdev.so (the LD_PRELOAD shim)
#   lib/cmake/stsafe_emu/         the package config: find_package(stsafe_emu)
#   lib/pkgconfig/                stsafe-emu-MODULE.pc
#   include/stsafe/MODULE/        every module's public headers
#   share/man/man1/               stsafe-emu.1, stsafe-cli.1 (help2man)
#   share/doc/stsafe-emu/         README, LICENSE, CHANGELOG, docs/, sample traces
#   share/stsafe-emu/psa/         stsafe_opaque.json (harness/psa/CMakeLists.txt; psa builds only)
include(CMakePackageConfigHelpers)

set(STSE_EMU_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/stsafe_emu")
get_property(_stse_modules GLOBAL PROPERTY STSE_EMU_MODULES)

# ---- libraries and headers --------------------------------------------------
foreach(m IN LISTS _stse_modules)
  set(_variants ${m})
  if(TARGET ${m}_shared)
    list(APPEND _variants ${m}_shared)
  endif()
  install(TARGETS ${_variants} EXPORT stsafe_emuTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Unspecified
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  get_property(_inc TARGET ${m} PROPERTY STSE_EMU_MODULE_INCLUDE)
  install(DIRECTORY "${_inc}/stsafe" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
endforeach()
install(DIRECTORY "${STSE_EMU_GENERATED_INCLUDE}/stsafe" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# ---- tools, the shim, man pages, docs ----------------------------------------
install(TARGETS stsafe-emu stsafe-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS stsafe-i2cdev LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})

# The man pages are the tools' --help and --version, through Debian's help2man
# (a build-time tool, never needed to run stsafe-emu), with the sections of
# docs/man/TOOL.h2m added.
find_program(STSE_EMU_HELP2MAN help2man)
if(STSE_EMU_HELP2MAN)
  set(_stse_man_stsafe-emu "an emulated ST STSAFE-A110 secure element")
  set(_stse_man_stsafe-cli "send STSAFE-A110 commands to an emulated or real chip")
  set(_stse_pages "")
  foreach(tool stsafe-emu stsafe-cli)
    set(_page "${CMAKE_CURRENT_BINARY_DIR}/man/${tool}.1")
    add_custom_command(OUTPUT "${_page}"
      COMMAND ${CMAKE_COMMAND} -E make_directory "${CMAKE_CURRENT_BINARY_DIR}/man"
      COMMAND ${STSE_EMU_HELP2MAN} --no-info --section=1 "--name=${_stse_man_${tool}}"
              "--include=${PROJECT_SOURCE_DIR}/docs/man/${tool}.h2m" "--output=${_page}"
              $<TARGET_FILE:${tool}>
      DEPENDS ${tool} "${PROJECT_SOURCE_DIR}/docs/man/${tool}.h2m"
      COMMENT "help2man: ${tool}.1" VERBATIM)
    list(APPEND _stse_pages "${_page}")
  endforeach()
  add_custom_target(stsafe_emu_man ALL DEPENDS ${_stse_pages})
  install(FILES ${_stse_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man pages will be installed (apt-get install help2man)")
endif()

install(FILES README.md LICENSE CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
        PATTERN notes EXCLUDE PATTERN man EXCLUDE)
install(DIRECTORY vectors/traces/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/traces)

# ---- CMake package config ----------------------------------------------------
install(EXPORT stsafe_emuTargets NAMESPACE stsafe_emu:: DESTINATION ${STSE_EMU_CMAKEDIR})
set(STSE_EMU_MBEDTLS_HINT "")
if(NOT MBEDTLS_INCLUDE_DIR STREQUAL "/usr/include")
  get_filename_component(STSE_EMU_MBEDTLS_HINT "${MBEDTLS_INCLUDE_DIR}" DIRECTORY)
endif()
configure_package_config_file(cmake/stsafe_emuConfig.cmake.in
  "${CMAKE_CURRENT_BINARY_DIR}/stsafe_emuConfig.cmake" INSTALL_DESTINATION ${STSE_EMU_CMAKEDIR})
# 0.x: a minor version may change the API, so 0.2 accepts 0.2.* only.
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/stsafe_emuConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/stsafe_emuConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/stsafe_emuConfigVersion.cmake" DESTINATION ${STSE_EMU_CMAKEDIR})
# The mbedTLS lookup, the same file this build used (cmake/Dependencies.cmake).
install(FILES cmake/Dependencies.cmake DESTINATION ${STSE_EMU_CMAKEDIR} RENAME stsafe_emuDependencies.cmake)

# ---- pkg-config ---------------------------------------------------------------
include(cmake/PkgConfig.cmake)

# ---- the Debian package (cpack) ------------------------------------------------
include(cmake/Package.cmake)
