# Scenario helper: every scenarios/NAME directory holds broken.c and fixed.c (or broken.cpp and
# fixed.cpp), built the same way (C11 / C++17, -g -O0 so every marked line survives, -pthread,
# warnings as errors) into build/scenarios/NAME/{broken,fixed}, beside a copy of the scenario's
# README.md, expect and sources: `lockwatch demo` reads them there (bin/../scenarios) and, once
# installed, in share/lockwatch/scenarios. The tests that run them under lockwatch are registered
# in tests/integration from the lists this keeps (global properties LW_SCENARIOS and
# LW_SCENARIO_<name>_VARIANTS / _<variant>_SOURCE), because tests exist only when
# LOCKWATCH_TESTS is on.
#
# Race scenarios (TSAN) also get broken-tsan and fixed-tsan, built by clang with
# -fsanitize=thread: lockwatch checks lock order, ThreadSanitizer finds the data races, and
# lockwatch reports TSan's races as `data-race` findings. clang is called directly (the project
# may be built with gcc), so those two are custom commands wrapped in imported executables.

set(LW_SCENARIO_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/lockwatch/scenarios)

# One check per configuration: does clang's ThreadSanitizer build and run a threaded program
# here? (It needs clang's runtime and a kernel memory layout TSan accepts.)
function(lw_check_tsan)
  if(DEFINED CACHE{LW_TSAN_WORKS})
    return()
  endif()
  find_program(LW_CLANG NAMES clang clang-16 clang-15 clang-14)
  find_program(LW_CLANGXX NAMES clang++ clang++-16 clang++-15 clang++-14)
  set(works OFF)
  set(why "no clang found")
  if(LW_CLANG)
    set(dir ${CMAKE_BINARY_DIR}/CMakeFiles/lw-tsan-check)
    file(MAKE_DIRECTORY ${dir})
    file(WRITE ${dir}/check.c
      "#include <pthread.h>\nstatic void *run(void *a) { return a; }\n"
      "int main(void) { pthread_t t; if (pthread_create(&t, 0, run, 0)) return 1;\n"
      "  return pthread_join(t, 0); }\n")
    execute_process(COMMAND ${LW_CLANG} -fsanitize=thread -g -pthread ${dir}/check.c
                            -o ${dir}/check
                    RESULT_VARIABLE built OUTPUT_QUIET ERROR_QUIET)
    set(why "${LW_CLANG} -fsanitize=thread cannot build a program")
    if(built EQUAL 0)
      execute_process(COMMAND ${dir}/check RESULT_VARIABLE ran OUTPUT_QUIET ERROR_QUIET)
      set(why "a ThreadSanitizer program built by ${LW_CLANG} does not run here")
      if(ran EQUAL 0)
        set(works ON)
      endif()
    endif()
  endif()
  if(works)
    message(STATUS "Scenarios: ThreadSanitizer builds (broken-tsan, fixed-tsan) with ${LW_CLANG}")
  else()
    message(STATUS "Scenarios: no ThreadSanitizer builds: ${why}")
  endif()
  set(LW_TSAN_WORKS ${works} CACHE BOOL "clang's ThreadSanitizer works for the scenarios")
endfunction()

# Builds one TSan variant of a scenario as build/scenarios/NAME/VARIANT-tsan with clang and
# makes it an imported executable scenario-NAME-VARIANT-tsan, so tests can name it like any
# other target.
function(lw_add_tsan_variant name variant source cxx)
  set(output ${CMAKE_BINARY_DIR}/scenarios/${name}/${variant}-tsan)
  if(cxx)
    set(compiler ${LW_CLANGXX})
    set(std -std=c++17)
  else()
    set(compiler ${LW_CLANG})
    set(std -std=c11)
  endif()
  add_custom_command(OUTPUT ${output}
    COMMAND ${compiler} ${std} -fsanitize=thread -g -O0 -pthread ${LW_WARNINGS}
            ${source} -o ${output}
    DEPENDS ${source}
    COMMENT "Building scenario ${name}/${variant}-tsan with ThreadSanitizer"
    VERBATIM)
  add_custom_target(scenario-${name}-${variant}-tsan-build ALL DEPENDS ${output})
  add_executable(scenario-${name}-${variant}-tsan IMPORTED GLOBAL)
  set_target_properties(scenario-${name}-${variant}-tsan PROPERTIES IMPORTED_LOCATION ${output})
  add_dependencies(scenarios scenario-${name}-${variant}-tsan-build)
  install(PROGRAMS ${output} DESTINATION ${LW_SCENARIO_INSTALL_DIR}/${name})
endfunction()

# `cmake --build build --target scenarios` builds every scenario program.
if(NOT TARGET scenarios)
  add_custom_target(scenarios)
endif()

# lw_add_scenario(NAME [TSAN]): builds scenario-NAME-broken and scenario-NAME-fixed (and, with
# TSAN and a working clang TSan, scenario-NAME-broken-tsan and -fixed-tsan).
function(lw_add_scenario name)
  cmake_parse_arguments(ARG "TSAN" "" "" ${ARGN})
  set(dir ${CMAKE_CURRENT_SOURCE_DIR}/${name})
  set(out ${CMAKE_BINARY_DIR}/scenarios/${name})
  set(cxx OFF)
  set(ext c)
  if(EXISTS ${dir}/broken.cpp)
    set(cxx ON)
    set(ext cpp)
  endif()
  set(variants broken fixed)
  foreach(variant broken fixed)
    set(target scenario-${name}-${variant})
    set(source ${dir}/${variant}.${ext})
    add_executable(${target} ${source})
    lw_target_warnings(${target})
    # -O0 after the build type's flags: the programs teach, their lines must map one to one.
    target_compile_options(${target} PRIVATE -g -O0 -pthread)
    target_link_options(${target} PRIVATE -pthread)
    set_target_properties(${target} PROPERTIES
      OUTPUT_NAME ${variant}
      RUNTIME_OUTPUT_DIRECTORY ${out})
    add_dependencies(scenarios ${target})
    install(TARGETS ${target} RUNTIME DESTINATION ${LW_SCENARIO_INSTALL_DIR}/${name})
    set_property(GLOBAL PROPERTY LW_SCENARIO_${name}_${variant}_SOURCE ${source})
  endforeach()
  if(ARG_TSAN)
    lw_check_tsan()
    if(LW_TSAN_WORKS)
      foreach(variant broken fixed)
        lw_add_tsan_variant(${name} ${variant} ${dir}/${variant}.${ext} ${cxx})
        set_property(GLOBAL PROPERTY LW_SCENARIO_${name}_${variant}-tsan_SOURCE
                     ${dir}/${variant}.${ext})
        list(APPEND variants ${variant}-tsan)
      endforeach()
    else()
      # The tests report these variants as skipped (tests/integration), not absent.
      set_property(GLOBAL PROPERTY LW_SCENARIO_${name}_MISSING_VARIANTS broken-tsan fixed-tsan)
    endif()
  endif()
  # The texts `lockwatch demo` shows, beside the programs (copied again when they change).
  foreach(file README.md expect broken.${ext} fixed.${ext})
    configure_file(${dir}/${file} ${out}/${file} COPYONLY)
    install(FILES ${dir}/${file} DESTINATION ${LW_SCENARIO_INSTALL_DIR}/${name})
  endforeach()
  set_property(GLOBAL PROPERTY LW_SCENARIO_${name}_VARIANTS ${variants})
  set_property(GLOBAL APPEND PROPERTY LW_SCENARIOS ${name})
endfunction()

# lw_add_python_scenario(NAME): a scenario whose programs are broken.py and fixed.py, run by
# python3 (nothing to build): copied beside the README and expect like the others, added to the
# demo's index, and tested (tests/integration) on the system's python3 when there is one.
function(lw_add_python_scenario name)
  set(dir ${CMAKE_CURRENT_SOURCE_DIR}/${name})
  set(out ${CMAKE_BINARY_DIR}/scenarios/${name})
  foreach(file README.md expect broken.py fixed.py)
    configure_file(${dir}/${file} ${out}/${file} COPYONLY)
    install(FILES ${dir}/${file} DESTINATION ${LW_SCENARIO_INSTALL_DIR}/${name})
  endforeach()
  foreach(variant broken fixed)
    set_property(GLOBAL PROPERTY LW_SCENARIO_${name}_${variant}_SOURCE ${dir}/${variant}.py)
  endforeach()
  set_property(GLOBAL PROPERTY LW_SCENARIO_${name}_VARIANTS broken fixed)
  set_property(GLOBAL PROPERTY LW_SCENARIO_${name}_PYTHON ON)
  set_property(GLOBAL APPEND PROPERTY LW_SCENARIOS ${name})
endfunction()

# lw_write_scenario_index(): writes build/scenarios/index, the scenarios in the order they were
# added (the order `lockwatch demo` lists them in), and installs it. Call after the last
# lw_add_scenario.
function(lw_write_scenario_index)
  get_property(names GLOBAL PROPERTY LW_SCENARIOS)
  list(JOIN names "\n" text)
  file(WRITE ${CMAKE_BINARY_DIR}/scenarios/index.new "${text}\n")
  # Rewritten only when it changes, so a re-configure does not touch its time stamp.
  configure_file(${CMAKE_BINARY_DIR}/scenarios/index.new ${CMAKE_BINARY_DIR}/scenarios/index
                 COPYONLY)
  install(FILES ${CMAKE_BINARY_DIR}/scenarios/index DESTINATION ${LW_SCENARIO_INSTALL_DIR})
endfunction()
