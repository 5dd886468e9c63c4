# SPDX-License-Identifier: BSD-3-Clause
# One pkg-config file per module library, stsafe-emu-MODULE.pc, installed in
# LIBDIR/pkgconfig. They are relocatable (prefix from ${pcfiledir}), Require
# the modules below them, and the lowest ones (protocol, emulator) carry the
# mbedTLS this build found: -lmbedtls -lmbedx509 -lmbedcrypto, with -L and -I
# only when mbedTLS is outside the compiler's own directories. A shared
# library's dependencies are recorded in it, so `pkg-config --libs` gives the
# shared libraries; `--static` lists the same for a static link.

# mbedTLS as pkg-config flags.
set(_stse_mbed_libs "")
set(_stse_mbed_dirs "")
foreach(lib IN ITEMS MBEDTLS_LIBRARY MBEDX509_LIBRARY MBEDCRYPTO_LIBRARY)
  get_filename_component(_dir "${${lib}}" DIRECTORY)
  get_filename_component(_name "${${lib}}" NAME_WE)
  string(REGEX REPLACE "^lib" "" _name "${_name}")
  list(FIND CMAKE_C_IMPLICIT_LINK_DIRECTORIES "${_dir}" _implicit)
  if(_implicit EQUAL -1)
    list(APPEND _stse_mbed_dirs "-L${_dir}")
  endif()
  string(APPEND _stse_mbed_libs " -l${_name}")
endforeach()
list(REMOVE_DUPLICATES _stse_mbed_dirs)
list(JOIN _stse_mbed_dirs " " _stse_mbed_dirs)
set(STSE_EMU_PC_MBEDTLS_LIBS "${_stse_mbed_dirs}${_stse_mbed_libs}")
string(STRIP "${STSE_EMU_PC_MBEDTLS_LIBS}" STSE_EMU_PC_MBEDTLS_LIBS)
set(STSE_EMU_PC_MBEDTLS_CFLAGS "")
list(FIND CMAKE_C_IMPLICIT_INCLUDE_DIRECTORIES "${MBEDTLS_INCLUDE_DIR}" _implicit)
if(_implicit EQUAL -1)
  set(STSE_EMU_PC_MBEDTLS_CFLAGS " -I${MBEDTLS_INCLUDE_DIR}")
endif()

# pcfiledir/../.. (or deeper for a multiarch LIBDIR) is the prefix.
file(RELATIVE_PATH _stse_pc_up "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" _stse_pc_up "${_stse_pc_up}")
set(_stse_pc_descr_protocol "STSAFE-A110 wire codecs: CRC-16, frames, commands, status codes")
set(_stse_pc_descr_emulator "an emulated STSAFE-A110: chip model, NVM image, stsafe_emu_version()")
set(_stse_pc_descr_trace "I2C traces: format, writer, importers, replay")
set(_stse_pc_descr_bus "the bus primitive: in-process chip, socket client, i2c-dev, faults, recording")
set(_stse_pc_descr_client "STSAFE-A110 host client: one function per command, secure channel")
set(_stse_pc_descr_server "the stsafe-emu socket server: served chips and fleets")
set(_stse_pc_descr_tls "mbedTLS pk adapter whose private key stays in the (emulated) chip")
set(_stse_pc_descr_psa "the chip as a PSA key location (mbedTLS 3.6 with PSA_CRYPTO_SE_C)")

foreach(m IN LISTS _stse_modules)
  get_property(_name TARGET ${m} PROPERTY STSE_EMU_MODULE_NAME)
  get_property(_link TARGET ${m} PROPERTY STSE_EMU_MODULE_LINK)
  set(_requires "")
  set(_extra_libs "")
  set(_extra_cflags "")
  foreach(dep IN LISTS _link)
    if(TARGET ${dep})
      get_property(_dep_name TARGET ${dep} PROPERTY STSE_EMU_MODULE_NAME)
    else()
      set(_dep_name "")
    endif()
    if(_dep_name)
      list(APPEND _requires "stsafe-emu-${_dep_name} = ${PROJECT_VERSION}")
    elseif(dep STREQUAL "stsafe_emu_mbedtls")
      set(_extra_libs " ${STSE_EMU_PC_MBEDTLS_LIBS}")
      set(_extra_cflags "${STSE_EMU_PC_MBEDTLS_CFLAGS}")
    endif()
  endforeach()
  list(JOIN _requires ", " _requires)
  file(GENERATE OUTPUT "${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/stsafe-emu-${_name}.pc" CONTENT
"prefix=\${pcfiledir}/${_stse_pc_up}
libdir=\${prefix}/${CMAKE_INSTALL_LIBDIR}
includedir=\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}

Name: stsafe-emu-${_name}
Description: stsafe-emu ${_name}: ${_stse_pc_descr_${_name}}
Version: ${PROJECT_VERSION}
Requires: ${_requires}
Libs: -L\${libdir} -lstsafe-emu-${_name}${_extra_libs}
Cflags: -I\${includedir}${_extra_cflags}
")
  install(FILES "${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/stsafe-emu-${_name}.pc"
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
