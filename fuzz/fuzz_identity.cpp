// libFuzzer target: a TLS identity as a server (or a client) loads it, PEM certificate chain and
// private key, the key possibly encrypted.
//
// Input: byte 0 holds flags, then the certificate chain, the key and the password, separated by
// NUL bytes. With no NUL the one text is both chain and key (as Xojo's single certificate
// file); with one NUL there is no password.
//
// Flags: bit 0 loads through SecureServerSocket::certificateFile from temporary files (bit 1: the
// key in a file of its own); bit 2 also starts listening on 127.0.0.1 once loaded, which installs
// the identity in a TLS context; bit 3 loads the same through SecureSocket::clientCertificate;
// bit 4 gives the chain to requireClientCertificates.
//
// Beyond the sanitizers: nothing is thrown but errors::ArgumentError #2004 (IOError #2038 is a
// finding too: the files are always there); a loaded identity's chain parses with fromPEM; the
// client and the server loaders agree; listen() accepts what certificate() accepted.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "Checks.h"
#include "as3/errors/ArgumentError.h"
#include "as3/errors/Error.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureServerSocket.h"
#include "as3/net/SecureSocket.h"
#include "as3/security/X509Certificate.h"

namespace {

constexpr const char* kTarget = "fuzz_identity";

// AS3NET_FUZZ_VERBOSE=1 prints why each input was refused, to see what a corpus reaches.
const bool verbose = std::getenv("AS3NET_FUZZ_VERBOSE") != nullptr;

[[noreturn]] void broken(const std::string& what) {
  fuzz::broken(kTarget, what);
}

// loads runs `fn`, which may throw only errors::ArgumentError #2004 for bad input.
template <class F>
bool loads(const char* what, F&& fn) {
  try {
    fn();
    return true;
  } catch (const as3::errors::ArgumentError& e) {
    if (e.errorID() != 2004) broken(std::string(what) + " threw " + e.toString());
    if (verbose) std::fprintf(stderr, "%s: %s\n", what, e.what());
  } catch (const as3::errors::Error& e) {
    broken(std::string(what) + " threw " + e.toString() + ", not ArgumentError #2004");
  }
  return false;
}

void writeFile(const std::string& path, std::string_view text) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file || std::fwrite(text.data(), 1, text.size(), file) != text.size())
    broken("cannot write " + path);
  std::fclose(file);
}

as3::net::EventLoop* loop = nullptr;
std::string chainPath, keyPath;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  loop = new as3::net::EventLoop;  // used until the process ends
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = tmp && *tmp ? tmp : "/tmp";
  std::string stem = dir + "/as3net-fuzz-identity-" + std::to_string(getpid());
  chainPath = stem + ".pem";
  keyPath = stem + ".key";
  std::atexit([] {
    std::remove(chainPath.c_str());
    std::remove(keyPath.c_str());
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader input(data, size);
  const std::uint8_t flags = input.byte();
  const std::string_view rest = input.rest();
  std::size_t first = rest.find('\0');
  std::size_t second = first == std::string_view::npos ? first : rest.find('\0', first + 1);
  std::string_view chain = rest.substr(0, first);
  std::string_view key =
      first == std::string_view::npos ? chain : rest.substr(first + 1, second - first - 1);
  std::string_view password =
      second == std::string_view::npos ? std::string_view() : rest.substr(second + 1);

  as3::net::SecureServerSocket server(*loop);
  bool loaded;
  if (flags & 1) {
    writeFile(chainPath, chain);
    bool separate = (flags & 2) || first != std::string_view::npos;
    if (separate) writeFile(keyPath, key);
    loaded = loads("SecureServerSocket::certificateFile", [&] {
      server.certificateFile(chainPath, separate ? keyPath : std::string(), password);
    });
  } else {
    loaded =
        loads("SecureServerSocket::certificate", [&] { server.certificate(chain, key, password); });
  }

  if (loaded && !loads("X509Certificate::fromPEM",
                       [&] { (void)as3::security::X509Certificate::fromPEM(chain); }))
    broken("an identity loaded whose chain fromPEM refuses");

  if (flags & 8) {
    as3::net::SecureSocket client(*loop);
    bool clientLoaded = loads("SecureSocket::clientCertificate",
                              [&] { client.clientCertificate(chain, key, password); });
    if (clientLoaded != loaded) broken("the client and the server load the identity differently");
  }
  if (flags & 16)
    loads("SecureServerSocket::requireClientCertificates",
          [&] { server.requireClientCertificates(chain); });

  if (loaded && (flags & 4)) {
    try {
      server.bind(0, "127.0.0.1");
      server.listen();
    } catch (const as3::errors::Error& e) {
      broken("listen() after a loaded identity threw " + e.toString());
    }
  }
  if (server.bound()) server.close();
  loop->poll();  // lets libuv release the closed listener
  return 0;
}
