# ThreadSanitizer builds for tests: programs compiled with clang -fsanitize=thread -g whatever
# CMAKE_C_COMPILER is (gcc's TSan runtime is another one, and the build may use gcc). Checked once
# at configure time: LW_TSAN_AVAILABLE is true when clang can build and run a TSan program here;
# when it is not, the TSan tests are left out with one message instead of failing.

find_program(LW_TSAN_CLANG NAMES clang clang-14 clang-15 clang-16 DOC "clang for TSan test builds")

if(LW_TSAN_CLANG AND NOT DEFINED LW_TSAN_AVAILABLE)
  set(probe_dir ${CMAKE_BINARY_DIR}/CMakeFiles/lw-tsan-probe)
  file(MAKE_DIRECTORY ${probe_dir})
  file(WRITE ${probe_dir}/probe.c "int main(void) { return 0; }\n")
  execute_process(
    COMMAND ${LW_TSAN_CLANG} -fsanitize=thread -g ${probe_dir}/probe.c -o ${probe_dir}/probe
    RESULT_VARIABLE compile_rc OUTPUT_QUIET ERROR_QUIET)
  set(run_rc 1)
  if(compile_rc EQUAL 0)
    execute_process(COMMAND ${probe_dir}/probe RESULT_VARIABLE run_rc OUTPUT_QUIET ERROR_QUIET)
  endif()
  if(run_rc EQUAL 0)
    set(LW_TSAN_AVAILABLE TRUE CACHE BOOL "clang can build and run ThreadSanitizer programs")
  else()
    set(LW_TSAN_AVAILABLE FALSE CACHE BOOL "clang can build and run ThreadSanitizer programs")
  endif()
endif()
if(NOT LW_TSAN_CLANG)
  set(LW_TSAN_AVAILABLE FALSE)
endif()

# lw_tsan_program(NAME SOURCES src... [OUTPUT_DIR dir] [COMPILE_OPTIONS opt...])
# Builds OUTPUT_DIR/NAME (default: the current binary dir) with clang -fsanitize=thread -g -O0
# -pthread, as part of `all`; the target is tsan-NAME and LW_TSAN_PROGRAM_<NAME> (in the caller's
# scope) holds the program's path. -O0: the tests name exact source lines.
function(lw_tsan_program name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES;COMPILE_OPTIONS" ${ARGN})
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  set(program ${ARG_OUTPUT_DIR}/${name})
  add_custom_command(OUTPUT ${program}
    COMMAND ${LW_TSAN_CLANG} -std=c11 -fsanitize=thread -g -O0 -pthread -Wall -Wextra -Werror
            ${ARG_COMPILE_OPTIONS} ${ARG_SOURCES} -o ${program}
    DEPENDS ${ARG_SOURCES}
    COMMENT "Building ThreadSanitizer program ${name}"
    VERBATIM)
  add_custom_target(tsan-${name} ALL DEPENDS ${program})
  set(LW_TSAN_PROGRAM_${name} ${program} PARENT_SCOPE)
endfunction()
