# SPDX-License-Identifier: BSD-3-Clause
# `cpack` in the build tree makes stsafe-emu_VERSION_ARCH.deb: everything
# `cmake --install` puts in a prefix, under /usr. One package, tools and
# development files together (a test harness is a development tool): its
# Depends are the shared libraries the binaries need (dpkg-shlibdeps:
# libc6, libmbedcrypto7, libmbedtls14, libmbedx509-1 on Debian 12) and
# libmbedtls-dev, whose headers the installed headers include.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "stsafe-emu")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "the stsafe-emu authors")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "emulated ST STSAFE-A110 secure element for tests and CI")
set(CPACK_PACKAGE_DESCRIPTION
    "stsafe-emu models the ST STSAFE-A110 secure element in software, with the harness around it:\n"
    "a socket server (stsafe-emu serve), a host tool (stsafe-cli), an LD_PRELOAD shim that routes\n"
    "/dev/i2c-N to a served chip, I2C traces and their replay, and the C libraries behind them\n"
    "(static and shared, with CMake and pkg-config files).")
string(JOIN "" CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # stsafe-emu_0.2.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "the stsafe-emu authors <dev@stsafe-emu.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION "devel")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Our own shared libraries need each other: dpkg-shlibdeps finds them here.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${CMAKE_CURRENT_BINARY_DIR}/protocol;${CMAKE_CURRENT_BINARY_DIR}/emulator;${CMAKE_CURRENT_BINARY_DIR}/harness/trace;${CMAKE_CURRENT_BINARY_DIR}/harness/bus;${CMAKE_CURRENT_BINARY_DIR}/harness/client;${CMAKE_CURRENT_BINARY_DIR}/harness/server;${CMAKE_CURRENT_BINARY_DIR}/harness/tls")
# Debian's mbedTLS headers, when the build used them (an mbedTLS from another
# prefix is the packager's to depend on).
if(MBEDTLS_INCLUDE_DIR STREQUAL "/usr/include")
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" _stse_mbed_mm "${MBEDTLS_VERSION}")
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libmbedtls-dev (>= ${_stse_mbed_mm})")
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
