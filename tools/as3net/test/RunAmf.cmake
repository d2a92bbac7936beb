# Runs `as3net amf ...` once and checks its exit status and output: ctest's COMMAND cannot feed
# standard input, keep raw output, or check an exact status other than zero.
#   TOOL      the as3net binary
#   ARGS      the arguments after "amf", separated by commas (a ';' would split the -D value)
#   STATUS    the expected exit status
#   STDIN     optional: a file fed to standard input
#   STDOUT    optional: a file the standard output must equal byte for byte
#   SAVE      optional: a file that receives the standard output (raw bytes) instead
#   STDERR    optional: a regular expression the standard error must match
cmake_minimum_required(VERSION 3.25)
foreach(required TOOL STATUS)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "RunAmf.cmake needs -D${required}=...")
  endif()
endforeach()
string(REPLACE "," ";" args "${ARGS}")
string(REPLACE "," " " shown "${ARGS}")

set(io "")
if(DEFINED STDIN)
  list(APPEND io INPUT_FILE "${STDIN}")
endif()
if(DEFINED SAVE)
  list(APPEND io OUTPUT_FILE "${SAVE}")
else()
  list(APPEND io OUTPUT_VARIABLE out)
endif()
execute_process(COMMAND "${TOOL}" amf ${args} ${io} ERROR_VARIABLE err RESULT_VARIABLE status
  TIMEOUT 60)

if(NOT "${status}" STREQUAL "${STATUS}")
  message(FATAL_ERROR "as3net amf ${shown}: exit status ${status}, expected ${STATUS}\n"
    "stderr: ${err}")
endif()
if(DEFINED STDOUT)
  file(READ "${STDOUT}" expected)
  if(NOT "${out}" STREQUAL "${expected}")
    message(FATAL_ERROR "as3net amf ${shown}: output differs\n--- got:\n${out}--- expected:\n"
      "${expected}")
  endif()
endif()
if(DEFINED STDERR AND NOT "${err}" MATCHES "${STDERR}")
  message(FATAL_ERROR "as3net amf ${shown}: stderr does not match '${STDERR}':\n${err}")
endif()
message(STATUS "as3net amf ${shown}: ok")
