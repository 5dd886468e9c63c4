# SPDX-License-Identifier: BSD-3-Clause
# Included by the top-level CMakeLists.txt before any library: with
# STSE_EMU_FUZZ=ON (clang only, cmake/Warnings.cmake checks) every target
# of the tree gets libFuzzer's coverage instrumentation, and ASan + UBSan
# unless STSE_EMU_SANITIZE already names sanitizers; fuzz/CMakeLists.txt
# then links the fuzz targets with -fsanitize=fuzzer. docs/fuzzing.md.
if(STSE_EMU_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
  if(NOT STSE_EMU_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
    add_link_options(-fsanitize=address,undefined)
  endif()
endif()
