# Third-party libraries, all from Debian packages. Each failure names the package to install.

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

add_library(stsafe_emu_mbedtls INTERFACE)
target_include_directories(stsafe_emu_mbedtls SYSTEM INTERFACE ${MBEDTLS_INCLUDE_DIR})
target_link_libraries(stsafe_emu_mbedtls INTERFACE ${MBEDTLS_LIBRARY} ${MBEDX509_LIBRARY} ${MBEDCRYPTO_LIBRARY})

find_package(cmocka CONFIG QUIET)
find_path(CMOCKA_INCLUDE_DIR cmocka.h)
find_library(CMOCKA_LIBRARY cmocka)
if(NOT CMOCKA_INCLUDE_DIR OR NOT CMOCKA_LIBRARY)
  message(FATAL_ERROR "CMocka not found: install the Debian package 'libcmocka-dev' "
                      "(apt-get install libcmocka-dev), or run ci/test as root, which installs it.")
endif()
add_library(cmocka_deps INTERFACE)
target_include_directories(cmocka_deps SYSTEM INTERFACE ${CMOCKA_INCLUDE_DIR})
target_link_libraries(cmocka_deps INTERFACE ${CMOCKA_LIBRARY})

# stse_emu_add_test(NAME SOURCES... LIBS ...): a CMocka test run by ctest.
function(stse_emu_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} cmocka_deps)
  target_compile_definitions(${name} PRIVATE STSE_EMU_VECTORS_DIR="${STSE_EMU_VECTORS_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=stdout")
endfunction()
