// as3net: the SDK's command-line tool. Subcommands in the manner of openssl and git.
#include <cstdio>
#include <string>

#include "Command.h"
#include "CommandSecurity.h"
#include "as3/Version.h"

namespace as3net_tool {

bool wantsHelp(const Args& args) {
  for (const std::string& a : args)
    if (a == "--help" || a == "-h") return true;
  return false;
}

namespace {

constexpr const char* kUsage =
    "usage: as3net <command> [options]\n"
    "       as3net --version\n"
    "\n"
    "Commands:\n"
    "  amf ACTION       AMF0/AMF3 bytes to tagged JSON and back\n"
    "                   (actions: decode, encode)\n"
    "  bench WORKLOAD   run a benchmark and print one RESULT line per figure\n"
    "                   (workloads: bytearray, amf, server, client)\n"
    "  connect HOST PORT\n"
    "                   connect like a SecureSocket: status, chain, then stdin/stdout\n"
    "  load [MODE]      N TLS connections over loopback: idle memory, echo, mass close\n"
    "                   (modes: slowloris, slow ClientHellos against the handshake timeout)\n"
    "  serve PORT       a TLS server (SecureServerSocket) echoing or discarding\n"
    "  verify LEAF      validate a certificate chain offline; prints its CertificateStatus\n"
    "\n"
    "Run 'as3net <command> --help' for a command's options.\n";

constexpr const char* kBenchUsage =
    "usage: as3net bench WORKLOAD [options]\n"
    "\n"
    "Workloads:\n"
    "  bytearray   ByteArray reads and writes beside memcpy and Node's Buffer\n"
    "  amf         AMF3 writeObject/readObject of the peer kit's game message\n"
    "  server      the peer kit's protocol server on a ServerSocket (plain TCP)\n"
    "  client OP   the peer kit's clients on Socket: bulk, echo, handshake, idle\n"
    "\n"
    "Run 'as3net bench WORKLOAD --help' for a workload's options.\n";

int bench(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kBenchUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "bytearray") return benchByteArray(rest);
  if (args[0] == "amf") return benchAmf(rest);
  if (args[0] == "server") return benchServer(rest);
  if (args[0] == "client") return benchClient(rest);
  std::fprintf(stderr, "as3net bench: unknown workload '%s'\n\n%s", args[0].c_str(), kBenchUsage);
  return 2;
}

}  // namespace
}  // namespace as3net_tool

int main(int argc, char* argv[]) {
  using namespace as3net_tool;
  Args args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args[0] == "--version") {
    std::puts("as3net " AS3NET_VERSION_STRING);
    return 0;
  }
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "amf") return amf(rest);
  if (args[0] == "bench") return bench(rest);
  if (args[0] == "connect") return as3net_tool::connect(rest);
  if (args[0] == "load") return load(rest);
  if (args[0] == "serve") return serve(rest);
  if (args[0] == "verify") return verify(rest);
  std::fprintf(stderr, "as3net: unknown command '%s'\n\n%s", args[0].c_str(), kUsage);
  return 2;
}
