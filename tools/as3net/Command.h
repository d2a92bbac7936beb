// The subcommands of the as3net tool, in the manner of openssl and git: each takes the arguments
// after its own name and returns the process's exit status.
#ifndef AS3NET_TOOLS_COMMAND_H_
#define AS3NET_TOOLS_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

namespace as3net_tool {

using Args = std::vector<std::string>;

/// amf runs `as3net amf decode|encode`: AMF bytes to tagged JSON and back.
int amf(const Args& args);

/// benchByteArray runs `as3net bench bytearray`.
int benchByteArray(const Args& args);

/// benchAmf runs `as3net bench amf`.
int benchAmf(const Args& args);

/// benchServer runs `as3net bench server`: the peer kit's protocol server (BenchNet.cpp).
int benchServer(const Args& args);

/// benchClient runs `as3net bench client [bulk|echo|handshake|idle]`: the peer kit's clients.
int benchClient(const Args& args);

/// load runs `as3net load [slowloris]`: many connections, echo traffic, mass close and a
/// slowloris attack over loopback, client and server in separate processes (Load.cpp).
int load(const Args& args);

/// allocationCount is how many times operator new has run in this process (AllocationCounter.cpp
/// replaces it), so benchmarks can report allocations per operation.
std::uint64_t allocationCount() noexcept;

/// wantsHelp tells whether args ask for --help (or -h).
bool wantsHelp(const Args& args);

}  // namespace as3net_tool

#endif  // AS3NET_TOOLS_COMMAND_H_
