# Reference RTL co-simulation (included OPTIONALLY from the top-level CMakeLists.txt).
#
# With Verilator on the PATH this Verilates testbench/rtl/fp32_add.v to a C++ model (twice: as
# written, and with BROKEN_TRUNCATE, which must be caught) and registers these tests:
#   test_rtl_fp32_add                    the Verilated adder equals panama::ref::fp32_add bit for bit
#   test_rtl_fp32_add_broken_is_caught   the truncating adder is caught by the same scoreboard
#   test_rtl_lint                        verilator --lint-only -Wall on the whole RTL hierarchy
#   test_cosim                           `panama cosim` machinery: TLM model vs Verilated agg_top
#                                        bit-exact, and its BROKEN_TRUNCATE variant is caught
#   test_rtl_lint_agg_top                verilator --lint-only -Wall on agg_top (the cosim top)
# With Verilator it also builds the panama_cosim library (below) behind `panama cosim`.
# Without Verilator the project builds as before, these tests are simply absent and `panama cosim`
# says it is unavailable (exit 2).

find_program(VERILATOR_EXECUTABLE verilator)
if(NOT VERILATOR_EXECUTABLE)
  message(STATUS "Verilator not found: RTL co-simulation tests and `panama cosim` are not built")
  return()
endif()
execute_process(COMMAND ${VERILATOR_EXECUTABLE} --version
  OUTPUT_VARIABLE PANAMA_VERILATOR_VERSION OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${VERILATOR_EXECUTABLE} --getenv VERILATOR_ROOT
  OUTPUT_VARIABLE PANAMA_VERILATOR_ROOT OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT EXISTS "${PANAMA_VERILATOR_ROOT}/include/verilated.cpp")
  message(STATUS "Verilator runtime not found under '${PANAMA_VERILATOR_ROOT}': RTL co-simulation tests and `panama cosim` are not built")
  return()
endif()
message(STATUS "RTL co-simulation with ${PANAMA_VERILATOR_VERSION}")

# `panama cosim` (testbench/cosim/, docs/cosim.md): the RTL aggregation datapath Verilated as
# SystemC modules (`verilator --sc`) and co-simulated with the TLM accelerator in one elaboration.
# Built whether or not the tests are.
set(PANAMA_COSIM_RTL_SOURCES
  ${CMAKE_SOURCE_DIR}/testbench/rtl/agg_top.v
  ${CMAKE_SOURCE_DIR}/testbench/rtl/slot_accumulator.v
  ${CMAKE_SOURCE_DIR}/testbench/rtl/agg_lanes.v
  ${CMAKE_SOURCE_DIR}/testbench/rtl/fp32_add.v)

# The Verilator runtime for SystemC models (VM_SC=1: verilated.h then includes verilated_sc.h and
# checks SystemC's time resolution). Third-party code: no warnings.
add_library(panama_verilated_sc_runtime STATIC
  ${PANAMA_VERILATOR_ROOT}/include/verilated.cpp
  ${PANAMA_VERILATOR_ROOT}/include/verilated_threads.cpp)
target_include_directories(panama_verilated_sc_runtime SYSTEM PUBLIC
  ${PANAMA_VERILATOR_ROOT}/include ${PANAMA_VERILATOR_ROOT}/include/vltstd)
target_compile_definitions(panama_verilated_sc_runtime PUBLIC VM_SC=1 VM_TRACE=0 VM_COVERAGE=0)
target_compile_options(panama_verilated_sc_runtime PRIVATE -w)
target_link_libraries(panama_verilated_sc_runtime PUBLIC PkgConfig::SYSTEMC Threads::Threads)

# panama_cosim_rtl(<name> TOP <module> LANES <n> SLOTS <n> CHILDREN <n> SOURCES <.v>... [DEFINES <d>...])
# Verilates <module> as the SystemC class V<name> into ${CMAKE_BINARY_DIR}/cosim_rtl/<name>/ and
# registers it under <name> for `panama cosim --rtl-top <name>`. The module must have agg_top's
# pins (testbench/rtl/agg_top.v, docs/cosim.md); LANES, SLOTS, CHILDREN tell the transactor its sizes.
set(PANAMA_SYSTEMC_INCLUDE "${SYSTEMC_INCLUDEDIR}")  # from pkg-config systemc
if(NOT PANAMA_SYSTEMC_INCLUDE)
  set(PANAMA_SYSTEMC_INCLUDE /usr/include)
endif()
set(PANAMA_COSIM_VARIANTS "")
function(panama_cosim_rtl name)
  cmake_parse_arguments(V "" "TOP;LANES;SLOTS;CHILDREN" "SOURCES;DEFINES" ${ARGN})
  set(mdir ${CMAKE_BINARY_DIR}/cosim_rtl/${name})
  set(defs "")
  foreach(d ${V_DEFINES})
    list(APPEND defs -D${d})
  endforeach()
  # The generated sources need SystemC: SYSTEMC_INCLUDE for Verilator's makefile, and C++17 to
  # match Debian's libsystemc (its API version symbol is C++17-specific).
  add_custom_command(
    OUTPUT ${mdir}/V${name}__ALL.a ${mdir}/V${name}.h
    COMMAND ${CMAKE_COMMAND} -E make_directory ${mdir}
    COMMAND ${CMAKE_COMMAND} -E env SYSTEMC_INCLUDE=${PANAMA_SYSTEMC_INCLUDE}
            ${VERILATOR_EXECUTABLE} --sc --build -j 1 -Wall ${defs} -CFLAGS "-std=c++17 -O2"
            --Mdir ${mdir} --prefix V${name} --top-module ${V_TOP} ${V_SOURCES}
    DEPENDS ${V_SOURCES}
    COMMENT "Verilating ${V_TOP} as SystemC model V${name}"
    VERBATIM)
  add_custom_target(panama_cosim_rtl_${name} DEPENDS ${mdir}/V${name}__ALL.a ${mdir}/V${name}.h)
  set(PANAMA_COSIM_VARIANTS ${PANAMA_COSIM_VARIANTS}
      "${name}|${V_LANES}|${V_SLOTS}|${V_CHILDREN}" PARENT_SCOPE)
endfunction()

panama_cosim_rtl(agg_top TOP agg_top LANES 4 SLOTS 128 CHILDREN 8 SOURCES ${PANAMA_COSIM_RTL_SOURCES})
panama_cosim_rtl(agg_top_broken TOP agg_top LANES 4 SLOTS 128 CHILDREN 8 SOURCES ${PANAMA_COSIM_RTL_SOURCES}
  DEFINES BROKEN_TRUNCATE)

# The registry of Verilated tops (testbench/cosim/rtl_registry.h), generated from the list above.
set(reg_includes "")
set(reg_entries "")
set(PANAMA_COSIM_ARCHIVES "")
set(PANAMA_COSIM_INCLUDES "")
foreach(v ${PANAMA_COSIM_VARIANTS})
  string(REPLACE "|" ";" f "${v}")
  list(GET f 0 n)
  list(GET f 1 lanes)
  list(GET f 2 slots)
  list(GET f 3 children)
  string(APPEND reg_includes "#include \"V${n}.h\"\n")
  string(APPEND reg_entries "      {\"${n}\", ${lanes}, ${slots}, ${children}, &make_rtl<V${n}>},\n")
  list(APPEND PANAMA_COSIM_ARCHIVES ${CMAKE_BINARY_DIR}/cosim_rtl/${n}/V${n}__ALL.a)
  list(APPEND PANAMA_COSIM_INCLUDES ${CMAKE_BINARY_DIR}/cosim_rtl/${n})
endforeach()
file(WRITE ${CMAKE_BINARY_DIR}/cosim_rtl/rtl_registry.cpp.in
"// Generated by cmake/Verilator.cmake (panama_cosim_rtl): the Verilated tops `panama cosim` knows.
#include \"cosim/rtl_registry.h\"
${reg_includes}
namespace panama::cosim {
const std::vector<RtlVariant>& rtl_variants() {
  static const std::vector<RtlVariant> v = {
${reg_entries}  };
  return v;
}
}  // namespace panama::cosim
")
configure_file(${CMAKE_BINARY_DIR}/cosim_rtl/rtl_registry.cpp.in ${CMAKE_BINARY_DIR}/cosim_rtl/rtl_registry.cpp COPYONLY)

file(GLOB PANAMA_COSIM_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/testbench/cosim/*.cpp)
# softfloat_ref.cpp: the integer-only reference that names the right answer of a first mismatch.
add_library(panama_cosim STATIC ${PANAMA_COSIM_SOURCES} ${CMAKE_BINARY_DIR}/cosim_rtl/rtl_registry.cpp
  ${CMAKE_SOURCE_DIR}/tests/support/softfloat_ref.cpp)
foreach(v ${PANAMA_COSIM_VARIANTS})
  string(REPLACE "|" ";" f "${v}")
  list(GET f 0 n)
  add_dependencies(panama_cosim panama_cosim_rtl_${n})
endforeach()
target_include_directories(panama_cosim SYSTEM PRIVATE ${PANAMA_COSIM_INCLUDES})
target_include_directories(panama_cosim PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(panama_cosim PUBLIC panama_testbench ${PANAMA_COSIM_ARCHIVES} panama_verilated_sc_runtime)
target_compile_options(panama_cosim PRIVATE ${PANAMA_WARNINGS})
set_target_properties(panama_cosim PROPERTIES LINK_DEPENDS "${PANAMA_COSIM_ARCHIVES}")

target_link_libraries(panama PRIVATE panama_cosim)
target_compile_definitions(panama PRIVATE PANAMA_HAVE_COSIM=1)

if(NOT PANAMA_BUILD_TESTS)
  message(STATUS "PANAMA_BUILD_TESTS is OFF: RTL co-simulation tests are not built")
  return()
endif()

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

# Co-simulation of the TLM accelerator against the Verilated agg_top (and its broken variant).
add_executable(test_cosim ${CMAKE_SOURCE_DIR}/tests/rtl/test_cosim.cpp ${CMAKE_SOURCE_DIR}/tests/sc_main_stub.cpp)
find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)  # its targets are tests/-scoped
target_link_libraries(test_cosim PRIVATE panama_cosim Boost::unit_test_framework)
target_compile_definitions(test_cosim PRIVATE BOOST_TEST_DYN_LINK)
target_compile_options(test_cosim PRIVATE ${PANAMA_WARNINGS})
target_link_options(test_cosim PRIVATE ${PANAMA_NO_LTO_LINK})  # the libraries' ordinary code
add_test(NAME test_cosim COMMAND test_cosim --log_level=test_suite --report_level=short)
add_test(NAME test_rtl_lint_agg_top
  COMMAND ${VERILATOR_EXECUTABLE} --lint-only -Wall --top-module agg_top ${PANAMA_COSIM_RTL_SOURCES})
set_tests_properties(test_cosim test_rtl_lint_agg_top PROPERTIES TIMEOUT 900)
