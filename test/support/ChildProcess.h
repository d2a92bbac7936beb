// A program running beside a test: a scripted peer in node or python3 that the test talks to over
// loopback while it drives its own event loop. Unlike runProcess (Process.h), the child keeps
// running while the test goes on; the test reads its standard output line by line, writes to its
// standard input, and the destructor ends it by its process id.
#ifndef AS3NET_TEST_SUPPORT_CHILDPROCESS_H_
#define AS3NET_TEST_SUPPORT_CHILDPROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace test {

/// ChildProcess starts `argv` (argv[0] is looked up on PATH) with pipes on its standard input,
/// output and error. Nothing waits for it: read its output with readLine() or waitForPort().
/// The destructor ends a child still running by its id: SIGTERM, up to two seconds for it to go,
/// then SIGKILL, and reaps it with waitpid. Not copyable.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// started is false when the pipes or fork() failed; exec failures show as exit code 127.
  bool started() const noexcept { return pid_ > 0; }
  pid_t pid() const noexcept { return pid_; }

  /// readLine takes the next complete line of standard output (without its newline), waiting up
  /// to `limit` for it; a zero limit only looks at what is ready now. False on time limit or at
  /// the end of the output.
  bool readLine(std::string* line, std::chrono::milliseconds limit);
  /// waitForPort reads lines until one is `PORT <n>` and returns n; -1 when none came within
  /// `limit` or the output ended. Lines read meanwhile are kept in transcript().
  int waitForPort(std::chrono::milliseconds limit = std::chrono::seconds(15));

  /// writeLine sends `text` and a newline to the child's standard input; false if it is gone.
  bool writeLine(const std::string& text);
  /// closeInput closes the child's standard input, which the peers take as the end of the test.
  void closeInput() noexcept;

  /// wait waits up to `limit` for the child to exit and returns its exit code; -1 when it is
  /// still running at the limit or died of a signal. It is reaped then, and not signalled again.
  int wait(std::chrono::milliseconds limit);

  /// transcript is everything read from the child so far, stdout lines then stderr, for INFO.
  std::string transcript() const;

 private:
  /// pump reads whatever the child has written, waiting up to `limit` for something; false when
  /// standard output has ended.
  bool pump(std::chrono::milliseconds limit);
  void closeFd(int& fd) noexcept;

  pid_t pid_ = -1;
  bool reaped_ = false;
  int exitCode_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;  // our ends of the pipes
  std::string pending_;                // stdout bytes not yet returned as lines
  std::string lines_;                  // stdout lines returned so far
  std::string errors_;                 // everything from stderr
};

}  // namespace test

#endif  // AS3NET_TEST_SUPPORT_CHILDPROCESS_H_
