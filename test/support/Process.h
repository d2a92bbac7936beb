// Running a real external program from a test: xz, pigz, openssl, node. Every process started here
// is ended by its id, and every run has a time limit that stops it.
#ifndef AS3NET_TEST_SUPPORT_PROCESS_H_
#define AS3NET_TEST_SUPPORT_PROCESS_H_

#include <chrono>
#include <string>
#include <vector>

namespace test {

struct ProcessResult {
  int exitCode = -1;  // -1 when it was killed or could not start
  bool timedOut = false;
  std::string output;  // standard output
  std::string errors;  // standard error
};

/// runProcess runs `argv` (argv[0] is looked up on PATH), feeds it `input` on standard input, and
/// collects its output. A process still running at `limit` is killed with SIGKILL by its id.
ProcessResult runProcess(const std::vector<std::string>& argv, const std::string& input = {},
                         std::chrono::milliseconds limit = std::chrono::seconds(30));

/// haveProgram tells whether `name` is on PATH.
bool haveProgram(const std::string& name);

}  // namespace test

#endif  // AS3NET_TEST_SUPPORT_PROCESS_H_
