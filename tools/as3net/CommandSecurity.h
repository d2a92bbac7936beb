// The TLS subcommands of the as3net tool (CommandSecurity.cpp): offline validation, a client
// that connects like a SecureSocket, and a SecureServerSocket for tests and benchmarks.
#ifndef AS3NET_TOOLS_COMMANDSECURITY_H_
#define AS3NET_TOOLS_COMMANDSECURITY_H_

#include "Command.h"

namespace as3net_tool {

/// verify runs `as3net verify`: a certificate chain through CertificateValidator, the status on
/// the first line of stdout. Exit 0 for "trusted", 1 for any other verdict, 2 for errors.
int verify(const Args& args);

/// connect runs `as3net connect HOST PORT`: a SecureSocket connection, its status, chain,
/// protocol and cipher, then stdin to the server and the server's bytes to stdout. Exit 0 when
/// it connected and ended cleanly, 1 when it did not connect or broke, 2 for errors.
int connect(const Args& args);

/// serve runs `as3net serve PORT`: a SecureServerSocket echoing or discarding what clients
/// send until SIGINT or SIGTERM (then exit 0).
int serve(const Args& args);

}  // namespace as3net_tool

#endif  // AS3NET_TOOLS_COMMANDSECURITY_H_
