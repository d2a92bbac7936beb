// as3net bench amf: AMF3 writeObject/readObject of the peer kit's game message
// (../shared/bench/peers, workload 7). With --op it follows the kit's contract and prints one
// RESULT line, so the kit runs it beside its peers (PEER_EXTRA); without, it runs both ops
// interleaved with the kit's JavaScript reference codec and prints the ratios.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "Command.h"
#include "Json.h"
#include "as3/amf/Array.h"
#include "as3/amf/Object.h"
#include "as3/amf/Value.h"
#include "as3/errors/Error.h"
#include "as3/utils/ByteArray.h"

namespace as3net_tool {
namespace {

using as3::amf::Array;
using as3::amf::Object;
using as3::amf::Type;
using as3::amf::Value;
using as3::utils::ByteArray;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage =
    "usage: as3net bench amf [--op encode|decode] [--fixture FILE] [--canonical FILE]\n"
    "                        [--seconds S] [--runs N] [--no-peer]\n"
    "\n"
    "AMF3 encode (writeObject) and decode (readObject) of a JSON fixture in the peer kit's\n"
    "convention (objects with \"__class\" are typed; integers within 29 bits are AMF3 ints).\n"
    "\n"
    "  --op OP           one operation, one line: RESULT op=OP msgs_per_s=X bytes_per_msg=B\n"
    "                    ok=1|0 allocs_per_msg=A (the kit's workload 7 contract)\n"
    "  --fixture FILE    default ../shared/bench/peers/fixtures/game_message.json\n"
    "  --canonical FILE  the reference bytes (ok=1 when encode matches them byte for byte,\n"
    "                    and decode reads them); default: made by the kit's node codec\n"
    "  --seconds S       timed seconds per measurement (default 0.7)\n"
    "  --runs N          interleaved runs without --op (default 5)\n"
    "  --no-peer         without --op: skip the kit's JavaScript reference codec\n";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The kit's convention (bench/peers/node/amf3_ref.js).
Value fromFixture(const json::Value& j) {
  switch (j.type()) {
    case json::Type::kNull:
      return Value(nullptr);
    case json::Type::kBool:
      return Value(j.asBool());
    case json::Type::kInt: {
      std::int64_t i = j.asInt();
      if (i >= -0x10000000 && i <= 0x0FFFFFFF) return Value(static_cast<std::int32_t>(i));
      return Value(static_cast<double>(i));
    }
    case json::Type::kDouble:
      return Value(j.asDouble());
    case json::Type::kString:
      return Value(j.asString());
    case json::Type::kArray: {
      Array a;
      for (const json::Value& item : j.asArray()) a.push(fromFixture(item));
      return a;
    }
    case json::Type::kObject: {
      const json::Value* cls = j.find("__class");
      if (!cls) {
        Object o;
        for (const auto& [key, value] : j.asObject()) o[key] = fromFixture(value);
        return o;
      }
      std::vector<std::string> names;
      for (const auto& member : j.asObject())
        if (member.first != "__class") names.push_back(member.first);
      Object o = Object::typed(cls->asString(), names);
      for (const auto& [key, value] : j.asObject())
        if (key != "__class") o[key] = fromFixture(value);
      return o;
    }
  }
  return Value();
}

// The same graph, as the kit's round-trip check means it: types, classes, members in order.
bool sameGraph(const Value& a, const Value& b) {
  if (a.isNumeric() && b.isNumeric()) return a.strictEquals(b);
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::Array: {
      Array x = a.asArray(), y = b.asArray();
      if (x.length() != y.length() || x.associativeCount() != y.associativeCount()) return false;
      for (std::uint32_t i = 0; i < x.length(); ++i)
        if (!sameGraph(x.get(i), y.get(i))) return false;
      return true;
    }
    case Type::Object: {
      Object x = a.asObject(), y = b.asObject();
      if (x.className() != y.className() || x.sealedCount() != y.sealedCount() ||
          x.dynamicCount() != y.dynamicCount())
        return false;
      for (std::size_t i = 0; i < x.sealedCount(); ++i)
        if (x.sealedName(i) != y.sealedName(i) || !sameGraph(x.sealedValue(i), y.sealedValue(i)))
          return false;
      for (std::size_t i = 0; i < x.dynamicCount(); ++i)
        if (x.dynamicName(i) != y.dynamicName(i) ||
            !sameGraph(x.dynamicValue(i), y.dynamicValue(i)))
          return false;
      return true;
    }
    default:
      return a.strictEquals(b);
  }
}

volatile std::uint64_t gSink;

struct Measurement {
  double msgsPerSecond;
  double allocationsPerMessage;
};

template <class Fn>
Measurement measure(Fn&& once, double seconds) {
  for (int i = 0; i < 200; ++i) once();  // warm caches, the allocator and the table pools
  std::uint64_t messages = 0;
  std::uint64_t allocationsBefore = allocationCount();
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  Clock::time_point now;
  do {
    for (int i = 0; i < 16; ++i) once();
    messages += 16;
    now = Clock::now();
  } while (now < deadline);
  double elapsed = std::chrono::duration<double>(now - start).count();
  double allocations = static_cast<double>(allocationCount() - allocationsBefore);
  return {static_cast<double>(messages) / elapsed, allocations / static_cast<double>(messages)};
}

struct Setup {
  Value graph;
  std::string canonical;
};

struct Figures {
  Measurement m;
  std::size_t bytesPerMessage;
  bool ok;
};

Figures runEncode(const Setup& s, double seconds) {
  ByteArray out;
  auto once = [&] {
    out.length(0);
    out.writeObject(s.graph);
    gSink = gSink + out.length();
  };
  once();
  std::string bytes(reinterpret_cast<const char*>(out.data()), out.length());
  Measurement m = measure(once, seconds);
  return {m, bytes.size(), s.canonical.empty() || bytes == s.canonical};
}

Figures runDecode(const Setup& s, const std::string& input, double seconds) {
  ByteArray in(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  auto once = [&] {
    in.position(0);
    Value v = in.readObject();
    gSink = gSink + static_cast<std::uint64_t>(v.type());
  };
  in.position(0);
  bool ok = sameGraph(in.readObject(), s.graph) && in.bytesAvailable() == 0;
  Measurement m = measure(once, seconds);
  return {m, input.size(), ok};
}

void printResult(const std::string& op, const Figures& f, const std::string& extra) {
  std::printf("RESULT op=%s msgs_per_s=%.1f bytes_per_msg=%zu ok=%d allocs_per_msg=%.2f%s\n",
              op.c_str(), f.m.msgsPerSecond, f.bytesPerMessage, f.ok ? 1 : 0,
              f.m.allocationsPerMessage, extra.c_str());
  std::fflush(stdout);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Runs the kit's node driver for one op and returns its msgs_per_s, or a negative number.
double runReferenceCodec(const std::string& kit, const std::string& fixture, const std::string& op,
                         double seconds) {
  std::string command = "node '" + kit + "/node/amf_bench.js' --lib ref --op " + op +
                        " --fixture '" + fixture + "' --seconds " + std::to_string(seconds) +
                        " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  char line[1024];
  double rate = -1;
  while (std::fgets(line, sizeof line, pipe)) {
    std::string s(line);
    std::size_t at = s.find("msgs_per_s=");
    if (s.rfind("RESULT", 0) == 0 && at != std::string::npos) rate = std::atof(s.c_str() + at + 11);
  }
  pclose(pipe);
  return rate;
}

std::string kitOf(const std::string& fixture) {
  std::string dir = fixture.substr(0, fixture.find_last_of('/') + 1);
  return dir + "..";
}

}  // namespace

int benchAmf(const Args& args) {
  if (wantsHelp(args)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::string op, fixture = "../shared/bench/peers/fixtures/game_message.json", canonicalPath;
  double seconds = 0.7;
  int runs = 5;
  bool peer = true;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool hasValue = i + 1 < args.size();
    if (a == "--op" && hasValue) {
      op = args[++i];
    } else if (a == "--fixture" && hasValue) {
      fixture = args[++i];
    } else if (a == "--canonical" && hasValue) {
      canonicalPath = args[++i];
    } else if (a == "--seconds" && hasValue) {
      seconds = std::atof(args[++i].c_str());
    } else if (a == "--runs" && hasValue) {
      runs = std::max(1, std::atoi(args[++i].c_str()));
    } else if (a == "--no-peer") {
      peer = false;
    } else {
      std::fprintf(stderr, "as3net bench amf: unknown or incomplete option '%s'\n\n%s", a.c_str(),
                   kUsage);
      return 2;
    }
  }
  if (!op.empty() && op != "encode" && op != "decode") {
    std::fprintf(stderr, "as3net bench amf: --op is encode or decode, not '%s'\n", op.c_str());
    return 2;
  }
  if (seconds <= 0) seconds = 0.7;

  Setup setup;
  try {
    setup.graph = fromFixture(json::parse(readFile(fixture)));
    if (!canonicalPath.empty()) {
      setup.canonical = readFile(canonicalPath);
    } else if (access("/usr/bin/node", X_OK) == 0 ||
               std::system("command -v node >/dev/null") == 0) {
      char path[] = "/tmp/as3net-canonical-XXXXXX";
      int fd = mkstemp(path);
      if (fd >= 0) {
        close(fd);
        std::string command = "node '" + kitOf(fixture) + "/node/amf_bench.js' --write-canonical " +
                              path + " --fixture '" + fixture + "' >/dev/null 2>&1";
        if (std::system(command.c_str()) == 0) setup.canonical = readFile(path);
        unlink(path);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "as3net bench amf: %s\n", e.what());
    return 1;
  }
  // Decoders read the reference bytes when there are some, as every peer does.
  std::string input = setup.canonical;
  if (input.empty()) {
    ByteArray b;
    b.writeObject(setup.graph);
    input.assign(reinterpret_cast<const char*>(b.data()), b.length());
  }

  try {
    if (!op.empty()) {
      printResult(op, op == "encode" ? runEncode(setup, seconds) : runDecode(setup, input, seconds),
                  "");
      return 0;
    }
    // Interleaved: run r of every implementation before run r + 1; ratios are medians of the
    // per-run ratios.
    for (const char* name : {"encode", "decode"}) {
      std::vector<double> ours, ratios, allocations;
      Figures last{};
      for (int r = 0; r < runs; ++r) {
        last = std::string(name) == "encode" ? runEncode(setup, seconds)
                                             : runDecode(setup, input, seconds);
        ours.push_back(last.m.msgsPerSecond);
        allocations.push_back(last.m.allocationsPerMessage);
        if (peer) {
          double ref = runReferenceCodec(kitOf(fixture), fixture, name, seconds);
          if (ref > 0) ratios.push_back(last.m.msgsPerSecond / ref);
        }
      }
      std::string extra = " runs=" + std::to_string(runs);
      if (!ratios.empty()) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, " ratio_refjs=%.2f", median(ratios));
        extra += buffer;
      } else if (peer) {
        extra += " ratio_refjs=NA";
      }
      last.m.msgsPerSecond = median(ours);
      last.m.allocationsPerMessage = median(allocations);
      printResult(name, last, extra);
    }
  } catch (const as3::errors::Error& e) {
    std::fprintf(stderr, "as3net bench amf: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace as3net_tool
