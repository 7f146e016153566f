# Warnings are errors everywhere: the same flags under gcc and clang.
set(LW_WARNINGS -Wall -Wextra -Wswitch-enum -Wshadow -Wformat=2 -Wno-unused-parameter -Werror)

# lw_target_warnings(target): apply the project's warning flags to one target.
function(lw_target_warnings target)
  target_compile_options(${target} PRIVATE ${LW_WARNINGS})
endfunction()

# lw_target_sanitize(target): ASan/UBSan for the detector, driver and tests (never for
# liblockwatch.so, which lives inside other programs).
function(lw_target_sanitize target)
  if(LOCKWATCH_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
