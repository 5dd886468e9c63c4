# SPDX-License-Identifier: BSD-3-Clause
# Third-party libraries, all from Debian packages. Each failure names the package to install.
#
# mbedTLS is looked up here and nowhere else: the installed package config
# (cmake/stsafe_emuConfig.cmake.in) includes this very file, installed beside
# it, with STSE_EMU_DEPS_MBEDTLS_ONLY set, so a consumer of
# find_package(stsafe_emu) finds mbedTLS the way this build did. The result is
# the imported target stsafe_emu_mbedtls (alias stsafe_emu::mbedtls), which the
# exported targets name.

if(NOT TARGET stsafe_emu_mbedtls)
  find_path(MBEDTLS_INCLUDE_DIR mbedtls/version.h)
  find_library(MBEDTLS_LIBRARY mbedtls)
  find_library(MBEDX509_LIBRARY mbedx509)
  find_library(MBEDCRYPTO_LIBRARY mbedcrypto)
  if(NOT MBEDTLS_INCLUDE_DIR OR NOT MBEDTLS_LIBRARY OR NOT MBEDX509_LIBRARY OR NOT MBEDCRYPTO_LIBRARY)
    message(FATAL_ERROR "mbedTLS 2.28 not found: install the Debian package 'libmbedtls-dev' "
                        "(apt-get install libmbedtls-dev), or run ci/test as root, which installs it.")
  endif()
  file(STRINGS "${MBEDTLS_INCLUDE_DIR}/mbedtls/version.h" _stse_mbed_ver
       REGEX "^#define MBEDTLS_VERSION_STRING +\"[0-9.]+\"")
  string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" MBEDTLS_VERSION "${_stse_mbed_ver}")
  if(NOT MBEDTLS_VERSION MATCHES "^2\\.28\\.")
    message(FATAL_ERROR "mbedTLS 2.28 is required (found '${MBEDTLS_VERSION}' in ${MBEDTLS_INCLUDE_DIR}): "
                        "install Debian 12's 'libmbedtls-dev'.")
  endif()
  message(STATUS "mbedTLS ${MBEDTLS_VERSION}: ${MBEDTLS_INCLUDE_DIR}")

  # Imported and global: exported targets refer to it by name, and a
  # consumer's other directories see it under add_subdirectory.
  add_library(stsafe_emu_mbedtls INTERFACE IMPORTED GLOBAL)
  set_target_properties(stsafe_emu_mbedtls PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${MBEDTLS_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${MBEDTLS_LIBRARY};${MBEDX509_LIBRARY};${MBEDCRYPTO_LIBRARY}")
  add_library(stsafe_emu::mbedtls ALIAS stsafe_emu_mbedtls)
endif()
if(STSE_EMU_DEPS_MBEDTLS_ONLY)
  return()
endif()

# CMocka: for stsafe-emu's own tests only (STSE_EMU_BUILD_TESTING, or the fuzz
# support's test), never for a consumer.
if(STSE_EMU_BUILD_TESTING)
  find_package(cmocka CONFIG QUIET)
  find_path(CMOCKA_INCLUDE_DIR cmocka.h)
  find_library(CMOCKA_LIBRARY cmocka)
  if(NOT CMOCKA_INCLUDE_DIR OR NOT CMOCKA_LIBRARY)
    message(FATAL_ERROR "CMocka not found: install the Debian package 'libcmocka-dev' "
                        "(apt-get install libcmocka-dev), or run ci/test as root, which installs it; "
                        "or configure with -DSTSE_EMU_BUILD_TESTING=OFF.")
  endif()
  add_library(cmocka_deps INTERFACE)
  target_include_directories(cmocka_deps SYSTEM INTERFACE ${CMOCKA_INCLUDE_DIR})
  target_link_libraries(cmocka_deps INTERFACE ${CMOCKA_LIBRARY})
endif()

# stse_emu_add_test(NAME SOURCES... LIBS ...): a CMocka test run by ctest.
function(stse_emu_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} cmocka_deps)
  target_compile_definitions(${name} PRIVATE STSE_EMU_VECTORS_DIR="${STSE_EMU_VECTORS_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=stdout")
endfunction()
