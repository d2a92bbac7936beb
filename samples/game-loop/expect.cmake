# Runs PROGRAM with the arguments after "--" and passes only if it exits 0 and its output
# (stdout and stderr together) matches the regular expression PATTERN.
#   cmake -DPROGRAM=path -DPATTERN=regex -P expect.cmake -- [args...]
if(NOT DEFINED PROGRAM OR NOT DEFINED PATTERN)
  message(FATAL_ERROR "usage: cmake -DPROGRAM=path -DPATTERN=regex -P expect.cmake -- [args...]")
endif()
set(args "")
set(after_dashes FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(after_dashes)
    list(APPEND args "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(after_dashes TRUE)
  endif()
endforeach()

execute_process(COMMAND "${PROGRAM}" ${args}
  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
message("${output}")
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} ${args} exited with ${status}, expected 0")
endif()
if(NOT output MATCHES "${PATTERN}")
  message(FATAL_ERROR "the output does not match: ${PATTERN}")
endif()
