// The AMF3 reader and writer: one value at a time with the three reference tables, shared with
// IExternalizable bodies and with AMF0's switch marker.
#ifndef AS3NET_LIB_AMF_DETAIL_AMF3_H_
#define AS3NET_LIB_AMF_DETAIL_AMF3_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "amf/detail/Nodes.h"
#include "amf/detail/Region.h"
#include "amf/detail/Wire.h"
#include "as3/amf/Codec.h"
#include "as3/amf/Value.h"

namespace as3::amf::detail {

// The codec swaps bytes unconditionally: AMF is big-endian and so is no host it runs on.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the AMF codec expects a little-endian host");

/// Input is the cursor every AMF reader moves. Checks compare against what is left and consume
/// nothing when they fail, so `p` is always just past the last complete primitive, where Flash
/// leaves a ByteArray's position when readObject throws.
class Input {
 public:
  Input(const std::uint8_t* begin, const std::uint8_t* end, std::uint64_t baseOffset,
        const DecodeLimits& limits) noexcept
      : begin_(begin), p(begin), end_(end), base_(baseOffset), limits_(limits) {
    budget_ = limits.maxDecodedBytes;
  }

  std::size_t left() const noexcept { return static_cast<std::size_t>(end_ - p); }
  const std::uint8_t* end() const noexcept { return end_; }
  std::uint64_t offset() const noexcept { return base_ + static_cast<std::uint64_t>(p - begin_); }
  std::uint64_t offsetOf(const std::uint8_t* at) const noexcept {
    return base_ + static_cast<std::uint64_t>(at - begin_);
  }

  const std::uint8_t* take(std::size_t n, const char* what) {
    if (n > left()) failEof(what, n);
    const std::uint8_t* at = p;
    p += n;
    return at;
  }
  std::uint8_t u8(const char* what) { return *take(1, what); }
  std::uint16_t u16(const char* what) {
    const std::uint8_t* b = take(2, what);
    return static_cast<std::uint16_t>(b[0] << 8 | b[1]);
  }
  std::uint32_t u32(const char* what) {
    const std::uint8_t* b = take(4, what);
    return std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
  }
  double f64(const char* what) { return bigEndianDouble(take(8, what)); }
  std::uint32_t u29(const char* what) {
    U29Result r = decodeU29(p, end_);
    if (r.size == 0) failEof(what, 1);
    p += r.size;
    return r.value;
  }
  /// count checks that `n` items of at least `minBytes` each can follow before anything is
  /// allocated for them, and charges `slotBytes` each against the decoded-size budget.
  void count(std::uint64_t n, std::size_t minBytes, std::size_t slotBytes, const char* what) {
    if (n > left() / minBytes) failEof(what, n * minBytes);
    charge(n * slotBytes);
  }
  void charge(std::uint64_t bytes) {
    if (!tryCharge(bytes)) failBudget();
  }
  /// tryCharge is charge that tells instead of throwing: false, with nothing charged, when
  /// `bytes` pass what is left of the budget.
  bool tryCharge(std::uint64_t bytes) noexcept {
    if (bytes > budget_) return false;
    budget_ -= bytes;
    return true;
  }
  void enter() {
    if (++depth_ > limits_.maxDepth || depth_ > kMaxDepthCap) failDepth();
  }
  /// kMaxDepthCap bounds the recursion whatever DecodeLimits::maxDepth says, so the stack holds.
  static constexpr std::uint32_t kMaxDepthCap = 1024;
  void leave() noexcept { --depth_; }

  /// utf8 makes the string of `n` bytes at `at`: well-formed UTF-8 as it is, anything else
  /// decoded as Flash's lenient reader does (each bad byte becomes the character of its value).
  StringRep* utf8(const std::uint8_t* at, std::size_t n);

  [[noreturn]] void failEof(const char* what, std::uint64_t needed) const;
  [[noreturn]] void fail(int errorId, const std::string& detail) const;
  /// failReference throws RangeError #2006 for `what` (say, "object reference") number `index`,
  /// read at `at`, past a table (`table`) that holds `held` entries.
  [[noreturn]] void failReference(const char* what, std::uint64_t index, const std::uint8_t* at,
                                  const char* table, std::size_t held) const;
  /// failMarker throws RangeError #2006 for `what` (say, "unknown AMF3 marker") `marker` at `at`.
  [[noreturn]] void failMarker(const char* what, std::uint8_t marker, const std::uint8_t* at) const;
  [[noreturn]] void failBudget() const;
  [[noreturn]] void failDepth() const;

 private:
  const std::uint8_t* begin_;

 public:
  const std::uint8_t* p;

 private:
  const std::uint8_t* end_;
  std::uint64_t base_;
  const DecodeLimits& limits_;
  std::uint64_t budget_;
  std::uint32_t depth_ = 0;
};

struct ReaderTraitsEntry {
  Traits* traits;
  const ClassInfo* cls;
};

/// ReaderTables are an Amf3Reader's tables; readers on a thread reuse them, so decoding a stream
/// of messages does not reallocate them each time.
struct ReaderTables {
  std::vector<StringRep*> strings;
  std::vector<Node*> objects;
  std::vector<ReaderTraitsEntry> traits;
  Members members;  // a stack of dynamic members being read, one range per object
  /// The short strings of the last value these tables read, by string-table index (null where
  /// none is kept): messages of one protocol repeat their names and values at the same
  /// indices, and bytes equal to the entry there are that string, with no check or lookup.
  std::vector<StringRep*> recent;
  static constexpr std::size_t kRecentMaxBytes = 64;
  static constexpr std::size_t kRecentMaxEntries = 1024;
  /// The traits table of the last value, with the class-alias generation its classes were
  /// found in: a class sent again at the same index, with the same name, flags and member
  /// names, is those traits again, with no allocation and no alias lookup.
  std::vector<ReaderTraitsEntry> recentTraits;
  std::uint64_t recentTraitsGeneration = 0;
  static constexpr std::size_t kRecentMaxTraits = 256;
  /// Sealed member names being read, until their traits are found or made.
  std::vector<StringRep*> names;
  /// The traits table as a list, for the region of the value read (Region::freeze).
  std::vector<Traits*> regionTraits;

  ReaderTables() = default;
  ReaderTables(const ReaderTables&) = delete;
  ReaderTables& operator=(const ReaderTables&) = delete;
  ~ReaderTables() {
    forgetRecent();
    forgetRecentTraits();
  }
  void forgetRecent() noexcept {
    for (StringRep* s : recent)
      if (s) release(s);
    recent.clear();
  }
  void forgetRecentTraits() noexcept {
    for (ReaderTraitsEntry& t : recentTraits) release(t.traits);
    recentTraits.clear();
  }
};

/// Amf3Reader reads AMF3 values from an Input; its tables live as long as it does (one top-level
/// value, or one AMF0 value's switches).
/// RegionRestart ends a decode into a region that met what a region cannot hold (docs/design.md):
/// the caller decodes the value again without one.
struct RegionRestart {};

class Amf3Reader {
 public:
  /// With a region, the value's nodes are made there, uncounted, and anything a region cannot
  /// hold throws RegionRestart; freezeRegion then ends a successful read.
  explicit Amf3Reader(Input& in, Region* region = nullptr);
  ~Amf3Reader();
  Amf3Reader(const Amf3Reader&) = delete;
  Amf3Reader& operator=(const Amf3Reader&) = delete;

  void readValue(Value& out);
  Input& input() noexcept { return in_; }
  /// freezeRegion hands the region the references its nodes need (Region::freeze).
  void freezeRegion();

 private:
  using TraitsEntry = ReaderTraitsEntry;

  StringRep* readString(const char* what);       // a new reference, but none into a region
  StringRep* readOwnedString(const char* what);  // a new reference
  [[noreturn]] void restartCounted() const;
  // Storage for `n` elements of a region node's vector; restarts when the region is full.
  template <class T>
  T* regionStorage(std::size_t n);
  // makeRoom gives a new node's elements room for `n`: the region's, or their own.
  template <class T>
  void makeRoom(CompactVector<T>& elements, std::size_t n);
  void keepRecentStrings() noexcept;
  void keepRecentTraits() noexcept;
  ReaderTraitsEntry readTraits(std::uint32_t header);
  /// The container loops hold the cursor in a local `p` (see readItemAt); readKeyAt and
  /// readItemAt are readString and readValue at `p`, with the frequent cases inline (a one-byte
  /// string reference; small ints, Numbers, strings).
  StringRep* readKeyAt(const std::uint8_t*& p, const char* what);
  Value readItemAt(const std::uint8_t*& p);
  bool endOfNamesAt(const std::uint8_t*& p);
  void readXml(Value& out, Type type);
  void readDate(Value& out);
  void readArray(Value& out);
  void readObject(Value& out);
  void readRegionMembersAt(ObjectNode* node, const std::uint8_t*& p);
  void chargeMemberAt(const std::uint8_t* p);
  void readByteArray(Value& out);
  template <class T>
  void readNumericVector(Value& out);
  void readObjectVector(Value& out);
  void readDictionary(Value& out);
  bool takeReference(std::uint32_t header, Value& out, const std::uint8_t* at);
  void remember(Node* node);
  void readNativeMembers(ObjectNode* node, const Traits* traits);

  Input& in_;
  ReaderTables* tables_;
  std::vector<StringRep*>& strings_;
  std::vector<Node*>& objects_;
  std::vector<TraitsEntry>& traits_;
  Members& members_;
  std::uint64_t aliasGeneration_;
  Region* region_;                // while decoding into a region
  bool readEmptyString_ = false;  // into the region
};

class OutBuffer {
 public:
  std::uint8_t* room(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) grow(n);
    return p_;
  }
  void commit(std::uint8_t* to) noexcept { p_ = to; }
  /// cursor and limit let a loop write through a local pointer: a byte store may alias any
  /// member, so p_ would be reloaded after every one, each load waiting on the last store.
  std::uint8_t* cursor() const noexcept { return p_; }
  std::uint8_t* limit() const noexcept { return end_; }
  void u8(std::uint8_t b) { *room(1) = b, ++p_; }
  void bytes(const void* data, std::size_t n) {
    if (n == 0) return;  // an empty ByteArray's data() may be null, which memcpy must not see
    std::memcpy(room(n), data, n);
    p_ += n;
  }
  /// text copies a string's bytes; up to 16 of them without a call to memcpy (names and short
  /// values are most of what AMF writes).
  void text(const char* data, std::size_t n) {
    if (n > 16) return bytes(data, n);
    std::uint8_t* o = room(n);
    if (n >= 8) {
      std::memcpy(o, data, 8);
      std::memcpy(o + n - 8, data + n - 8, 8);
    } else if (n >= 4) {
      std::memcpy(o, data, 4);
      std::memcpy(o + n - 4, data + n - 4, 4);
    } else {
      for (std::size_t i = 0; i < n; ++i) o[i] = static_cast<std::uint8_t>(data[i]);
    }
    p_ = o + n;
  }
  void u16(std::uint16_t v) {
    std::uint8_t* o = room(2);
    o[0] = static_cast<std::uint8_t>(v >> 8);
    o[1] = static_cast<std::uint8_t>(v);
    p_ += 2;
  }
  void u32(std::uint32_t v) {
    std::uint8_t* o = room(4);
    o[0] = static_cast<std::uint8_t>(v >> 24);
    o[1] = static_cast<std::uint8_t>(v >> 16);
    o[2] = static_cast<std::uint8_t>(v >> 8);
    o[3] = static_cast<std::uint8_t>(v);
    p_ += 4;
  }
  [[gnu::always_inline]] void u29(std::uint32_t v) {
    if (v < 0x80 && p_ != end_) {  // most headers and references: one byte
      *p_++ = static_cast<std::uint8_t>(v);
      return;
    }
    u29Long(v);
  }
  void u29Long(std::uint32_t v) { p_ += encodeU29(room(4), v); }
  /// markedU29 writes `marker` and a U29 (the integer marker and its value, say).
  void markedU29(std::uint8_t marker, std::uint32_t v) {
    std::uint8_t* o = room(5);
    o[0] = marker;
    p_ = o + 1 + encodeU29(o + 1, v);
  }
  /// markedDouble writes `marker` and a double as Flash does: every NaN as Flash's NaN.
  void markedDouble(std::uint8_t marker, double d) {
    std::uint8_t* o = room(9);
    o[0] = marker;
    storeFlashDouble(o + 1, d);
    p_ = o + 9;
  }
  /// bigEndianItems writes 4- or 8-byte items as they are stored (Vector payloads keep their
  /// bits, NaN payloads included), each big-endian.
  template <class T>
  void bigEndianItems(const std::vector<T>& items) {
    static_assert(sizeof(T) == 4 || sizeof(T) == 8);
    std::uint8_t* o = room(items.size() * sizeof(T));
    for (const T& item : items) {
      if constexpr (sizeof(T) == 4) {
        std::uint32_t bits;
        std::memcpy(&bits, &item, 4);
        bits = __builtin_bswap32(bits);
        std::memcpy(o, &bits, 4);
      } else {
        std::uint64_t bits;
        std::memcpy(&bits, &item, 8);
        bits = __builtin_bswap64(bits);
        std::memcpy(o, &bits, 8);
      }
      o += sizeof(T);
    }
    p_ = o;
  }

  const std::uint8_t* data() const noexcept { return data_.data(); }
  std::size_t size() const noexcept { return static_cast<std::size_t>(p_ - data_.data()); }
  void clear() noexcept { p_ = data_.data(); }

 private:
  void grow(std::size_t n);
  std::vector<std::uint8_t> data_;
  std::uint8_t* p_ = nullptr;
  std::uint8_t* end_ = nullptr;
};

/// The writer refuses graphs nested deeper than this instead of overflowing the stack (a
/// sanitizer build's frames are large: 4096 levels overran an 8 MiB stack).
inline constexpr std::uint32_t kMaxWriteDepth = 1024;

struct TablePool;

/// Amf3Writer writes AMF3 values to an OutBuffer with Flash's choices; its tables live as long as
/// it does.
class Amf3Writer {
 public:
  explicit Amf3Writer(OutBuffer& out);
  ~Amf3Writer();
  Amf3Writer(const Amf3Writer&) = delete;
  Amf3Writer& operator=(const Amf3Writer&) = delete;

  void writeValue(const Value& v);
  OutBuffer& output() noexcept { return out_; }
  /// hold keeps `v` alive until this writer is done, so no later object can take its address
  /// while the object table still names it.
  void hold(const Value& v);

 private:
  /// writeString writes a string table reference or the text; rep, when given, holds `s`.
  void writeString(std::string_view s, StringRep* rep);
  void writeNewString(std::string_view s, StringRep* rep);  // what the rep's hint did not find
  /// writeItem is writeValue with the frequent kinds (int, Number, String) inline.
  void writeItem(const Value& v);
  /// knownString finds `rep` in the string table by its hint: true, with its index, when the
  /// entry there is `rep` or holds the same text.
  bool knownString(const StringRep* rep, std::uint32_t* index) const;
  /// itemAt writes `v` at `o`, which has room for kItemRoom bytes, when it is an AMF3 int, a
  /// double or a string the table holds, and returns the byte after it; null for anything else.
  std::uint8_t* itemAt(std::uint8_t* o, const Value& v) const;
  static constexpr std::ptrdiff_t kItemRoom = 9;  // a marker and a double
  /// writeItems and writeMembers write a container's values (and names) at `o` and return the
  /// cursor after them, taking the general path only for what itemAt and containerAt do not
  /// write. The cursor goes from call to call in registers: kept in OutBuffer, each nested
  /// container's first load of it would wait on the store the one before made.
  std::uint8_t* writeItems(std::uint8_t* o, const Value* first, const Value* last);
  std::uint8_t* writeMembers(std::uint8_t* o, const Member* first, const Member* last);
  /// containerAt writes an Object or Array item (marker and all) at `o`, which has room for
  /// kItemRoom bytes, and returns the cursor after it; null for any other value.
  std::uint8_t* containerAt(std::uint8_t* o, const Value& v);
  /// roomAt is `o` when n bytes fit there, else the cursor of an output grown to fit them.
  std::uint8_t* roomAt(std::uint8_t* o, std::size_t n);
  void writeDouble(double d);
  /// writeInlineCount writes the U29 of an inline length or count; RangeError #2006 past 2^28-1.
  void writeInlineCount(std::size_t count, const char* what);
  /// writeReference writes a reference when `identity` was written before, and otherwise
  /// records it and returns false.
  bool writeReference(const void* identity);
  bool writeReference(Node* node);
  /// referenceAt and traitsReferenceAt are the two writers below at a cursor with room for 4
  /// bytes: the cursor after the reference, or null (and recorded) when it is new.
  std::uint8_t* referenceAt(std::uint8_t* o, Node* node);
  std::uint8_t* traitsReferenceAt(std::uint8_t* o, Traits* traits);
  template <class T>
  void writeNumericVector(VectorNode<T>* node);
  /// writeArray and writeObject write after the marker, at `o` with room for 4 bytes, and
  /// return the cursor after the value.
  std::uint8_t* writeArray(std::uint8_t* o, ArrayNode* a);
  std::uint8_t* writeObject(std::uint8_t* o, ObjectNode* node);
  void writeNative(ObjectNode* o);
  void writeDictionary(DictionaryNode* d);
  bool writeTraitsReference(const void* key);
  void enter() {
    if (++depth_ > kMaxWriteDepth) failDepth();
  }
  [[noreturn]] void failDepth() const;
  void leave() noexcept { --depth_; }

  struct Table;
  friend struct TablePool;
  OutBuffer& out_;
  TablePool* pool_;  // this thread's
  Table* tables_;
  std::uint32_t depth_ = 0;
};

}  // namespace as3::amf::detail

#endif  // AS3NET_LIB_AMF_DETAIL_AMF3_H_
