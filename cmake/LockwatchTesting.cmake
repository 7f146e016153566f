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

# lw_add_report_test(NAME PROGRAM target EXPECT file [SECTION name] [SOURCES src...]
#                    [ARGS arg...] [TIMEOUT sec] [LABELS l...])
# An integration test that runs the program (a target) under lockwatch with a JSON report and
# checks it with tests/integration/check_report.py against an expectation file; SOURCES are the
# files whose `@lock:NAME` markers the expectation refers to.
function(lw_add_report_test name)
  cmake_parse_arguments(ARG "" "PROGRAM;EXPECT;SECTION;TIMEOUT" "SOURCES;ARGS;LABELS" ${ARGN})
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  set(check ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/integration/check_report.py
      --expect ${ARG_EXPECT})
  if(ARG_SECTION)
    list(APPEND check --section ${ARG_SECTION})
  endif()
  foreach(src IN LISTS ARG_SOURCES)
    list(APPEND check --source ${src})
  endforeach()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 60)
  endif()
  lw_add_integration_test(${name}
    COMMAND ${check} -- $<TARGET_FILE:${ARG_PROGRAM}> ${ARG_ARGS}
    TIMEOUT ${ARG_TIMEOUT} LABELS ${ARG_LABELS})
endfunction()

# lw_add_skipped_test(NAME REASON [LABELS l...])
# Stands for tests that cannot run in this build: CTest reports NAME as skipped (exit 77), with
# REASON in its output, never as passed and never silently absent.
function(lw_add_skipped_test name reason)
  cmake_parse_arguments(ARG "" "" "LABELS" ${ARGN})
  add_test(NAME ${name} COMMAND sh -c "echo \"skipped: $1\"; exit 77" sh "${reason}")
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 LABELS "${ARG_LABELS}")
endfunction()
