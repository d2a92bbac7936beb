#include "support/ChildProcess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <thread>

namespace test {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds leftUntil(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
  if (argv.empty()) return;
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0) return;
  if (pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return;
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
    return;
  }
  // Built before fork(): the child may only make async-signal-safe calls.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    signal(SIGPIPE, SIG_DFL);  // test/main.cpp ignores it; exec would pass that on
    execvp(args[0], args.data());
    _exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (pid < 0) {
    for (int fd : {in[1], out[0], err[0]}) ::close(fd);
    return;
  }
  pid_ = pid;
  in_ = in[1];
  out_ = out[0];
  err_ = err[0];
}

ChildProcess::~ChildProcess() {
  closeInput();
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGTERM);
    if (wait(std::chrono::seconds(2)) < 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      reaped_ = true;
    }
  }
  closeFd(out_);
  closeFd(err_);
}

void ChildProcess::closeFd(int& fd) noexcept {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

bool ChildProcess::pump(std::chrono::milliseconds limit) {
  if (out_ < 0 && err_ < 0) return false;
  pollfd fds[2];
  int n = 0;
  if (out_ >= 0) fds[n++] = {out_, POLLIN, 0};
  if (err_ >= 0) fds[n++] = {err_, POLLIN, 0};
  int ready = ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(limit.count()));
  if (ready <= 0) return out_ >= 0;  // time limit, or EINTR: the caller tries again
  char buffer[4096];
  for (int i = 0; i < n; ++i) {
    if (fds[i].revents == 0) continue;
    bool isOut = fds[i].fd == out_;
    ssize_t r = ::read(fds[i].fd, buffer, sizeof buffer);
    if (r > 0) {
      (isOut ? pending_ : errors_).append(buffer, static_cast<std::size_t>(r));
    } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
      closeFd(isOut ? out_ : err_);
    }
  }
  return out_ >= 0;
}

bool ChildProcess::readLine(std::string* line, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  for (;;) {
    std::size_t end = pending_.find('\n');
    if (end != std::string::npos) {
      line->assign(pending_, 0, end);
      if (!line->empty() && line->back() == '\r') line->pop_back();
      lines_ += pending_.substr(0, end + 1);
      pending_.erase(0, end + 1);
      return true;
    }
    if (out_ < 0) return false;
    auto left = leftUntil(deadline);
    pump(left);
    if (left.count() == 0 && pending_.find('\n') == std::string::npos) return false;
  }
}

int ChildProcess::waitForPort(std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  std::string line;
  while (readLine(&line, leftUntil(deadline))) {
    if (line.rfind("PORT ", 0) != 0) continue;
    char* end = nullptr;
    long port = std::strtol(line.c_str() + 5, &end, 10);
    if (end != line.c_str() + 5 && *end == '\0' && port > 0 && port < 65536)
      return static_cast<int>(port);
  }
  return -1;
}

bool ChildProcess::writeLine(const std::string& text) {
  if (in_ < 0) return false;
  std::string data = text + "\n";
  std::size_t written = 0;
  while (written < data.size()) {
    ssize_t w = ::write(in_, data.data() + written, data.size() - written);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;  // EPIPE: SIGPIPE is ignored by the test runner
    written += static_cast<std::size_t>(w);
  }
  return true;
}

void ChildProcess::closeInput() noexcept {
  closeFd(in_);
}

int ChildProcess::wait(std::chrono::milliseconds limit) {
  if (pid_ <= 0) return -1;
  if (reaped_) return exitCode_;
  auto deadline = Clock::now() + limit;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return exitCode_;
    }
    if (r < 0 && errno != EINTR) return -1;
    auto left = leftUntil(deadline);
    if (left.count() == 0) return -1;
    // Keeps the pipes drained meanwhile, so a chatty child cannot block on a full one.
    auto slice = std::min(left, std::chrono::milliseconds(5));
    if (out_ >= 0 || err_ >= 0)
      pump(slice);
    else
      std::this_thread::sleep_for(slice);
  }
}

std::string ChildProcess::transcript() const {
  std::string text = "stdout:\n" + lines_ + pending_;
  if (!errors_.empty()) text += "\nstderr:\n" + errors_;
  return text;
}

}  // namespace test
