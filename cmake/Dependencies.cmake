# SPDX-License-Identifier: BSD-3-Clause
# Third-party libraries, all from Debian packages. Each failure names the package to install.
#
# mbedTLS is looked up here and nowhere else: the installed package config
# (cmake/stsafe_emuConfig.cmake.in) includes this very file, installed beside
# it, with STSE_EMU_DEPS_MBEDTLS_ONLY set, so a consumer of
# find_package(stsafe_emu) finds mbedTLS the way this build did. The result is
# the imported target stsafe_emu_mbedtls (alias stsafe_emu::mbedtls), which the
# exported targets name.

# --- mbedTLS --------------------------------------------------------------
# Looked up here and nowhere else; the block reads only the two cache
# variables below and leaves the imported target stsafe_emu_mbedtls and these
# variables, so a package config can run it again as it is:
#   MBEDTLS_INCLUDE_DIR, MBEDTLS_LIBRARY, MBEDX509_LIBRARY, MBEDCRYPTO_LIBRARY
#   MBEDTLS_VERSION               e.g. 2.28.3 or 3.6.6
#   STSE_EMU_MBEDTLS_PK_TABLE     ON on 2.28: the pk-table adapter (stsafe_tls) is built
#   STSE_EMU_MBEDTLS_PSA_SE       ON when the library has PSA_CRYPTO_SE_C and USE_PSA_CRYPTO: stsafe_psa is built
# Two versions are supported (docs/mbedtls.md): 2.28 (Debian 12's
# libmbedtls-dev, the default) and 3.6 LTS (ci/build-mbedtls3).
set(STSE_EMU_MBEDTLS_PREFIX "" CACHE PATH
    "An mbedTLS 2.28 or 3.6 installation (with include/ and lib/) to use instead of the system's")
set(STSE_EMU_MBEDTLS_USER_CONFIG_FILE "" CACHE STRING
    "The header mbedTLS was built with as MBEDTLS_USER_CONFIG_FILE; defined for every compile. \
Empty: none, or the prefix's include/stsafe_psa_config.h if it has one (ci/build-mbedtls3's PSA build)")

if(NOT TARGET stsafe_emu_mbedtls)
  # A changed prefix searches again (the results are cached).
  if(NOT "${STSE_EMU_MBEDTLS_PREFIX}" STREQUAL "${_STSE_EMU_MBEDTLS_PREFIX_SEARCHED}")
    unset(MBEDTLS_INCLUDE_DIR CACHE)
    unset(MBEDTLS_LIBRARY CACHE)
    unset(MBEDX509_LIBRARY CACHE)
    unset(MBEDCRYPTO_LIBRARY CACHE)
    set(_STSE_EMU_MBEDTLS_PREFIX_SEARCHED "${STSE_EMU_MBEDTLS_PREFIX}" CACHE INTERNAL "")
  endif()
  if(STSE_EMU_MBEDTLS_PREFIX)
    # The prefix only: a header from /usr/include beside a library from the
    # prefix would be a silent ABI mismatch.
    set(_stse_mbed_where "in STSE_EMU_MBEDTLS_PREFIX=${STSE_EMU_MBEDTLS_PREFIX}")
    find_path(MBEDTLS_INCLUDE_DIR mbedtls/version.h PATHS "${STSE_EMU_MBEDTLS_PREFIX}/include" NO_DEFAULT_PATH)
    find_library(MBEDTLS_LIBRARY mbedtls PATHS "${STSE_EMU_MBEDTLS_PREFIX}/lib" NO_DEFAULT_PATH)
    find_library(MBEDX509_LIBRARY mbedx509 PATHS "${STSE_EMU_MBEDTLS_PREFIX}/lib" NO_DEFAULT_PATH)
    find_library(MBEDCRYPTO_LIBRARY mbedcrypto PATHS "${STSE_EMU_MBEDTLS_PREFIX}/lib" NO_DEFAULT_PATH)
  else()
    set(_stse_mbed_where "on this system")
    find_path(MBEDTLS_INCLUDE_DIR mbedtls/version.h)
    find_library(MBEDTLS_LIBRARY mbedtls)
    find_library(MBEDX509_LIBRARY mbedx509)
    find_library(MBEDCRYPTO_LIBRARY mbedcrypto)
  endif()
  if(NOT MBEDTLS_INCLUDE_DIR OR NOT MBEDTLS_LIBRARY OR NOT MBEDX509_LIBRARY OR NOT MBEDCRYPTO_LIBRARY)
    if(STSE_EMU_MBEDTLS_PREFIX)
      message(FATAL_ERROR "mbedTLS not found ${_stse_mbed_where}: it needs include/mbedtls/version.h and "
                          "lib/libmbedtls, lib/libmbedx509, lib/libmbedcrypto (ci/build-mbedtls3 makes "
                          "build/deps/mbedtls-3.6-deb and build/deps/mbedtls-3.6-psa).")
    endif()
    message(FATAL_ERROR "mbedTLS 2.28 not found: install the Debian package 'libmbedtls-dev' "
                        "(apt-get install libmbedtls-dev), or run ci/test as root, which installs it; "
                        "or give an mbedTLS 3.6 with -DSTSE_EMU_MBEDTLS_PREFIX=DIR (docs/mbedtls.md).")
  endif()

  # 2.x has the version in version.h, 3.x in build_info.h.
  set(MBEDTLS_VERSION "")
  foreach(_hdr build_info.h version.h)
    if(NOT MBEDTLS_VERSION AND EXISTS "${MBEDTLS_INCLUDE_DIR}/mbedtls/${_hdr}")
      file(STRINGS "${MBEDTLS_INCLUDE_DIR}/mbedtls/${_hdr}" _stse_mbed_ver
           REGEX "^#define MBEDTLS_VERSION_STRING +\"[0-9.]+\"")
      string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" MBEDTLS_VERSION "${_stse_mbed_ver}")
    endif()
  endforeach()
  if(NOT MBEDTLS_VERSION MATCHES "^(2\\.28|3\\.6)\\.")
    message(FATAL_ERROR "mbedTLS 2.28 or 3.6 is required (found '${MBEDTLS_VERSION}' in ${MBEDTLS_INCLUDE_DIR}): "
                        "install Debian 12's 'libmbedtls-dev', or run ci/build-mbedtls3 and configure with "
                        "-DSTSE_EMU_MBEDTLS_PREFIX=build/deps/mbedtls-3.6-deb.")
  endif()

  # The user configuration the library was built with. ci/build-mbedtls3
  # leaves a copy of its header in the PSA prefix: compiling without it
  # against that library would be an ABI mismatch, so it is taken by default.
  set(_stse_mbed_user_config "${STSE_EMU_MBEDTLS_USER_CONFIG_FILE}")
  if(NOT _stse_mbed_user_config AND STSE_EMU_MBEDTLS_PREFIX
     AND EXISTS "${MBEDTLS_INCLUDE_DIR}/stsafe_psa_config.h")
    set(_stse_mbed_user_config "stsafe_psa_config.h")
  endif()
  if(_stse_mbed_user_config AND MBEDTLS_VERSION MATCHES "^2\\.")
    message(FATAL_ERROR "STSE_EMU_MBEDTLS_USER_CONFIG_FILE is for mbedTLS 3.6 (found ${MBEDTLS_VERSION})")
  endif()

  set(STSE_EMU_MBEDTLS_PK_TABLE OFF)
  if(MBEDTLS_VERSION MATCHES "^2\\.28\\.")
    set(STSE_EMU_MBEDTLS_PK_TABLE ON)
  endif()

  # Imported and global: a consumer's other directories see it too.
  find_package(Threads REQUIRED) # a static 3.6 built with MBEDTLS_THREADING_PTHREAD needs it
  add_library(stsafe_emu_mbedtls INTERFACE IMPORTED GLOBAL)
  set_target_properties(stsafe_emu_mbedtls PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${MBEDTLS_INCLUDE_DIR}"
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${MBEDTLS_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${MBEDTLS_LIBRARY};${MBEDX509_LIBRARY};${MBEDCRYPTO_LIBRARY};Threads::Threads")
  if(_stse_mbed_user_config)
    set_property(TARGET stsafe_emu_mbedtls PROPERTY
      INTERFACE_COMPILE_DEFINITIONS "MBEDTLS_USER_CONFIG_FILE=\"${_stse_mbed_user_config}\"")
  endif()
  add_library(stsafe_emu::mbedtls ALIAS stsafe_emu_mbedtls)

  set(_stse_mbed_msg "mbedTLS ${MBEDTLS_VERSION}: ${MBEDTLS_INCLUDE_DIR}, ${MBEDCRYPTO_LIBRARY}")
  if(_stse_mbed_user_config)
    string(APPEND _stse_mbed_msg "; MBEDTLS_USER_CONFIG_FILE=\"${_stse_mbed_user_config}\"")
  endif()
  # The PSA secure-element route (harness/psa) needs MBEDTLS_PSA_CRYPTO_SE_C and
  # MBEDTLS_USE_PSA_CRYPTO (mbedtls_pk_setup_opaque) in the configuration
  # the library was built with.
  include(CheckSymbolExists)
  unset(STSE_EMU_MBEDTLS_HAS_SE_C CACHE)
  unset(STSE_EMU_MBEDTLS_HAS_USE_PSA CACHE)
  set(CMAKE_REQUIRED_INCLUDES "${MBEDTLS_INCLUDE_DIR}")
  set(CMAKE_REQUIRED_DEFINITIONS "")
  if(_stse_mbed_user_config)
    set(CMAKE_REQUIRED_DEFINITIONS "-DMBEDTLS_USER_CONFIG_FILE=\"${_stse_mbed_user_config}\"")
  endif()
  set(CMAKE_REQUIRED_QUIET ON)
  set(STSE_EMU_MBEDTLS_PSA_SE OFF)
  if(MBEDTLS_VERSION MATCHES "^3\\.")
    check_symbol_exists(MBEDTLS_PSA_CRYPTO_SE_C "mbedtls/build_info.h" STSE_EMU_MBEDTLS_HAS_SE_C)
    check_symbol_exists(MBEDTLS_USE_PSA_CRYPTO "mbedtls/build_info.h" STSE_EMU_MBEDTLS_HAS_USE_PSA)
    if(STSE_EMU_MBEDTLS_HAS_SE_C AND STSE_EMU_MBEDTLS_HAS_USE_PSA)
      set(STSE_EMU_MBEDTLS_PSA_SE ON)
    endif()
  endif()
  unset(CMAKE_REQUIRED_INCLUDES)
  unset(CMAKE_REQUIRED_DEFINITIONS)
  unset(CMAKE_REQUIRED_QUIET)

  if(NOT STSE_EMU_MBEDTLS_PK_TABLE)
    string(APPEND _stse_mbed_msg "; no pk-table adapter (stsafe_tls needs 2.28)")
  endif()
  message(STATUS "${_stse_mbed_msg}")
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

# stse_emu_skip_test(NAME REASON): a test this build cannot run, registered
# anyway so that ctest reports it as skipped, with REASON in its output,
# instead of leaving it out silently (e.g. the mbedTLS 2.28-only tests on 3.6).
function(stse_emu_skip_test name reason)
  add_test(NAME ${name} COMMAND sh -c "echo \"$1: skipped: $2\"; exit 77" sh ${name} "${reason}")
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
endfunction()
