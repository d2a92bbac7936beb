// ByteArray's compress() and uncompress(): zlib, raw deflate and LZMA-alone, in the formats and
// with the edge cases of Flash's own code (avmplus core/ByteArrayGlue.cpp, ByteArray::Compress,
// Uncompress and their ...ViaZlibVariant / ...ViaLzma helpers, LZMA SDK 9.x LzmaLib.c):
//
// - zlib and deflate: deflateInit2(level 9, windowBits 15 or -15, memLevel 8, default strategy),
//   so "zlib" is byte for byte zlib's compress2(level 9). Uncompressing inflates until the end of
//   the stream: bytes after it are ignored, as Flash's inflate loop ignores them.
// - lzma: LzmaCompress(level 9, dictSize 1 << 20, lc 3, lp 0, pb 2, fb 64, one thread, no end
//   marker) behind Flash's 13-byte header: 5 property bytes (5D 00 00 10 00) and the size as 8
//   bytes little-endian. Flash decodes with LzmaDecode(LZMA_FINISH_ANY): it stops once the
//   declared size is out, so whatever follows (an end marker, more data, garbage) is ignored, and
//   a stream ending short of that size is an error.
//
// Where as3net differs from Flash, on purpose:
// - The size in an lzma header is a claim. Flash allocates it up front; here the output grows as
//   data decodes, so a 13-byte header claiming 4 GiB fails (#2058) once its body runs out.
// - The unknown size (all 8 bytes FF) with an end marker, as `xz --format=lzma` writes, is
//   accepted; Flash throws MemoryError #1000 for it (its size does not fit 32 bits). Any other
//   size past 32 bits throws #1000 before anything is decoded, as in Flash.
// - liblzma decodes lc + lp <= 4 only (every LZMA-alone encoder's default is lc 3, lp 0);
//   Flash's LzmaDec accepts up to lc 8 + lp 4. Such streams throw #2058 here.
// - liblzma allocates the whole dictionary when it starts. A known size bounds it first (no LZMA
//   stream looks further back than its own output); past that, a dictionary over kMaxDictionary
//   (1 GiB) throws MemoryError #1000. Only a declared size over 1 GiB, or an unknown-size stream,
//   can reach it; Flash would allocate such a size up front or throw #1000.
// - A shareable array throws ArgumentError #3735, as the player does (its check is not in the
//   open-source avmplus): after the name check, before the empty-array shortcut.
// - A result past 4 GiB - 1 throws MemoryError #1000, the array as it was.
//
// Kept from Flash: an lzma array shorter than its 13-byte header is left as it is, without an
// error (UncompressViaLzma returns early); the algorithm name is checked before anything else,
// even on an empty array; bytes after a complete stream are ignored, for all three formats.
#define ZLIB_CONST
#include <lzma.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "as3/utils/ByteArray.h"
#include "errors/detail/Throw.h"

namespace as3::utils {
namespace {

using detail::ByteStream;
using errors::detail::throwError;

enum class Algorithm { kZlib, kDeflate, kLzma };

// The outcome of one whole-array codec run; turned into an AS3 error by fail().
enum class Status { kOk, kBadData, kTooLarge, kNoMemory };

constexpr std::uint32_t kLzmaPropertiesSize = 5;
constexpr std::uint32_t kLzmaHeaderSize = kLzmaPropertiesSize + 8;
constexpr std::uint32_t kFlashDictionary = 1u << 20;  // ByteArrayGlue.cpp CompressViaLzma
constexpr std::uint32_t kMinDictionary = 1u << 12;    // LzmaDec's LZMA_DIC_MIN
constexpr std::uint32_t kMaxDictionary = 1u << 30;
// liblzma's decoder needs the dictionary plus well under 1 MiB of state.
constexpr std::uint64_t kLzmaMemoryLimit = std::uint64_t{kMaxDictionary} + (1u << 20);

Algorithm parseAlgorithm(std::string_view name) {
  if (name == CompressionAlgorithm::ZLIB) return Algorithm::kZlib;
  if (name == CompressionAlgorithm::DEFLATE) return Algorithm::kDeflate;
  if (name == CompressionAlgorithm::LZMA) return Algorithm::kLzma;
  throwError(errors::detail::kDecompression);  // Flash: IOError #2058 for an unknown name
}

[[noreturn]] void fail(Status status) {
  throwError(status == Status::kBadData ? errors::detail::kDecompression
                                        : errors::detail::kOutOfMemory);
}

// Output collects what a codec produces in a ByteStream that grows only as bytes arrive. At 4 GiB
// - 1 the codec is handed a one-byte spill slot instead: a codec that fills it has too much.
class Output {
 public:
  /// reserve grows the capacity to `bytes` (at most the 32-bit limit) before the run starts.
  void reserve(std::uint64_t bytes) {
    bytes_.reserve(static_cast<std::uint32_t>(std::min<std::uint64_t>(bytes, kMax)));
  }

  void write(const void* bytes, std::uint32_t n) { bytes_.write(bytes, n); }

  /// window is where the codec may write next, and how much; never empty.
  std::pair<std::uint8_t*, std::uint32_t> window() {
    if (bytes_.length() == bytes_.capacity()) {
      if (bytes_.length() == kMax) {
        spilling_ = true;
        return {&spill_, 1};
      }
      reserve(std::max<std::uint64_t>(std::uint64_t{bytes_.capacity()} * 2, 1u << 16));
    }
    return {bytes_.data() + bytes_.length(), bytes_.capacity() - bytes_.length()};
  }

  /// commit accounts for `n` bytes the codec wrote into window(); false if they did not fit.
  bool commit(std::uint32_t n) {
    if (spilling_) return n == 0;
    bytes_.makeRoom(n);  // within the capacity: only moves the length and position
    return true;
  }

  std::uint32_t size() const { return bytes_.length(); }
  ByteStream take() { return std::move(bytes_); }

 private:
  static constexpr std::uint32_t kMax = ByteStream::kMaxLength;
  ByteStream bytes_;
  std::uint8_t spill_ = 0;
  bool spilling_ = false;
};

// --- zlib and raw deflate ----------------------------------------------------------------------

struct DeflateEnd {
  z_stream* z;
  ~DeflateEnd() { deflateEnd(z); }
};

struct InflateEnd {
  z_stream* z;
  ~InflateEnd() { inflateEnd(z); }
};

Status deflateAll(const std::uint8_t* in, std::uint32_t size, int windowBits, Output& out) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return Status::kNoMemory;
  DeflateEnd end{&z};
  out.reserve(deflateBound(&z, size));  // as Flash and compress2: one allocation, no regrowth
  z.next_in = in;
  z.avail_in = size;
  for (;;) {
    auto [at, room] = out.window();
    z.next_out = at;
    z.avail_out = room;
    int result = deflate(&z, Z_FINISH);
    if (!out.commit(room - z.avail_out)) return Status::kTooLarge;
    if (result == Z_STREAM_END) return Status::kOk;
    if (result != Z_OK && result != Z_BUF_ERROR) return Status::kNoMemory;
  }
}

Status inflateAll(const std::uint8_t* in, std::uint32_t size, int windowBits, Output& out) {
  z_stream z{};
  if (inflateInit2(&z, windowBits) != Z_OK) return Status::kNoMemory;
  InflateEnd end{&z};
  // At least as large as the input, as Flash starts; the rest comes as the data decodes.
  out.reserve(std::uint64_t{size} * 2 + 4096);
  z.next_in = in;
  z.avail_in = size;
  for (;;) {
    auto [at, room] = out.window();
    z.next_out = at;
    z.avail_out = room;
    int result = inflate(&z, Z_NO_FLUSH);
    if (!out.commit(room - z.avail_out)) return Status::kTooLarge;
    // Z_STREAM_END may leave input unread: trailing bytes are ignored, as in Flash.
    if (result == Z_STREAM_END) return Status::kOk;
    if (result == Z_MEM_ERROR) return Status::kNoMemory;
    // Z_BUF_ERROR: the input ended first (there is always output room); Z_DATA_ERROR and
    // Z_NEED_DICT: not a stream Flash can inflate either.
    if (result != Z_OK) return Status::kBadData;
  }
}

// --- LZMA-alone --------------------------------------------------------------------------------

struct LzmaEnd {
  lzma_stream* s;
  ~LzmaEnd() { lzma_end(s); }
};

Status lzmaStatus(lzma_ret result) {
  switch (result) {
    case LZMA_MEM_ERROR:
      return Status::kNoMemory;
    case LZMA_MEMLIMIT_ERROR:
      return Status::kTooLarge;
    default:
      return Status::kBadData;
  }
}

// lzmaRun codes all of `s`'s input into `out`, to the end of the stream or, given `stopAt`, only
// until `out` holds that many bytes: LzmaDecode(LZMA_FINISH_ANY) with a known size, which never
// reads what follows them.
Status lzmaRun(lzma_stream& s, Output& out, std::optional<std::uint32_t> stopAt) {
  for (;;) {
    if (stopAt && out.size() == *stopAt) return Status::kOk;
    auto [at, room] = out.window();
    if (stopAt) room = std::min(room, *stopAt - out.size());
    s.next_out = at;
    s.avail_out = room;
    lzma_ret result = lzma_code(&s, LZMA_FINISH);
    if (!out.commit(static_cast<std::uint32_t>(room - s.avail_out))) return Status::kTooLarge;
    // An end marker before the declared size is an error in Flash too (destLen != unpackedLen).
    if (result == LZMA_STREAM_END)
      return !stopAt || out.size() == *stopAt ? Status::kOk : Status::kBadData;
    if (result != LZMA_OK) return lzmaStatus(result);  // LZMA_BUF_ERROR: the input ran out
  }
}

Status lzmaCompress(const std::uint8_t* in, std::uint32_t size, Output& out) {
  lzma_options_lzma options;
  if (lzma_lzma_preset(&options, 9)) return Status::kNoMemory;
  // Preset 9 is LZMA SDK level 9: normal mode, bt4, nice length (fb) 64, lc 3, lp 0, pb 2. Only
  // the dictionary differs: Flash asks for 1 MiB.
  options.dict_size = kFlashDictionary;

  std::uint8_t header[kLzmaHeaderSize];
  lzma_filter properties{LZMA_FILTER_LZMA1, &options};
  if (lzma_properties_encode(&properties, header) != LZMA_OK) return Status::kNoMemory;
  for (std::uint32_t i = 0; i < 8; ++i)  // the real size: the high half stays zero
    header[kLzmaPropertiesSize + i] = static_cast<std::uint8_t>(std::uint64_t{size} >> (8 * i));

#ifdef LZMA_FILTER_LZMA1EXT
  // No end marker, as LzmaCompress writes none (liblzma 5.4: LZMA1EXT without ALLOW_EOPM).
  options.ext_flags = 0;
  options.ext_size_low = 0;
  options.ext_size_high = 0;
  lzma_filter filters[] = {{LZMA_FILTER_LZMA1EXT, &options}, {LZMA_VLI_UNKNOWN, nullptr}};
#else
  // Older liblzma always ends LZMA1 with a marker; Flash's decoder stops at the declared size
  // before reaching it, and xz accepts both.
  lzma_filter filters[] = {{LZMA_FILTER_LZMA1, &options}, {LZMA_VLI_UNKNOWN, nullptr}};
#endif
  lzma_stream s{};
  if (lzma_ret result = lzma_raw_encoder(&s, filters); result != LZMA_OK)
    return result == LZMA_MEM_ERROR ? Status::kNoMemory : Status::kBadData;
  LzmaEnd end{&s};
  out.reserve(std::uint64_t{kLzmaHeaderSize} + size + size / 16 + 4096);
  out.write(header, kLzmaHeaderSize);
  s.next_in = in;
  s.avail_in = size;
  Status status = lzmaRun(s, out, std::nullopt);
  // The encoder fails only for lack of memory; Flash never reports compress() errors either.
  return status == Status::kBadData ? Status::kNoMemory : status;
}

Status lzmaUncompress(const std::uint8_t* in, std::uint32_t size, Output& out) {
  std::uint64_t declared = 0;
  for (std::uint32_t i = 0; i < 8; ++i)
    declared |= std::uint64_t{in[kLzmaPropertiesSize + i]} << (8 * i);
  const bool unknownSize = declared == UINT64_MAX;  // xz's "ends with a marker"
  if (!unknownSize && declared > ByteStream::kMaxLength) return Status::kTooLarge;  // as Flash

  // The properties, parsed here so that the dictionary can be bounded before liblzma sees it.
  std::uint32_t lclppb = in[0];
  if (lclppb >= 9 * 5 * 5) return Status::kBadData;  // as LzmaProps_Decode
  lzma_options_lzma options{};
  options.lc = lclppb % 9;
  options.lp = lclppb / 9 % 5;
  options.pb = lclppb / 45;
  if (options.lc + options.lp > LZMA_LCLP_MAX) return Status::kBadData;  // liblzma's limit
  std::uint32_t dictionary = 0;
  for (std::uint32_t i = 0; i < 4; ++i) dictionary |= std::uint32_t{in[1 + i]} << (8 * i);
  // Distances never reach past the output, so a dictionary larger than the declared size is
  // never used: a header's claim alone cannot make liblzma allocate it.
  if (!unknownSize) dictionary = std::min(dictionary, static_cast<std::uint32_t>(declared));
  options.dict_size = std::max(dictionary, kMinDictionary);

  // Plain LZMA1 is "size unknown, end marker required"; a known size is enforced by lzmaRun.
  lzma_filter filters[] = {{LZMA_FILTER_LZMA1, &options}, {LZMA_VLI_UNKNOWN, nullptr}};
  if (lzma_raw_decoder_memusage(filters) > kLzmaMemoryLimit) return Status::kTooLarge;
  lzma_stream s{};
  if (lzma_ret result = lzma_raw_decoder(&s, filters); result != LZMA_OK) return lzmaStatus(result);
  LzmaEnd end{&s};
  s.next_in = in + kLzmaHeaderSize;
  s.avail_in = size - kLzmaHeaderSize;
  // LzmaDecode wants the range coder's 5 first bytes even for nothing to decode.
  if (declared == 0 && s.avail_in < 5) return Status::kBadData;
  // Output grows from here as the data decodes, never to the declared size up front.
  out.reserve(std::min<std::uint64_t>(declared, std::uint64_t{size} * 4 + 4096));
  if (unknownSize) return lzmaRun(s, out, std::nullopt);
  return lzmaRun(s, out, static_cast<std::uint32_t>(declared));
}

}  // namespace

void ByteArray::compress(std::string_view algorithm) {
  const Algorithm kind = parseAlgorithm(algorithm);
  if (shareable_) throwError(errors::detail::kSharedByteArray);
  if (stream_.length() == 0) return;  // nothing compresses to nothing, not to a header

  Output out;
  const std::uint8_t* in = stream_.data();
  const std::uint32_t size = stream_.length();
  Status status = kind == Algorithm::kLzma
                      ? lzmaCompress(in, size, out)
                      : deflateAll(in, size, kind == Algorithm::kZlib ? 15 : -15, out);
  if (status != Status::kOk) fail(status);  // the array is untouched
  stream_ = out.take();
  stream_.setPosition(stream_.length());  // Flash: compress ends at the end
}

void ByteArray::uncompress(std::string_view algorithm) {
  const Algorithm kind = parseAlgorithm(algorithm);
  if (shareable_) throwError(errors::detail::kSharedByteArray);
  if (stream_.length() == 0) return;
  // Flash's UncompressViaLzma returns early, leaving the array as it is, when the header is cut.
  if (kind == Algorithm::kLzma && stream_.length() < kLzmaHeaderSize) return;

  Output out;
  const std::uint8_t* in = stream_.data();
  const std::uint32_t size = stream_.length();
  Status status = kind == Algorithm::kLzma
                      ? lzmaUncompress(in, size, out)
                      : inflateAll(in, size, kind == Algorithm::kZlib ? 15 : -15, out);
  if (status != Status::kOk) fail(status);  // bytes and position as they were
  stream_ = out.take();
  stream_.setPosition(0);  // Flash: uncompress ends at 0
}

}  // namespace as3::utils
