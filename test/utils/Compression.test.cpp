// ByteArray.compress / uncompress against Flash's formats (spec 5.5) and against the real tools:
// xz for LZMA-alone, pigz for zlib, Python's zlib module for raw deflate. A missing tool fails
// the test: tools/test installs xz-utils, pigz and python3 on the test machine.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "as3/errors/ArgumentError.h"
#include "as3/errors/IOError.h"
#include "as3/errors/MemoryError.h"
#include "as3/utils/ByteArray.h"
#include "support/Process.h"

using as3::utils::ByteArray;
using as3::utils::CompressionAlgorithm;

namespace {

const char* const kDecompressionMessage = "Error #2058: There was an error decompressing the data.";

std::string bytesOf(const ByteArray& a) {
  if (a.length() == 0) return {};
  return std::string(reinterpret_cast<const char*>(a.data()), a.length());
}

ByteArray arrayOf(const std::string& bytes) {
  return ByteArray(bytes.data(), bytes.size());
}

std::string hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string hex(const std::vector<std::uint8_t>& bytes) {
  return hex(std::string(bytes.begin(), bytes.end()));
}

// diff is "" for equal byte strings, else where they part: a failure prints that, not megabytes.
std::string diff(const std::string& got, const std::string& want) {
  if (got == want) return "";
  std::size_t at = 0;
  while (at < got.size() && at < want.size() && got[at] == want[at]) ++at;
  return "got " + std::to_string(got.size()) + " bytes, want " + std::to_string(want.size()) +
         ", first difference at " + std::to_string(at);
}

std::string randomBytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 engine(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(engine() & 0xFF);
  return out;
}

// About 3 MB of text with long repeats and some variety: many deflate blocks and LZMA chunks.
std::string repetitiveText() {
  std::string out;
  out.reserve(3u << 20);
  for (std::uint32_t i = 0; out.size() < (3u << 20); ++i)
    out += "line " + std::to_string(i % 997) + ": the quick brown fox jumps over the lazy dog\n";
  return out;
}

struct Input {
  const char* name;
  std::string bytes;
};

std::vector<Input> inputs() {
  return {{"0 bytes", ""},
          {"1 byte", "A"},
          {"1000 random bytes", randomBytes(1000, 1234)},
          {"3 MB of text", repetitiveText()}};
}

void requireTool(const std::string& name) {
  if (!test::haveProgram(name))
    FAIL(name << " is not installed; the compression interop tests need xz-utils, pigz and "
                 "python3 (tools/test installs them)");
}

// run executes a tool that must succeed, and returns what it wrote.
std::string run(const std::vector<std::string>& argv, const std::string& input) {
  requireTool(argv[0]);
  test::ProcessResult r = test::runProcess(argv, input, std::chrono::seconds(60));
  INFO(argv[0] << " stderr: " << r.errors);
  REQUIRE_FALSE(r.timedOut);
  REQUIRE(r.exitCode == 0);
  return r.output;
}

const char* const kPythonDeflate =
    "import sys,zlib; c=zlib.compressobj(9,zlib.DEFLATED,-15); "
    "sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read())+c.flush())";
const char* const kPythonInflate =
    "import sys,zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read(),-15))";
const char* const kPythonZlib =
    "import sys,zlib; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read(),9))";

// requireDecompressionError checks that `f` throws IOError #2058 with Flash's text and leaves
// `a` exactly as it was, position included.
template <class F>
void requireDecompressionError(ByteArray& a, F&& f) {
  const std::string before = bytesOf(a);
  const std::uint32_t position = a.position();
  try {
    f();
    FAIL("did not throw");
  } catch (const as3::errors::IOError& e) {
    CHECK(e.errorID() == 2058);
    CHECK(e.message() == kDecompressionMessage);
    CHECK(e.name() == "Error");
  }
  CHECK(diff(bytesOf(a), before) == "");
  CHECK(a.position() == position);
}

template <class E, class F>
void requireError(ByteArray& a, int id, F&& f) {
  const std::string before = bytesOf(a);
  const std::uint32_t position = a.position();
  try {
    f();
    FAIL("did not throw");
  } catch (const E& e) {
    CHECK(e.errorID() == id);
  }
  CHECK(diff(bytesOf(a), before) == "");
  CHECK(a.position() == position);
}

std::string lzmaHeader(std::uint32_t dictionary, std::uint64_t size) {
  std::string h(13, '\0');
  h[0] = '\x5D';
  for (int i = 0; i < 4; ++i) h[1 + i] = static_cast<char>(dictionary >> (8 * i));
  for (int i = 0; i < 8; ++i) h[5 + i] = static_cast<char>(size >> (8 * i));
  return h;
}

std::string ourLzma(const std::string& bytes) {
  ByteArray a = arrayOf(bytes);
  a.compress(CompressionAlgorithm::LZMA);
  return bytesOf(a);
}

}  // namespace

// --- exact bytes -------------------------------------------------------------------------------

TEST_CASE("compress() writes zlib's compress2 level 9 bytes", "[compression]") {
  const std::string text = "The quick brown fox jumps over the lazy dog. The quick brown fox!";
  // zlib 1.2.13 compress2(level 9) of the text.
  const std::vector<std::uint8_t> expected = {
      0x78, 0xDA, 0x0B, 0xC9, 0x48, 0x55, 0x28, 0x2C, 0xCD, 0x4C, 0xCE, 0x56, 0x48, 0x2A,
      0xCA, 0x2F, 0xCF, 0x53, 0x48, 0xCB, 0xAF, 0x50, 0xC8, 0x2A, 0xCD, 0x2D, 0x28, 0x56,
      0xC8, 0x2F, 0x4B, 0x2D, 0x52, 0x28, 0x01, 0x4A, 0xE7, 0x24, 0x56, 0x55, 0x2A, 0xA4,
      0xE4, 0xA7, 0xEB, 0x29, 0x84, 0x60, 0x2A, 0x56, 0x04, 0x00, 0x0B, 0x99, 0x17, 0x5C};
  ByteArray a = arrayOf(text);
  a.compress();
  CHECK(hex(bytesOf(a)) == hex(expected));
  ByteArray b = arrayOf(text);
  b.compress(CompressionAlgorithm::ZLIB);
  CHECK(hex(bytesOf(b)) == hex(expected));

  ByteArray one = arrayOf(std::string("A"));
  one.compress("zlib");
  CHECK(hex(bytesOf(one)) ==
        "78da730400004200"
        "42");
}

TEST_CASE("compress() matches zlib.compress(level 9) on large inputs", "[compression]") {
  for (const Input& input : inputs()) {
    if (input.bytes.empty()) continue;
    SECTION(input.name) {
      ByteArray a = arrayOf(input.bytes);
      a.compress();
      CHECK(diff(bytesOf(a), run({"python3", "-c", kPythonZlib}, input.bytes)) == "");
    }
  }
}

TEST_CASE("compress(\"deflate\") writes the raw stream, without zlib's header and checksum",
          "[compression]") {
  const std::string text = "The quick brown fox jumps over the lazy dog. The quick brown fox!";
  ByteArray zlib = arrayOf(text);
  zlib.compress();
  const std::string z = bytesOf(zlib);
  const std::string raw = z.substr(2, z.size() - 6);  // 78 DA ... adler32

  ByteArray a = arrayOf(text);
  a.compress(CompressionAlgorithm::DEFLATE);
  CHECK(diff(bytesOf(a), raw) == "");
  CHECK(a[0] == 0x0B);

  ByteArray b = arrayOf(text);
  b.deflate();
  CHECK(diff(bytesOf(b), raw) == "");

  CHECK(diff(bytesOf(a), run({"python3", "-c", kPythonDeflate}, text)) == "");
}

TEST_CASE("compress(\"lzma\") writes Flash's header: properties, then the real size",
          "[compression]") {
  for (const Input& input : inputs()) {
    if (input.bytes.empty()) continue;
    SECTION(input.name) {
      const std::string out = ourLzma(input.bytes);
      REQUIRE(out.size() > 13);
      // lc 3, lp 0, pb 2 and a 1 MiB dictionary, as avmplus' LzmaCompress call asks for.
      CHECK(hex(out.substr(0, 5)) == "5d00001000");
      std::uint64_t size = 0;
      for (int i = 0; i < 8; ++i)
        size |= std::uint64_t{static_cast<std::uint8_t>(out[5 + i])} << (8 * i);
      CHECK(size == input.bytes.size());  // the real size, never xz's FF FF FF FF FF FF FF FF
    }
  }
}

// --- interop with the real tools ---------------------------------------------------------------

TEST_CASE("uncompress(\"lzma\") decodes xz --format=lzma output (unknown size, end marker)",
          "[compression]") {
  for (const Input& input : inputs()) {
    SECTION(input.name) {
      const std::string xz = run({"xz", "--format=lzma", "-c"}, input.bytes);
      REQUIRE(xz.size() >= 13);
      CHECK(hex(xz.substr(5, 8)) == "ffffffffffffffff");
      ByteArray a = arrayOf(xz);
      a.position(7);
      a.uncompress(CompressionAlgorithm::LZMA);
      CHECK(a.length() == input.bytes.size());
      CHECK(diff(bytesOf(a), input.bytes) == "");
      CHECK(a.position() == 0);
    }
  }
}

TEST_CASE("xz --format=lzma -d decodes compress(\"lzma\") output", "[compression]") {
  for (const Input& input : inputs()) {
    if (input.bytes.empty()) continue;
    SECTION(input.name) {
      const std::string ours = ourLzma(input.bytes);
      CHECK(diff(run({"xz", "--format=lzma", "-d", "-c"}, ours), input.bytes) == "");
      // And back through ourselves, with the known size.
      ByteArray a = arrayOf(ours);
      a.uncompress("lzma");
      CHECK(diff(bytesOf(a), input.bytes) == "");
    }
  }
}

TEST_CASE("uncompress() decodes pigz -z output and pigz decodes compress() output",
          "[compression]") {
  for (const Input& input : inputs()) {
    SECTION(input.name) {
      const std::string theirs = run({"pigz", "-z", "-c"}, input.bytes);
      ByteArray a = arrayOf(theirs);
      a.uncompress();
      CHECK(diff(bytesOf(a), input.bytes) == "");
      CHECK(a.position() == 0);

      if (!input.bytes.empty()) {
        ByteArray b = arrayOf(input.bytes);
        b.compress();
        CHECK(b[0] == 0x78);
        CHECK(b[1] == 0xDA);
        CHECK(diff(run({"pigz", "-d", "-z", "-c"}, bytesOf(b)), input.bytes) == "");
      }
    }
  }
}

TEST_CASE("raw deflate interoperates with Python's zlib both ways", "[compression]") {
  for (const Input& input : inputs()) {
    SECTION(input.name) {
      const std::string theirs = run({"python3", "-c", kPythonDeflate}, input.bytes);
      ByteArray a = arrayOf(theirs);
      a.uncompress(CompressionAlgorithm::DEFLATE);
      CHECK(diff(bytesOf(a), input.bytes) == "");

      ByteArray b = arrayOf(theirs);
      b.inflate();
      CHECK(diff(bytesOf(b), input.bytes) == "");

      if (!input.bytes.empty()) {
        ByteArray c = arrayOf(input.bytes);
        c.compress(CompressionAlgorithm::DEFLATE);
        CHECK(diff(run({"python3", "-c", kPythonInflate}, bytesOf(c)), input.bytes) == "");
      }
    }
  }
}

TEST_CASE("every algorithm round-trips", "[compression]") {
  for (const Input& input : inputs()) {
    for (const char* algorithm : {"zlib", "deflate", "lzma"}) {
      INFO(input.name << ", " << algorithm);
      ByteArray a = arrayOf(input.bytes);
      a.compress(algorithm);
      if (!input.bytes.empty()) CHECK(diff(bytesOf(a), input.bytes) != "");
      a.uncompress(algorithm);
      CHECK(diff(bytesOf(a), input.bytes) == "");
    }
  }
}

// --- positions ---------------------------------------------------------------------------------

TEST_CASE("compress works on the whole array and ends at its end, uncompress ends at 0",
          "[compression]") {
  const std::string text = randomBytes(1000, 7) + std::string(1000, 'x');
  for (const char* algorithm : {"zlib", "deflate", "lzma"}) {
    INFO(algorithm);
    ByteArray whole = arrayOf(text);
    whole.compress(algorithm);

    ByteArray a = arrayOf(text);
    a.position(500);  // ignored: the whole array is compressed
    a.compress(algorithm);
    CHECK(diff(bytesOf(a), bytesOf(whole)) == "");
    CHECK(a.position() == a.length());

    a.position(3);
    a.uncompress(algorithm);
    CHECK(diff(bytesOf(a), text) == "");
    CHECK(a.position() == 0);
  }
}

TEST_CASE("deflate() and inflate() are compress and uncompress with \"deflate\"", "[compression]") {
  const std::string text = repetitiveText().substr(0, 100000);
  ByteArray a = arrayOf(text);
  ByteArray b = arrayOf(text);
  a.position(10);
  b.position(10);
  a.deflate();
  b.compress("deflate");
  CHECK(diff(bytesOf(a), bytesOf(b)) == "");
  CHECK(a.position() == b.position());
  a.position(5);
  b.position(5);
  a.inflate();
  b.uncompress("deflate");
  CHECK(diff(bytesOf(a), bytesOf(b)) == "");
  CHECK(diff(bytesOf(a), text) == "");
  CHECK(a.position() == 0);
}

// --- empty arrays, names, shareable ------------------------------------------------------------

TEST_CASE("on an empty array compress and uncompress do nothing", "[compression]") {
  for (const char* algorithm : {"zlib", "deflate", "lzma"}) {
    INFO(algorithm);
    ByteArray a;
    a.position(5);
    a.compress(algorithm);
    CHECK(a.length() == 0);
    CHECK(a.position() == 5);
    a.uncompress(algorithm);
    CHECK(a.length() == 0);
    CHECK(a.position() == 5);
  }
  ByteArray b;
  b.deflate();
  b.inflate();
  b.compress();
  b.uncompress();
  CHECK(b.length() == 0);
}

TEST_CASE("an unknown algorithm name is IOError #2058, checked before anything else",
          "[compression]") {
  for (const char* name : {"ZLIB", "gzip", "", "Deflate", "lzma ", "zlib2"}) {
    INFO("name: \"" << name << "\"");
    ByteArray a = arrayOf(std::string("some bytes to keep"));
    a.position(4);
    requireDecompressionError(a, [&] { a.compress(name); });
    requireDecompressionError(a, [&] { a.uncompress(name); });

    ByteArray empty;
    requireDecompressionError(empty, [&] { empty.compress(name); });
    requireDecompressionError(empty, [&] { empty.uncompress(name); });

    ByteArray shared = arrayOf(std::string("shared"));
    shared.shareable(true);
    requireDecompressionError(shared, [&] { shared.compress(name); });
  }
  // The name must be exactly the string: an embedded NUL makes it a different name.
  ByteArray a = arrayOf(std::string("x"));
  requireDecompressionError(a, [&] { a.compress(std::string_view("zlib\0", 5)); });
}

TEST_CASE("a shareable array cannot be compressed or uncompressed: ArgumentError #3735",
          "[compression]") {
  ByteArray zlib = arrayOf(std::string("abc"));
  zlib.compress();
  for (const char* algorithm : {"zlib", "deflate", "lzma"}) {
    INFO(algorithm);
    ByteArray a = zlib;
    a.shareable(true);
    a.position(1);
    requireError<as3::errors::ArgumentError>(a, 3735, [&] { a.compress(algorithm); });
    requireError<as3::errors::ArgumentError>(a, 3735, [&] { a.uncompress(algorithm); });
  }
  ByteArray b = zlib;
  b.shareable(true);
  requireError<as3::errors::ArgumentError>(b, 3735, [&] { b.deflate(); });
  requireError<as3::errors::ArgumentError>(b, 3735, [&] { b.inflate(); });
  try {
    b.uncompress();
    FAIL("did not throw");
  } catch (const as3::errors::ArgumentError& e) {
    CHECK(e.message() == "Error #3735: This API cannot accept shared ByteArrays.");
  }
  // Checked before the empty-array shortcut: an empty shareable array throws too.
  ByteArray empty;
  empty.shareable(true);
  requireError<as3::errors::ArgumentError>(empty, 3735, [&] { empty.compress(); });
  requireError<as3::errors::ArgumentError>(empty, 3735, [&] { empty.uncompress("lzma"); });
  b.shareable(false);
  b.uncompress();
  CHECK(diff(bytesOf(b), "abc") == "");
}

// --- bad data ----------------------------------------------------------------------------------

TEST_CASE("bad data is IOError #2058 and leaves bytes and position as they were", "[compression]") {
  const std::string text = repetitiveText().substr(0, 50000);
  ByteArray zlib = arrayOf(text);
  zlib.compress();
  const std::string z = bytesOf(zlib);
  ByteArray raw = arrayOf(text);
  raw.deflate();
  const std::string d = bytesOf(raw);
  const std::string lz = ourLzma(text);

  SECTION("random bytes") {
    const std::string noise = randomBytes(4096, 99);
    for (const char* algorithm : {"zlib", "deflate"}) {
      INFO(algorithm);
      ByteArray a = arrayOf(noise);
      a.position(17);
      requireDecompressionError(a, [&] { a.uncompress(algorithm); });
    }
    // A Flash header before the noise, so that the noise is what the decoder sees.
    ByteArray a = arrayOf(lzmaHeader(1u << 20, 4096) + noise);
    a.position(17);
    requireDecompressionError(a, [&] { a.uncompress("lzma"); });
    // Noise read as a header: a size past 32 bits is MemoryError #1000, as Flash's check throws.
    REQUIRE(noise.substr(9, 4) != std::string(4, '\0'));
    ByteArray b = arrayOf(noise);
    b.position(2);
    requireError<as3::errors::MemoryError>(b, 1000, [&] { b.uncompress("lzma"); });
  }
  SECTION("truncated streams") {
    for (std::size_t keep : {std::size_t{1}, std::size_t{2}, z.size() / 2, z.size() - 1}) {
      INFO("zlib kept " << keep);
      ByteArray a = arrayOf(z.substr(0, keep));
      a.position(1);
      requireDecompressionError(a, [&] { a.uncompress(); });
    }
    ByteArray b = arrayOf(d.substr(0, d.size() / 2));
    requireDecompressionError(b, [&] { b.inflate(); });
    for (std::size_t keep : {std::size_t{13}, std::size_t{20}, lz.size() / 2, lz.size() - 1}) {
      INFO("lzma kept " << keep);
      ByteArray c = arrayOf(lz.substr(0, keep));
      c.position(9);
      requireDecompressionError(c, [&] { c.uncompress("lzma"); });
    }
    const std::string xz = run({"xz", "--format=lzma", "-c"}, text);
    ByteArray e = arrayOf(xz.substr(0, xz.size() - 1));  // the end marker cut
    requireDecompressionError(e, [&] { e.uncompress("lzma"); });
  }
  SECTION("a zlib stream with a bad checksum") {
    std::string bad = z;
    bad.back() = static_cast<char>(bad.back() ^ 1);
    ByteArray a = arrayOf(bad);
    a.position(2);
    requireDecompressionError(a, [&] { a.uncompress(); });
  }
  SECTION("zlib data given as deflate, and the other way round") {
    ByteArray a = arrayOf(z);
    requireDecompressionError(a, [&] { a.uncompress("deflate"); });
    ByteArray b = arrayOf(d);
    requireDecompressionError(b, [&] { b.uncompress("zlib"); });
  }
  SECTION("an lzma header claiming far more than its body holds") {
    ByteArray a = arrayOf(lzmaHeader(1u << 20, 0xFFFFFFF0u) + lz.substr(13));
    a.position(40);
    requireDecompressionError(a, [&] { a.uncompress("lzma"); });
  }
  SECTION("an lzma size one larger than the data") {
    ByteArray a = arrayOf(lzmaHeader(1u << 20, text.size() + 1) + lz.substr(13));
    requireDecompressionError(a, [&] { a.uncompress("lzma"); });
  }
  SECTION("lzma properties out of range") {
    std::string bad = lz;
    bad[0] = static_cast<char>(225);  // 9 * 5 * 5: no lc/lp/pb encodes to it
    ByteArray a = arrayOf(bad);
    requireDecompressionError(a, [&] { a.uncompress("lzma"); });
    bad[0] = static_cast<char>((2 * 5 + 1) * 9 + 4);  // lc 4 + lp 1: past liblzma's lc + lp <= 4
    ByteArray b = arrayOf(bad);
    requireDecompressionError(b, [&] { b.uncompress("lzma"); });
  }
  SECTION("an lzma size of 0 still needs the range coder's first 5 bytes, as LzmaDecode does") {
    ByteArray a = arrayOf(lzmaHeader(1u << 20, 0) + std::string(4, '\0'));
    requireDecompressionError(a, [&] { a.uncompress("lzma"); });
  }
}

TEST_CASE("an lzma size past 32 bits is MemoryError #1000, as in Flash", "[compression]") {
  const std::string lz = ourLzma("hello");
  for (std::uint64_t size :
       {std::uint64_t{1} << 32, std::uint64_t{1} << 63, std::uint64_t{0xFFFFFFFFFFFFFFFEu}}) {
    INFO("size " << size);
    ByteArray a = arrayOf(lzmaHeader(1u << 20, size) + lz.substr(13));
    a.position(3);
    requireError<as3::errors::MemoryError>(a, 1000, [&] { a.uncompress("lzma"); });
  }
  // 4 GiB - 1 fits, but a dictionary that large is over the decoder's 1 GiB limit (Flash would
  // try to allocate the whole declared size up front).
  ByteArray b = arrayOf(lzmaHeader(0xFFFFFFFFu, 0xFFFFFFFFu) + lz.substr(13));
  requireError<as3::errors::MemoryError>(b, 1000, [&] { b.uncompress("lzma"); });
}

TEST_CASE("an unknown-size lzma stream needing a dictionary over 1 GiB is MemoryError #1000",
          "[compression]") {
  std::string xz = run({"xz", "--format=lzma", "-c"}, std::string("hello"));
  const std::string huge = lzmaHeader(0xFFFFFFFFu, ~std::uint64_t{0});
  xz.replace(0, 13, huge);
  ByteArray a = arrayOf(xz);
  requireError<as3::errors::MemoryError>(a, 1000, [&] { a.uncompress("lzma"); });
  // A known size bounds the dictionary: the same header with the real size decodes.
  xz.replace(0, 13, lzmaHeader(0xFFFFFFFFu, 5));
  ByteArray b = arrayOf(xz);
  b.uncompress("lzma");
  CHECK(diff(bytesOf(b), "hello") == "");
}

// --- Flash's tolerance -------------------------------------------------------------------------

TEST_CASE("bytes after a complete stream are ignored, as Flash's decoders ignore them",
          "[compression]") {
  const std::string text = "ignored garbage follows this text, ignored garbage follows";
  const std::string garbage = randomBytes(100, 5);
  for (const char* algorithm : {"zlib", "deflate", "lzma"}) {
    INFO(algorithm);
    ByteArray a = arrayOf(text);
    a.compress(algorithm);
    ByteArray b = arrayOf(bytesOf(a) + garbage);
    b.uncompress(algorithm);
    CHECK(diff(bytesOf(b), text) == "");
  }
  ByteArray c = arrayOf(run({"xz", "--format=lzma", "-c"}, text) + garbage);
  c.uncompress("lzma");
  CHECK(diff(bytesOf(c), text) == "");
}

TEST_CASE("an lzma stream longer than its declared size is cut there, as LzmaDecode cuts it",
          "[compression]") {
  const std::string text = randomBytes(1000, 3);
  const std::string lz = ourLzma(text);
  ByteArray a = arrayOf(lzmaHeader(1u << 20, 500) + lz.substr(13));
  a.uncompress("lzma");
  CHECK(diff(bytesOf(a), text.substr(0, 500)) == "");
  // The dictionary field is only an upper bound: a smaller one than the encoder's still decodes
  // a stream that looks back less than it.
  ByteArray b = arrayOf(lzmaHeader(0, 1000) + lz.substr(13));
  b.uncompress("lzma");
  CHECK(diff(bytesOf(b), text) == "");
}

TEST_CASE("an lzma size of 0 with the range coder's 5 bytes is an empty array", "[compression]") {
  ByteArray a = arrayOf(lzmaHeader(1u << 20, 0) + std::string(5, '\0') + "trailing");
  a.position(4);
  a.uncompress("lzma");
  CHECK(a.length() == 0);
  CHECK(a.position() == 0);
}

TEST_CASE("an lzma array shorter than its 13-byte header is left alone, as in Flash",
          "[compression]") {
  for (std::size_t n : {std::size_t{1}, std::size_t{5}, std::size_t{12}}) {
    ByteArray a = arrayOf(randomBytes(n, 11));
    const std::string before = bytesOf(a);
    a.position(1);
    a.uncompress("lzma");
    CHECK(diff(bytesOf(a), before) == "");
    CHECK(a.position() == 1);
  }
}
