# Keeps the README's example true: takes its first C++ block, wraps it in main() with the headers
# it needs, and compiles it against the source tree. Run by ctest with
#   -DSOURCE_DIR=... -DBINARY_DIR=... -DCXX=... -DWORK_DIR=...
file(READ "${SOURCE_DIR}/README.md" readme)
string(FIND "${readme}" "```cpp\n" start)
if(start EQUAL -1)
  message(FATAL_ERROR "README.md has no ```cpp block")
endif()
math(EXPR start "${start} + 7")
string(SUBSTRING "${readme}" ${start} -1 rest)
string(FIND "${rest}" "```" end)
string(SUBSTRING "${rest}" 0 ${end} example)
file(MAKE_DIRECTORY "${WORK_DIR}")
file(WRITE "${WORK_DIR}/readme_example.cpp" "#include <cstdio>
#include \"as3/amf/Object.h\"
#include \"as3/events/Event.h\"
#include \"as3/events/IOErrorEvent.h\"
#include \"as3/net/EventLoop.h\"
#include \"as3/net/SecureSocket.h\"
#include \"as3/utils/ByteArray.h\"
int main() {
${example}}
")
execute_process(
  COMMAND "${CXX}" -std=c++17 -Wall -Wextra -Werror -fsyntax-only
          -I "${SOURCE_DIR}/include" -I "${BINARY_DIR}/include" "${WORK_DIR}/readme_example.cpp"
  RESULT_VARIABLE status ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "the README's example does not compile:\n${errors}")
endif()
message(STATUS "the README's example compiles")
