# SPDX-License-Identifier: BSD-3-Clause
# Compiler warnings and sanitizers for every target of the project.
add_compile_options(-Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes
                    -Wmissing-prototypes -Wformat=2 -Wundef)
if(STSE_EMU_WERROR)
  add_compile_options(-Werror)
endif()

# _POSIX_C_SOURCE: fsync, rename, fdopen and friends under -std=c11.
add_compile_definitions(_POSIX_C_SOURCE=200809L)

if(STSE_EMU_SANITIZE)
  string(REPLACE ";" "," _stse_san "${STSE_EMU_SANITIZE}")
  add_compile_options(-fsanitize=${_stse_san} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_stse_san})
endif()

if(STSE_EMU_FUZZ AND NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "STSE_EMU_FUZZ=ON needs clang (libFuzzer): configure with -DCMAKE_C_COMPILER=clang")
endif()
