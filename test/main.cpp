#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>

int main(int argc, char* argv[]) {
  // A peer that goes away must surface as an error, not kill the test process. One test runs
  // the binary again with SIGPIPE at its default, to see that as3net sets it aside itself.
  if (!std::getenv("AS3NET_TEST_DEFAULT_SIGPIPE")) std::signal(SIGPIPE, SIG_IGN);
  return Catch::Session().run(argc, argv);
}
