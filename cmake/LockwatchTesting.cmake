# Test helpers: every test is a CTest test with a label (unit, golden, integration) and a
# timeout, so a test that hangs fails fast instead of stalling CI.

find_package(PkgConfig REQUIRED)
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)

# lw_add_unit_test(NAME SOURCES src... [LIBS lib...])
# One cmocka executable per detector/core module, linked against the detector library.
function(lw_add_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE lockwatch_detector PkgConfig::CMOCKA ${ARG_LIBS})
  lw_target_warnings(${name})
  lw_target_sanitize(${name})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/unit)
  add_test(NAME unit.${name} COMMAND ${name})
  set_tests_properties(unit.${name} PROPERTIES LABELS unit TIMEOUT 120)
endfunction()

# lw_add_integration_test(NAME COMMAND cmd... [TIMEOUT sec] [LABELS l...])
# A test that runs real programs under build/bin/lockwatch.
function(lw_add_integration_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "COMMAND;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 60)
  endif()
  add_test(NAME integration.${name} COMMAND ${ARG_COMMAND})
  set_tests_properties(integration.${name} PROPERTIES
    LABELS "integration;${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "LOCKWATCH=${CMAKE_BINARY_DIR}/bin/lockwatch;NO_COLOR=1")
endfunction()
