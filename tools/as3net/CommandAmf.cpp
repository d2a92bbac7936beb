// as3net amf decode|encode: AMF bytes to the tagged JSON of amf-json.md and back, for looking
// at captures and for making test vectors byte by byte.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "AmfJson.h"
#include "Command.h"
#include "Json.h"

namespace as3net_tool {
namespace {

constexpr const char* kAmfUsage =
    "usage: as3net amf decode [--amf0|--amf3] [--all] [--hex] [--ext CLASS=KIND:N]... [FILE|-]\n"
    "       as3net amf encode [--amf0|--amf3] [--hex] [FILE|-]\n"
    "\n"
    "decode prints AMF values as tagged JSON, one line per top-level value; encode writes the\n"
    "bytes a Flash-compatible encoder produces for tagged JSON nodes. The JSON form is\n"
    "documented in spec/amf-json.md. Input comes from FILE, or stdin when FILE is absent or -.\n"
    "Exit status: 0 done, 1 input rejected (the reason on stderr), 2 usage error.\n"
    "\n"
    "Run 'as3net amf decode --help' or 'as3net amf encode --help' for the options.\n";

constexpr const char* kDecodeUsage =
    "usage: as3net amf decode [--amf0|--amf3] [--all] [--hex] [--ext CLASS=KIND:N]... [FILE|-]\n"
    "\n"
    "Prints the AMF value in FILE (stdin when absent or -) as one line of tagged JSON.\n"
    "\n"
    "  --amf0, --amf3   the top-level encoding (default --amf3)\n"
    "  --all            read consecutive top-level values until the input ends, one line each;\n"
    "                   without it, bytes after the first value are an error\n"
    "  --hex            the input is hex text (whitespace ignored), not raw bytes\n"
    "  --ext CLASS=amf:N | CLASS=bytes:N\n"
    "                   the payload of externalizable CLASS is N AMF3 values or N raw bytes\n"
    "                   (built in: flex.messaging.io.ArrayCollection, ArrayList and ObjectProxy\n"
    "                   as amf:1); any other externalizable class is rejected\n";

constexpr const char* kEncodeUsage =
    "usage: as3net amf encode [--amf0|--amf3] [--hex] [FILE|-]\n"
    "\n"
    "Reads one or more tagged JSON nodes from FILE (stdin when absent or -), separated by\n"
    "whitespace, and writes each as an independent top-level AMF value to stdout.\n"
    "\n"
    "  --amf0, --amf3   the top-level encoding (default --amf3)\n"
    "  --hex            write lowercase hex and a newline instead of raw bytes\n";

// Tagged JSON nests up to three levels per AMF container, plus an amf3 switch node.
constexpr std::size_t kJsonDepthForAmf = 3 * 256 + 16;

struct Options {
  AmfEncoding encoding = AmfEncoding::kAmf3;
  bool all = false;
  bool hex = false;
  std::string file;
  bool haveFile = false;
  ExternalizableLayouts externalizables = flexExternalizables();
};

int usageError(const char* command, const std::string& message, const char* usage) {
  std::fprintf(stderr, "as3net amf %s: %s\n\n%s", command, message.c_str(), usage);
  return 2;
}

int rejected(const char* command, const std::string& message) {
  std::fflush(stdout);  // values printed before the error come first
  std::fprintf(stderr, "as3net amf %s: %s\n", command, message.c_str());
  return 1;
}

// Parses "CLASS=amf:N" or "CLASS=bytes:N"; the last '=' splits, so a class name may hold one.
bool parseExt(const std::string& spec, ExternalizableLayouts& layouts) {
  std::size_t eq = spec.rfind('=');
  if (eq == std::string::npos || eq == 0) return false;
  std::string kind = spec.substr(eq + 1);
  std::size_t colon = kind.find(':');
  if (colon == std::string::npos) return false;
  ExternalizableLayout layout;
  if (kind.compare(0, colon, "amf") == 0)
    layout.kind = ExternalizableLayout::Kind::kAmfValues;
  else if (kind.compare(0, colon, "bytes") == 0)
    layout.kind = ExternalizableLayout::Kind::kBytes;
  else
    return false;
  std::string digits = kind.substr(colon + 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
      digits.size() > 12)
    return false;
  layout.count = static_cast<std::size_t>(std::strtoull(digits.c_str(), nullptr, 10));
  layouts[spec.substr(0, eq)] = layout;
  return true;
}

// Returns -1 when the options are fine, else the exit status.
int parseOptions(const Args& args, bool decoding, Options& options) {
  const char* command = decoding ? "decode" : "encode";
  const char* usage = decoding ? kDecodeUsage : kEncodeUsage;
  if (wantsHelp(args)) {
    std::fputs(usage, stdout);
    return 0;
  }
  bool optionsEnded = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool isOption = !optionsEnded && a.size() > 1 && a[0] == '-';
    if (isOption && a == "--") {
      optionsEnded = true;
    } else if (isOption && a == "--amf0") {
      options.encoding = AmfEncoding::kAmf0;
    } else if (isOption && a == "--amf3") {
      options.encoding = AmfEncoding::kAmf3;
    } else if (isOption && a == "--hex") {
      options.hex = true;
    } else if (isOption && decoding && a == "--all") {
      options.all = true;
    } else if (isOption && decoding && (a == "--ext" || a.rfind("--ext=", 0) == 0)) {
      std::string spec;
      if (a == "--ext") {
        if (i + 1 == args.size()) return usageError(command, "--ext needs CLASS=KIND:N", usage);
        spec = args[++i];
      } else {
        spec = a.substr(6);
      }
      if (!parseExt(spec, options.externalizables))
        return usageError(command, "--ext takes CLASS=amf:N or CLASS=bytes:N, not '" + spec + "'",
                          usage);
    } else if (isOption) {
      return usageError(command, "unknown option '" + a + "'", usage);
    } else if (options.haveFile) {
      return usageError(command, "more than one input file ('" + options.file + "', '" + a + "')",
                        usage);
    } else {
      options.file = a;
      options.haveFile = true;
    }
  }
  return -1;
}

bool readInput(const Options& options, std::string& data, std::string& error) {
  bool useStdin = !options.haveFile || options.file == "-";
  std::FILE* f = useStdin ? stdin : std::fopen(options.file.c_str(), "rb");
  if (!f) {
    error = "cannot open '" + options.file + "': " + std::strerror(errno);
    return false;
  }
  char buffer[1 << 16];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) data.append(buffer, n);
  bool failed = std::ferror(f) != 0;
  int readErrno = errno;
  if (!useStdin) std::fclose(f);
  if (failed) {
    error = "cannot read '" + (useStdin ? std::string("stdin") : options.file) +
            "': " + std::strerror(readErrno);
    return false;
  }
  return true;
}

bool hexToBytes(const std::string& text, std::vector<std::uint8_t>& bytes, std::string& error) {
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') continue;
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) {
      char shown[8];
      auto u = static_cast<unsigned char>(c);
      if (u >= 0x20 && u < 0x7F)
        std::snprintf(shown, sizeof shown, "'%c'", c);
      else
        std::snprintf(shown, sizeof shown, "0x%02x", u);
      error = std::string("invalid hex: unexpected character ") + shown + " at offset " +
              std::to_string(i);
      return false;
    }
    if (high < 0) {
      high = d;
    } else {
      bytes.push_back(static_cast<std::uint8_t>(high << 4 | d));
      high = -1;
    }
  }
  if (high >= 0) {
    error = "invalid hex: an odd number of digits";
    return false;
  }
  return true;
}

bool flushOutput() {
  return std::fflush(stdout) == 0 && std::ferror(stdout) == 0;
}

int decode(const Args& args) {
  Options options;
  if (int status = parseOptions(args, true, options); status >= 0) return status;
  std::string input, error;
  if (!readInput(options, input, error)) return rejected("decode", error);
  std::vector<std::uint8_t> bytes;
  if (options.hex) {
    if (!hexToBytes(input, bytes, error)) return rejected("decode", error);
  } else {
    bytes.assign(input.begin(), input.end());
  }
  DissectOptions dissectOptions;
  dissectOptions.encoding = options.encoding;
  dissectOptions.all = options.all;
  dissectOptions.externalizables = std::move(options.externalizables);
  std::string line;
  try {
    dissect(bytes.data(), bytes.size(), dissectOptions, [&](json::Value&& node) {
      line.clear();
      json::print(node, line);
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), stdout);
    });
  } catch (const AmfFormatError& e) {
    return rejected("decode", e.what());
  }
  if (!flushOutput()) return rejected("decode", "cannot write the output");
  return 0;
}

int encode(const Args& args) {
  Options options;
  if (int status = parseOptions(args, false, options); status >= 0) return status;
  std::string input, error;
  if (!readInput(options, input, error)) return rejected("encode", error);
  std::vector<json::Value> nodes;
  try {
    json::ParseOptions parseOptions;
    parseOptions.maxDepth = kJsonDepthForAmf;
    nodes = json::parseSequence(input, parseOptions);
  } catch (const json::ParseError& e) {
    return rejected("encode", std::string("JSON: ") + e.what());
  }
  if (nodes.empty()) return rejected("encode", "no JSON node in the input");
  std::vector<std::uint8_t> bytes;
  try {
    for (std::size_t i = 0; i < nodes.size(); ++i) assemble(nodes[i], options.encoding, bytes, i);
  } catch (const AmfAssembleError& e) {
    return rejected("encode", e.what());
  }
  if (options.hex) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    text.reserve(bytes.size() * 2 + 1);
    for (std::uint8_t b : bytes) {
      text += kDigits[b >> 4];
      text += kDigits[b & 0xF];
    }
    text += '\n';
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  }
  if (!flushOutput()) return rejected("encode", "cannot write the output");
  return 0;
}

}  // namespace

int amf(const Args& args) {
  if (args.empty()) {
    std::fputs(kAmfUsage, stderr);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    std::fputs(kAmfUsage, stdout);
    return 0;
  }
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "decode") return decode(rest);
  if (args[0] == "encode") return encode(rest);
  std::fprintf(stderr, "as3net amf: unknown subcommand '%s'\n\n%s", args[0].c_str(), kAmfUsage);
  return 2;
}

}  // namespace as3net_tool
