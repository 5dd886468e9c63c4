# SPDX-License-Identifier: BSD-3-Clause
# stse_emu_add_module(TARGET NAME name SOURCES src... LINK deps...)
#
# One module library (docs/architecture.md), built both ways from one set of
# position-independent objects (TARGET_objects):
#   TARGET         static, libstsafe-emu-NAME.a, alias stsafe_emu::NAME; what
#                  the tools, the tests and static consumers link;
#   TARGET_shared  shared, libstsafe-emu-NAME.so.MAJOR.MINOR (STSE_EMU_BUILD_SHARED),
#                  alias stsafe_emu::NAME_shared; it links the shared variants
#                  of the modules it uses.
# Public headers are MODULE/include/stsafe/NAME/*.h, installed as
# include/stsafe/NAME/*.h (cmake/Install.cmake installs every module listed
# in the global property STSE_EMU_MODULES).
# Position-independent code would keep gcc from inlining or calling directly
# a module's global functions within their own file (a shared library's
# symbols may be interposed); nothing interposes ours, so the static variant
# the tools and tests link is as fast as before it was PIC.
include(CheckCCompilerFlag)
check_c_compiler_flag(-fno-semantic-interposition STSE_EMU_HAVE_NO_SEMANTIC_INTERPOSITION)

function(stse_emu_add_module target)
  cmake_parse_arguments(M "" "NAME" "SOURCES;LINK" ${ARGN})
  set(inc "${CMAKE_CURRENT_SOURCE_DIR}/include")

  add_library(${target}_objects OBJECT ${M_SOURCES})
  set_target_properties(${target}_objects PROPERTIES POSITION_INDEPENDENT_CODE ON)
  if(STSE_EMU_HAVE_NO_SEMANTIC_INTERPOSITION)
    target_compile_options(${target}_objects PRIVATE -fno-semantic-interposition)
  endif()
  target_include_directories(${target}_objects PUBLIC "$<BUILD_INTERFACE:${inc}>")
  target_link_libraries(${target}_objects PUBLIC ${M_LINK})

  add_library(${target} STATIC $<TARGET_OBJECTS:${target}_objects>)
  add_library(stsafe_emu::${M_NAME} ALIAS ${target})
  set(variants ${target})

  if(STSE_EMU_BUILD_SHARED)
    set(shared_link "")
    foreach(dep IN LISTS M_LINK)
      if(TARGET ${dep}_shared)
        list(APPEND shared_link ${dep}_shared)
      else()
        list(APPEND shared_link ${dep})
      endif()
    endforeach()
    add_library(${target}_shared SHARED $<TARGET_OBJECTS:${target}_objects>)
    add_library(stsafe_emu::${M_NAME}_shared ALIAS ${target}_shared)
    target_link_libraries(${target}_shared PUBLIC ${shared_link})
    # RUNPATH $ORIGIN: a module finds the modules it needs beside it, in any prefix.
    set_target_properties(${target}_shared PROPERTIES
      VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
      EXPORT_NAME ${M_NAME}_shared INSTALL_RPATH "$ORIGIN")
    list(APPEND variants ${target}_shared)
  endif()

  target_link_libraries(${target} PUBLIC ${M_LINK})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${M_NAME})
  foreach(v IN LISTS variants)
    set_target_properties(${v} PROPERTIES OUTPUT_NAME stsafe-emu-${M_NAME})
    target_include_directories(${v} PUBLIC "$<BUILD_INTERFACE:${inc}>"
                                           "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")
  endforeach()
  set_property(GLOBAL APPEND PROPERTY STSE_EMU_MODULES ${target})
  set_property(TARGET ${target} PROPERTY STSE_EMU_MODULE_NAME ${M_NAME})
  set_property(TARGET ${target} PROPERTY STSE_EMU_MODULE_INCLUDE ${inc})
  set_property(TARGET ${target} PROPERTY STSE_EMU_MODULE_LINK ${M_LINK})
endfunction()
