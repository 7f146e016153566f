# Scenario helper: every scenarios/NAME directory holds broken.c and fixed.c, built the same way
# (C11, -g -O0 so every marked line survives, -pthread, warnings as errors) into
# build/scenarios/NAME/{broken,fixed}. The tests that run them under lockwatch are registered in
# tests/integration from the list this keeps (global property LW_SCENARIOS), because tests exist
# only when LOCKWATCH_TESTS is on.

# lw_add_scenario(NAME): builds scenario-NAME-broken and scenario-NAME-fixed.
function(lw_add_scenario name)
  foreach(variant broken fixed)
    set(target scenario-${name}-${variant})
    add_executable(${target} ${CMAKE_CURRENT_SOURCE_DIR}/${name}/${variant}.c)
    lw_target_warnings(${target})
    # -O0 after the build type's flags: the programs teach, their lines must map one to one.
    target_compile_options(${target} PRIVATE -g -O0 -pthread)
    target_link_options(${target} PRIVATE -pthread)
    set_target_properties(${target} PROPERTIES
      OUTPUT_NAME ${variant}
      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/scenarios/${name})
  endforeach()
  set_property(GLOBAL APPEND PROPERTY LW_SCENARIOS ${name})
endfunction()
