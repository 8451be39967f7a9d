# Reference RTL co-simulation (included OPTIONALLY from the top-level CMakeLists.txt).
#
# With Verilator on the PATH this Verilates testbench/rtl/fp32_add.v to a C++ model (twice: as
# written, and with BROKEN_TRUNCATE, which must be caught) and registers three tests:
#   test_rtl_fp32_add                    the Verilated adder equals panama::ref::fp32_add bit for bit
#   test_rtl_fp32_add_broken_is_caught   the truncating adder is caught by the same scoreboard
#   test_rtl_lint                        verilator --lint-only -Wall on the whole RTL hierarchy
# Without Verilator the project builds as before and these tests are simply absent.

find_program(VERILATOR_EXECUTABLE verilator)
if(NOT VERILATOR_EXECUTABLE)
  message(STATUS "Verilator not found: RTL co-simulation tests are not built")
  return()
endif()
if(NOT PANAMA_BUILD_TESTS)
  message(STATUS "PANAMA_BUILD_TESTS is OFF: RTL co-simulation tests are not built")
  return()
endif()

execute_process(COMMAND ${VERILATOR_EXECUTABLE} --version
  OUTPUT_VARIABLE PANAMA_VERILATOR_VERSION OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${VERILATOR_EXECUTABLE} --getenv VERILATOR_ROOT
  OUTPUT_VARIABLE PANAMA_VERILATOR_ROOT OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT EXISTS "${PANAMA_VERILATOR_ROOT}/include/verilated.cpp")
  message(STATUS "Verilator runtime not found under '${PANAMA_VERILATOR_ROOT}': RTL co-simulation tests are not built")
  return()
endif()
message(STATUS "RTL co-simulation with ${PANAMA_VERILATOR_VERSION}")

set(PANAMA_RTL_DIR ${CMAKE_SOURCE_DIR}/testbench/rtl)
set(PANAMA_RTL_SOURCES
  ${PANAMA_RTL_DIR}/fp32_add.v
  ${PANAMA_RTL_DIR}/agg_lanes.v
  ${PANAMA_RTL_DIR}/slot_accumulator.v)

# The Verilator runtime, compiled once. It is third-party code: no -Werror, no warnings at all.
add_library(panama_verilated_runtime STATIC
  ${PANAMA_VERILATOR_ROOT}/include/verilated.cpp
  ${PANAMA_VERILATOR_ROOT}/include/verilated_threads.cpp)
target_include_directories(panama_verilated_runtime SYSTEM PUBLIC
  ${PANAMA_VERILATOR_ROOT}/include ${PANAMA_VERILATOR_ROOT}/include/vltstd)
target_compile_options(panama_verilated_runtime PRIVATE -w)
target_link_libraries(panama_verilated_runtime PUBLIC Threads::Threads)

# panama_verilate(<variant> <extra verilator args>...): Verilates fp32_add.v into
# ${CMAKE_BINARY_DIR}/rtl/<variant>/ as class Vfp32_add and builds its static library there.
# The tag is 32 bits wide so that the test can carry a sequence number through the pipeline.
# -Wall here means a lint warning in the RTL fails the build, not only the lint test.
function(panama_verilate variant)
  set(mdir ${CMAKE_BINARY_DIR}/rtl/${variant})
  set(archive ${mdir}/Vfp32_add__ALL.a)
  add_custom_command(
    OUTPUT ${archive} ${mdir}/Vfp32_add.h
    COMMAND ${CMAKE_COMMAND} -E make_directory ${mdir}
    COMMAND ${VERILATOR_EXECUTABLE} --cc --build -j 1 -Wall -GTAG_W=32 ${ARGN}
            --Mdir ${mdir} --prefix Vfp32_add ${PANAMA_RTL_DIR}/fp32_add.v
    DEPENDS ${PANAMA_RTL_DIR}/fp32_add.v
    COMMENT "Verilating fp32_add.v (${variant})"
    VERBATIM)
  add_custom_target(panama_rtl_${variant} DEPENDS ${archive} ${mdir}/Vfp32_add.h)
endfunction()

# panama_rtl_test(<executable> <variant>): the co-simulation test built against one variant.
# softfloat_ref.cpp is compiled in directly, so the RTL tests do not depend on the SystemC models.
function(panama_rtl_test name variant)
  add_executable(${name}
    ${CMAKE_SOURCE_DIR}/tests/rtl/test_rtl_fp32_add.cpp
    ${CMAKE_SOURCE_DIR}/tests/support/softfloat_ref.cpp)
  add_dependencies(${name} panama_rtl_${variant})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  target_include_directories(${name} SYSTEM PRIVATE ${CMAKE_BINARY_DIR}/rtl/${variant})
  target_link_libraries(${name} PRIVATE ${CMAKE_BINARY_DIR}/rtl/${variant}/Vfp32_add__ALL.a
    panama_verilated_runtime)
  target_compile_options(${name} PRIVATE ${PANAMA_WARNINGS})
  set_target_properties(${name} PROPERTIES LINK_DEPENDS ${CMAKE_BINARY_DIR}/rtl/${variant}/Vfp32_add__ALL.a)
endfunction()

panama_verilate(fp32_add)
panama_verilate(fp32_add_broken -DBROKEN_TRUNCATE)

panama_rtl_test(test_rtl_fp32_add fp32_add)
add_test(NAME test_rtl_fp32_add COMMAND test_rtl_fp32_add)

panama_rtl_test(test_rtl_fp32_add_broken fp32_add_broken)
add_test(NAME test_rtl_fp32_add_broken_is_caught COMMAND test_rtl_fp32_add_broken --expect-mismatches)

add_test(NAME test_rtl_lint
  COMMAND ${VERILATOR_EXECUTABLE} --lint-only -Wall --top-module slot_accumulator ${PANAMA_RTL_SOURCES})
set_tests_properties(test_rtl_fp32_add test_rtl_fp32_add_broken_is_caught test_rtl_lint PROPERTIES TIMEOUT 600)
