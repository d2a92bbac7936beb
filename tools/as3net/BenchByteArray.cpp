// as3net bench bytearray: ByteArray's fixed-size and bulk reads and writes, beside memcpy (the
// limit for bulk copies) and Node's Buffer (the peer). Runs are interleaved, run r of every
// implementation before run r + 1, so each ratio is the median of per-run ratios and holds while
// the machine's speed drifts.
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "Command.h"
#include "as3/utils/ByteArray.h"

namespace as3net_tool {
namespace {

using as3::utils::ByteArray;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kBlock = 64 * 1024;
constexpr const char* kText = "player-7f3a: position update ok";  // 31 bytes, a typical field

// Keeps results alive so the optimiser cannot drop the loops that compute them.
volatile std::uint64_t gSink;

void clobberMemory() {
  asm volatile("" : : : "memory");
}

struct Workload {
  std::string name;
  double bytesPerOp;
  std::function<std::uint64_t()> pass;  // does some operations, returns how many
};

double measure(const Workload& w, double seconds) {
  w.pass();  // warm caches and the allocator
  std::uint64_t ops = 0;
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  Clock::time_point now;
  do {
    ops += w.pass();
    now = Clock::now();
  } while (now < deadline);
  return static_cast<double>(ops) / std::chrono::duration<double>(now - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::vector<Workload> makeWorkloads() {
  auto ints = std::make_shared<ByteArray>();
  auto doubles = std::make_shared<ByteArray>();
  auto texts = std::make_shared<ByteArray>();
  auto source = std::make_shared<ByteArray>();
  auto target = std::make_shared<ByteArray>();
  // The limit: memcpy between two separate cache-line-aligned blocks, the best case for a copy.
  std::shared_ptr<std::uint8_t> rawSource(
      static_cast<std::uint8_t*>(std::aligned_alloc(64, kBlock)), std::free);
  std::shared_ptr<std::uint8_t> rawTarget(
      static_cast<std::uint8_t*>(std::aligned_alloc(64, kBlock)), std::free);
  std::memset(rawSource.get(), 1, kBlock);
  std::memset(rawTarget.get(), 0, kBlock);
  for (std::uint32_t i = 0; i < kBlock / 4; ++i) ints->writeInt(static_cast<std::int32_t>(i));
  for (std::uint32_t i = 0; i < kBlock / 8; ++i) doubles->writeDouble(i * 0.5);
  const std::uint32_t textCount = kBlock / (2 + std::strlen(kText));
  for (std::uint32_t i = 0; i < textCount; ++i) texts->writeUTF(kText);
  source->length(kBlock);
  target->length(kBlock);

  std::vector<Workload> w;
  w.push_back({"writeInt", 4, [ints] {
                 ints->position(0);
                 for (std::uint32_t i = 0; i < kBlock / 4; ++i)
                   ints->writeInt(static_cast<std::int32_t>(i));
                 clobberMemory();
                 return std::uint64_t{kBlock / 4};
               }});
  w.push_back({"readInt", 4, [ints] {
                 ints->position(0);
                 std::uint32_t sum = 0;
                 for (std::uint32_t i = 0; i < kBlock / 4; ++i)
                   sum += static_cast<std::uint32_t>(ints->readInt());
                 gSink = sum;
                 return std::uint64_t{kBlock / 4};
               }});
  w.push_back({"writeDouble", 8, [doubles] {
                 doubles->position(0);
                 for (std::uint32_t i = 0; i < kBlock / 8; ++i) doubles->writeDouble(i * 0.5);
                 clobberMemory();
                 return std::uint64_t{kBlock / 8};
               }});
  w.push_back({"readDouble", 8, [doubles] {
                 doubles->position(0);
                 double sum = 0;
                 for (std::uint32_t i = 0; i < kBlock / 8; ++i) sum += doubles->readDouble();
                 gSink = static_cast<std::uint64_t>(sum);
                 return std::uint64_t{kBlock / 8};
               }});
  const double textBytes = 2.0 + static_cast<double>(std::strlen(kText));
  w.push_back({"writeUTF", textBytes, [texts, textCount] {
                 texts->position(0);
                 for (std::uint32_t i = 0; i < textCount; ++i) texts->writeUTF(kText);
                 clobberMemory();
                 return std::uint64_t{textCount};
               }});
  w.push_back({"readUTF", textBytes, [texts, textCount] {
                 texts->position(0);
                 std::uint64_t total = 0;
                 for (std::uint32_t i = 0; i < textCount; ++i) total += texts->readUTF().size();
                 gSink = total;
                 return std::uint64_t{textCount};
               }});
  w.push_back({"writeBytes64k", kBlock, [source, target] {
                 target->position(0);
                 target->writeBytes(*source);
                 clobberMemory();
                 return std::uint64_t{1};
               }});
  w.push_back({"readBytes64k", kBlock, [source, target] {
                 source->position(0);
                 source->readBytes(*target, 0, kBlock);
                 clobberMemory();
                 return std::uint64_t{1};
               }});
  w.push_back({"memcpy64k", kBlock, [rawSource, rawTarget] {
                 std::memcpy(rawTarget.get(), rawSource.get(), kBlock);
                 clobberMemory();
                 return std::uint64_t{1};
               }});
  return w;
}

// The same loops on Node's Buffer, one process per run; it prints "name ops_per_s" lines.
constexpr const char* kNodePeer = R"JS(
const seconds = Number(process.argv[1]);
const block = 64 * 1024;
const text = 'player-7f3a: position update ok';
const ints = Buffer.alloc(block), doubles = Buffer.alloc(block), texts = Buffer.alloc(block);
const source = Buffer.alloc(block, 1), target = Buffer.alloc(block);
const textLen = Buffer.byteLength(text), textCount = Math.floor(block / (2 + textLen));
let sink = 0;
const work = {
  writeInt() { for (let i = 0, o = 0; i < block / 4; ++i, o += 4) ints.writeInt32BE(i, o); return block / 4; },
  readInt() { let s = 0; for (let o = 0; o < block; o += 4) s = (s + ints.readInt32BE(o)) | 0; sink += s; return block / 4; },
  writeDouble() { for (let i = 0, o = 0; i < block / 8; ++i, o += 8) doubles.writeDoubleBE(i * 0.5, o); return block / 8; },
  readDouble() { let s = 0; for (let o = 0; o < block; o += 8) s += doubles.readDoubleBE(o); sink += s; return block / 8; },
  writeUTF() { let o = 0; for (let i = 0; i < textCount; ++i) { texts.writeUInt16BE(textLen, o); o += 2 + texts.write(text, o + 2, 'utf8'); } return textCount; },
  readUTF() { let o = 0, t = 0; for (let i = 0; i < textCount; ++i) { const n = texts.readUInt16BE(o); t += texts.toString('utf8', o + 2, o + 2 + n).length; o += 2 + n; } sink += t; return textCount; },
  writeBytes64k() { source.copy(target, 0, 0, block); return 1; },
  readBytes64k() { target.copy(source, 0, 0, block); return 1; },
};
work.writeUTF();
for (const [name, fn] of Object.entries(work)) {
  const warm = process.hrtime.bigint();
  while (process.hrtime.bigint() - warm < 100000000n) fn();  // let the JIT optimise first
  let ops = 0;
  const start = process.hrtime.bigint();
  let now;
  do { ops += fn(); now = process.hrtime.bigint(); } while (Number(now - start) / 1e9 < seconds);
  console.log(name + ' ' + (ops / (Number(now - start) / 1e9)));
}
if (sink === 0.5) console.log('#');
)JS";

std::map<std::string, double> runNodePeer(double seconds) {
  std::map<std::string, double> result;
  std::string script = "/tmp/as3net-bench-bytearray-" + std::to_string(::getpid()) + ".js";
  if (FILE* f = std::fopen(script.c_str(), "w")) {
    std::fputs(kNodePeer, f);
    std::fclose(f);
  } else {
    return result;
  }
  std::string command = "node " + script + " " + std::to_string(seconds) + " 2>/dev/null";
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char name[64];
    double value;
    while (std::fscanf(p, "%63s %lf", name, &value) == 2) result[name] = value;
    ::pclose(p);
  }
  std::remove(script.c_str());
  return result;
}

std::string nodeVersion() {
  std::string version;
  if (FILE* p = ::popen("node --version 2>/dev/null", "r")) {
    char line[64];
    if (std::fgets(line, sizeof line, p)) version = line;
    ::pclose(p);
  }
  while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) version.pop_back();
  return version;
}

constexpr const char* kUsage =
    "usage: as3net bench bytearray [--runs N] [--seconds S] [--no-peer]\n"
    "\n"
    "Times ByteArray loops (writeInt/readInt, writeDouble/readDouble, writeUTF/readUTF,\n"
    "64 KiB writeBytes/readBytes) beside memcpy and, when node is on PATH, Node's Buffer.\n"
    "Prints one line per figure:\n"
    "  RESULT name=bytearray.<op> impl=<as3net|memcpy|node-buffer> ops_per_s=X MBps=Y ...\n"
    "as3net lines add ratio_node (and ratio_memcpy for bulk): medians of per-run ratios.\n"
    "\n"
    "  --runs N      counted runs per implementation, interleaved (default 5)\n"
    "  --seconds S   time per figure per run (default 0.2)\n"
    "  --no-peer     do not run Node even if it is present\n";

}  // namespace

int benchByteArray(const Args& args) {
  if (wantsHelp(args)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  int runs = 5;
  double seconds = 0.2;
  bool peer = true;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--runs" && i + 1 < args.size()) {
      runs = std::atoi(args[++i].c_str());
    } else if (args[i] == "--seconds" && i + 1 < args.size()) {
      seconds = std::atof(args[++i].c_str());
    } else if (args[i] == "--no-peer") {
      peer = false;
    } else {
      std::fprintf(stderr, "as3net bench bytearray: unknown option '%s'\n\n%s", args[i].c_str(),
                   kUsage);
      return 2;
    }
  }
  if (runs < 1 || !(seconds > 0)) {
    std::fprintf(stderr, "as3net bench bytearray: --runs and --seconds must be positive\n");
    return 2;
  }
  std::string node = peer ? nodeVersion() : "";
  std::printf("# as3net bench bytearray: runs=%d seconds=%.3g per figure, peer=%s\n", runs, seconds,
              node.empty() ? "none" : ("node-buffer " + node).c_str());
  std::fflush(stdout);

  std::vector<Workload> workloads = makeWorkloads();
  std::map<std::string, std::vector<double>> ours, nodeRuns, ratioNode, ratioMemcpy;
  for (int r = 0; r < runs; ++r) {
    std::map<std::string, double> run;
    for (const Workload& w : workloads) run[w.name] = measure(w, seconds);
    for (auto& [name, value] : run) ours[name].push_back(value);
    std::map<std::string, double> peerRun =
        node.empty() ? decltype(peerRun){} : runNodePeer(seconds);
    for (auto& [name, value] : peerRun) {
      nodeRuns[name].push_back(value);
      if (run.count(name) && value > 0) ratioNode[name].push_back(run[name] / value);
    }
    for (const char* bulk : {"writeBytes64k", "readBytes64k"})
      ratioMemcpy[bulk].push_back(run[bulk] / run["memcpy64k"]);
  }

  for (const Workload& w : workloads) {
    const bool isMemcpy = w.name == "memcpy64k";
    const std::vector<double>& v = ours[w.name];
    double ops = median(v);
    std::printf("RESULT name=bytearray.%s impl=%s ops_per_s=%.0f MBps=%.1f min=%.0f max=%.0f n=%d",
                w.name.c_str(), isMemcpy ? "memcpy" : "as3net", ops, ops * w.bytesPerOp / 1e6,
                *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()), runs);
    if (ratioNode.count(w.name)) std::printf(" ratio_node=%.2f", median(ratioNode[w.name]));
    if (ratioMemcpy.count(w.name)) std::printf(" ratio_memcpy=%.2f", median(ratioMemcpy[w.name]));
    std::printf("\n");
  }
  for (const Workload& w : workloads) {
    if (!nodeRuns.count(w.name)) continue;
    double ops = median(nodeRuns[w.name]);
    std::printf("RESULT name=bytearray.%s impl=node-buffer ops_per_s=%.0f MBps=%.1f n=%zu\n",
                w.name.c_str(), ops, ops * w.bytesPerOp / 1e6, nodeRuns[w.name].size());
  }
  if (peer && node.empty()) std::printf("# node not found on PATH: no peer lines\n");
  return 0;
}

}  // namespace as3net_tool
