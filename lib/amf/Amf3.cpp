// AMF3 as Flash Player reads and writes it (docs/amf.md; spec/amf.md sections 3 and 4).
#include "amf/detail/Amf3.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "amf/detail/Codec.h"
#include "amf/detail/CompactVector.h"
#include "amf/detail/Hash.h"
#include "as3/amf/ClassAlias.h"
#include "errors/detail/Throw.h"
#include "utils/detail/Text.h"

namespace as3::amf::detail {

using errors::detail::throwErrorWithDetail;

namespace {

// The string's hash, made on first need and kept in it.
inline std::uint32_t hashOf(StringRep* s) noexcept {
  if (s->hash == 0) s->hash = textHash(s->data(), s->size);
  return s->hash;
}

std::string hexByte(std::uint8_t b) {
  static const char kDigits[] = "0123456789ABCDEF";
  return std::string("0x") + kDigits[b >> 4] + kDigits[b & 15];
}

// True when no byte has its high bit set; words overlap at the end instead of a byte loop.
bool isAscii(const std::uint8_t* s, std::size_t n) noexcept {
  const char* text = reinterpret_cast<const char*>(s);
  std::uint64_t any = 0;
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) any |= load64(text + i);
    any |= load64(text + n - 8);
  } else if (n >= 4) {
    any = load32(text) | load32(text + n - 4);
  } else {
    for (std::size_t i = 0; i < n; ++i) any |= s[i];
  }
  return (any & 0x8080808080808080ull) == 0;
}

// True for well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool isWellFormedUtf8(const std::uint8_t* s, std::size_t n) {
  if (isAscii(s, n)) return true;
  std::size_t i = 0;
  while (i < n) {
    // Eight ASCII bytes at a time: the common case for keys and names.
    if (n - i >= 8) {
      std::uint64_t w;
      std::memcpy(&w, s + i, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    std::uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t min;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2, min = 0x80, cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, min = 0x800, cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, min = 0x10000, cp = c & 0x07u;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = cp << 6 | (s[i + k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

// An empty string shared by every reader on this thread: "" is frequent and never in a table.
StringRep* emptyString() {
  struct Holder {
    StringRep* rep = makeString(std::string_view());
    ~Holder() { release(rep); }
  };
  thread_local Holder holder;
  retain(holder.rep);
  return holder.rep;
}

// What makes two traits interchangeable on the wire: class name, dynamic flag, sealed names.
// Made of the names' own cached hashes: a class is hashed once per value it appears in, and
// hashing its names' bytes each time cost more than the rest of writing its traits.
std::uint64_t hashTraits(const Traits& t) noexcept {
  std::uint64_t h = hashOf(t.className.rep()) ^ (std::uint64_t{t.dynamic} << 32);
  for (const String& name : t.sealed) h = (h * 0x100000001B3ull) ^ hashOf(name.rep());
  return h;
}

std::uint64_t hashPointer(const void* p) noexcept {
  auto v = reinterpret_cast<std::uintptr_t>(p);
  std::uint64_t h = static_cast<std::uint64_t>(v) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
}

}  // namespace

// Input -----------------------------------------------------------------------------------------

StringRep* Input::utf8(const std::uint8_t* at, std::size_t n) {
  if (isWellFormedUtf8(at, n)) {
    std::string_view text(reinterpret_cast<const char*>(at), n);
    return internedString(text);
  }
  std::string lenient = utils::detail::decodeUtf8Lenient(at, n, /*stopAtNul=*/false);
  return makeString(lenient);
}

void Input::failEof(const char* what, std::uint64_t needed) const {
  throwErrorWithDetail(errors::detail::kEndOfFile, {},
                       "(AMF: " + std::string(what) + " at byte " + std::to_string(offset()) +
                           " needs " + std::to_string(needed) + " bytes, " +
                           std::to_string(left()) + " left)");
}

void Input::fail(int errorId, const std::string& detail) const {
  throwErrorWithDetail(errorId, {}, "(AMF: " + detail + ")");
}

void Input::failReference(const char* what, std::uint64_t index, const std::uint8_t* at,
                          const char* table, std::size_t held) const {
  fail(errors::detail::kIndexOutOfBounds,
       std::string(what) + " " + std::to_string(index) + " at byte " +
           std::to_string(offsetOf(at)) + ", but the " + table + " holds " + std::to_string(held));
}

void Input::failMarker(const char* what, std::uint8_t marker, const std::uint8_t* at) const {
  fail(errors::detail::kIndexOutOfBounds,
       std::string(what) + " " + hexByte(marker) + " at byte " + std::to_string(offsetOf(at)));
}

void Input::failBudget() const {
  throwErrorWithDetail(errors::detail::kOutOfMemory, {},
                       "(AMF: the value decoded so far passes DecodeLimits::maxDecodedBytes = " +
                           std::to_string(limits_.maxDecodedBytes) + " at byte " +
                           std::to_string(offset()) + ")");
}

void Input::failDepth() const {
  throwErrorWithDetail(errors::detail::kStackOverflow, {},
                       "(AMF: containers nest deeper than DecodeLimits::maxDepth = " +
                           std::to_string(std::min(limits_.maxDepth, kMaxDepthCap)) + " at byte " +
                           std::to_string(offset()) + ")");
}

// Amf3Reader ------------------------------------------------------------------------------------

namespace {
// Readers reuse their tables' storage, as writers do. Freed when the thread ends.
struct ReaderTablesPool {
  std::vector<ReaderTables*> free;
  ~ReaderTablesPool() {
    for (ReaderTables* t : free) delete t;
  }
};
thread_local ReaderTablesPool readerTablesPool;

ReaderTables* takeReaderTables() {
  if (readerTablesPool.free.empty()) return new ReaderTables;
  ReaderTables* t = readerTablesPool.free.back();
  readerTablesPool.free.pop_back();
  return t;
}
}  // namespace

Amf3Reader::Amf3Reader(Input& in, Region* region)
    : in_(in),
      tables_(takeReaderTables()),
      strings_(tables_->strings),
      objects_(tables_->objects),
      traits_(tables_->traits),
      members_(tables_->members),
      aliasGeneration_(classAliasGeneration()),
      region_(region) {}

Amf3Reader::~Amf3Reader() {
  keepRecentStrings();  // empties strings_
  keepRecentTraits();   // empties traits_
  if (region_) {
    // A region's nodes and the members read into it are uncounted: forgotten, not released.
    objects_.clear();
    members_.forgetFrom(0);
  } else {
    for (Node* n : objects_) release(n);
    objects_.clear();
    members_.clear();
  }
  // A huge value leaves huge tables: keep only what a typical message needs.
  if (objects_.capacity() > 65536 || strings_.capacity() > 65536 ||
      tables_->recent.capacity() > 65536 || members_.capacity() > 65536 ||
      traits_.capacity() > 65536 || tables_->recentTraits.capacity() > 65536 ||
      tables_->names.capacity() > 65536) {
    delete tables_;
    return;
  }
  if (readerTablesPool.free.size() < 4)
    readerTablesPool.free.push_back(tables_);
  else
    delete tables_;
}

// The string table becomes the next value's guesses (ReaderTables::recent): it keeps its
// references to the short strings and drops the others.
void Amf3Reader::keepRecentStrings() noexcept {
  tables_->forgetRecent();
  std::vector<StringRep*>& recent = tables_->recent;
  recent.swap(strings_);  // strings_ is left empty, with the old guesses' capacity
  if (recent.size() > ReaderTables::kRecentMaxEntries) {
    for (std::size_t i = ReaderTables::kRecentMaxEntries; i < recent.size(); ++i)
      release(recent[i]);
    recent.resize(ReaderTables::kRecentMaxEntries);
  }
  for (StringRep*& s : recent)
    if (s->size > ReaderTables::kRecentMaxBytes) release(std::exchange(s, nullptr));
}

// The traits table becomes the next value's guesses (ReaderTables::recentTraits).
void Amf3Reader::keepRecentTraits() noexcept {
  tables_->forgetRecentTraits();
  std::vector<TraitsEntry>& recent = tables_->recentTraits;
  recent.swap(traits_);  // traits_ is left empty
  if (recent.size() > ReaderTables::kRecentMaxTraits) {
    for (std::size_t i = ReaderTables::kRecentMaxTraits; i < recent.size(); ++i)
      release(recent[i].traits);
    recent.resize(ReaderTables::kRecentMaxTraits);
  }
  tables_->recentTraitsGeneration = aliasGeneration_;
}

StringRep* Amf3Reader::readString(const char* what) {
  const std::uint8_t* at = in_.p;
  std::uint32_t header = in_.u29(what);
  if ((header & 1) == 0) {
    std::uint32_t index = header >> 1;
    if (index >= strings_.size())
      in_.failReference("string reference", index, at, "string table", strings_.size());
    StringRep* s = strings_[index];
    if (!region_) retain(s);
    return s;
  }
  std::uint32_t length = header >> 1;
  if (length == 0) {
    StringRep* empty = emptyString();
    if (region_) {
      release(empty);  // the thread keeps it, and the region will (freezeRegion)
      readEmptyString_ = true;
    }
    return empty;
  }
  const std::uint8_t* bytes = in_.take(length, what);
  in_.charge(length + sizeof(StringRep));
  // Bytes equal to the text the last value had at this index make that text again: text made
  // from them is theirs when they are well-formed, and lenient decoding leaves its own output
  // as it is.
  StringRep* s;
  const std::vector<StringRep*>& recent = tables_->recent;
  std::size_t index = strings_.size();
  if (index < recent.size() && recent[index] && recent[index]->size == length &&
      equalBytes(recent[index]->data(), reinterpret_cast<const char*>(bytes), length)) {
    s = recent[index];
    retain(s);
  } else {
    s = in_.utf8(bytes, length);
  }
  // That reference is the table's; the caller's comes after, unless it reads into a region.
  try {
    strings_.push_back(s);
  } catch (...) {
    release(s);
    throw;
  }
  if (!region_) retain(s);
  return s;
}

StringRep* Amf3Reader::readOwnedString(const char* what) {
  StringRep* s = readString(what);
  if (region_) retain(s);
  return s;
}

void Amf3Reader::restartCounted() const {
  throw RegionRestart{};
}

template <class T>
[[gnu::always_inline]] inline T* Amf3Reader::regionStorage(std::size_t n) {
  void* storage = region_->allocate(n * sizeof(T));
  if (!storage) restartCounted();
  return static_cast<T*>(storage);
}

template <class T>
[[gnu::always_inline]] inline void Amf3Reader::makeRoom(CompactVector<T>& elements, std::size_t n) {
  if (region_ && n != 0)
    elements.useBorrowedStorage(regionStorage<T>(n), n);
  else
    elements.reserve(n);
}

void Amf3Reader::freezeRegion() {
  std::vector<Traits*>& traits = tables_->regionTraits;
  traits.clear();
  for (const TraitsEntry& entry : traits_) traits.push_back(entry.traits);
  region_->freeze(objects_.data(), objects_.size(), strings_.data(), strings_.size(), traits.data(),
                  traits.size(), readEmptyString_ ? emptyString() : nullptr);
}

namespace {
// A member name read before its member is made: let go if reading its value fails, unless it
// was read into a region, which counts no name.
class KeyRef {
 public:
  KeyRef(StringRep* rep, bool counted) noexcept : rep_(rep), counted_(counted) {}
  ~KeyRef() {
    if (rep_ && counted_) release(rep_);
  }
  KeyRef(const KeyRef&) = delete;
  KeyRef& operator=(const KeyRef&) = delete;
  StringRep* rep() const noexcept { return rep_; }
  StringRep* take() noexcept { return std::exchange(rep_, nullptr); }

 private:
  StringRep* rep_;
  bool counted_;
};

}  // namespace

// The container loops keep the cursor in a register, as the writer's loops do: kept in in_.p,
// each item's load of it would wait on the store the item before made, a chain through memory
// as long as the container. They hand it back to in_ before any call that reads or fails on its
// own, and take it again after.
[[gnu::always_inline]] inline StringRep* Amf3Reader::readKeyAt(const std::uint8_t*& p,
                                                               const char* what) {
  if (p != in_.end() && (*p & 0x81) == 0 && (*p >> 1) < strings_.size()) {
    StringRep* s = strings_[*p >> 1];
    ++p;
    if (!region_) retain(s);
    return s;
  }
  in_.p = p;
  StringRep* s = readString(what);
  p = in_.p;
  return s;
}

// The empty string that ends a list of names, passed over without making a string of it.
[[gnu::always_inline]] inline bool Amf3Reader::endOfNamesAt(const std::uint8_t*& p) {
  if (p == in_.end() || *p != 0x01) return false;
  ++p;
  return true;
}

[[gnu::always_inline]] inline Value Amf3Reader::readItemAt(const std::uint8_t*& p) {
  const std::uint8_t* end = in_.end();
  if (end - p >= 2) {
    switch (p[0]) {
      case 0x04:
        if (p[1] < 0x80) {
          p += 2;
          return Value(std::int32_t{p[-1]});
        }
        if (end - p >= 3 && p[2] < 0x80) {  // two bytes: below 2^14, never negative
          p += 3;
          return Value(static_cast<std::int32_t>((p[-2] & 0x7F) << 7 | p[-1]));
        }
        break;
      case 0x05:
        if (end - p >= 9) {
          p += 9;
          return Value(bigEndianDouble(p - 8));
        }
        break;
      case 0x06:
        ++p;
        return Value(readKeyAt(p, "an AMF3 string"), Value::Adopt{});
      default:
        break;
    }
  }
  Value out;
  in_.p = p;
  readValue(out);
  p = in_.p;
  return out;
}

[[gnu::always_inline]] inline void Amf3Reader::remember(Node* node) {
  if (!region_) retain(node);
  objects_.push_back(node);
}

bool Amf3Reader::takeReference(std::uint32_t header, Value& out, const std::uint8_t* at) {
  if (header & 1) return false;
  std::uint32_t index = header >> 1;
  if (index >= objects_.size())
    in_.failReference("object reference", index, at, "object table", objects_.size());
  // Flash returns whatever the entry is, even when its type differs from the marker's.
  Node* node = objects_[index];
  if (!region_) retain(node);
  out = Value(node, Value::Adopt{});
  return true;
}

void Amf3Reader::readValue(Value& out) {
  const std::uint8_t* at = in_.p;
  std::uint8_t marker = in_.u8("an AMF3 value marker");
  switch (marker) {
    case 0x00:
      out = Value();
      return;
    case 0x01:
      out = Value(nullptr);
      return;
    case 0x02:
      out = Value(false);
      return;
    case 0x03:
      out = Value(true);
      return;
    case 0x04:
      out = Value(signedFromU29(in_.u29("an AMF3 integer")));
      return;
    case 0x05:
      out = Value(in_.f64("an AMF3 double"));
      return;
    case 0x06:
      out = Value(readString("an AMF3 string"), Value::Adopt{});
      return;
    case 0x07:
      readXml(out, Type::XMLDocument);
      return;
    case 0x08:
      readDate(out);
      return;
    case 0x09:
      readArray(out);
      return;
    case 0x0A:
      readObject(out);
      return;
    case 0x0B:
      readXml(out, Type::XML);
      return;
    case 0x0C:
      readByteArray(out);
      return;
    case 0x0D:
      readNumericVector<std::int32_t>(out);
      return;
    case 0x0E:
      readNumericVector<std::uint32_t>(out);
      return;
    case 0x0F:
      readNumericVector<double>(out);
      return;
    case 0x10:
      readObjectVector(out);
      return;
    case 0x11:
      readDictionary(out);
      return;
    default:
      in_.failMarker("unknown AMF3 marker", marker, at);
  }
}

void Amf3Reader::readXml(Value& out, Type type) {
  const std::uint8_t* at = in_.p;
  std::uint32_t header = in_.u29("an XML header");
  if (takeReference(header, out, at)) return;
  std::uint32_t length = header >> 1;
  const std::uint8_t* bytes = in_.take(length, "XML text");
  in_.charge(length + sizeof(XmlNode));
  String text(in_.utf8(bytes, length), /*adopt=*/true);
  XmlNode* node =
      region_ ? region_->make<XmlNode>(type, text.view()) : adopt<XmlNode>(type, text.view());
  if (!node) restartCounted();
  out = Value(node, Value::Adopt{});
  remember(node);
}

void Amf3Reader::readDate(Value& out) {
  const std::uint8_t* at = in_.p;
  std::uint32_t header = in_.u29("a Date header");
  if (takeReference(header, out, at)) return;
  double time = in_.f64("a Date's milliseconds");
  in_.charge(sizeof(DateNode));
  DateNode* node = region_ ? region_->make<DateNode>(time) : adopt<DateNode>(time);
  if (!node) restartCounted();
  out = Value(node, Value::Adopt{});
  remember(node);
}

namespace {
// Repeats read from one string table are one string; text repeated inline has equal bytes.
[[gnu::always_inline]] inline bool sameText(const StringRep* a, const StringRep* b) noexcept {
  return a == b || (a->size == b->size && equalBytes(a->data(), b->data(), a->size));
}

// In a region nothing is released, so repeats that dropRepeatedKeys and foldDynamicIntoSealed
// would resolve send the value back to be read the ordinary way.
bool hasRepeatedKey(const Member* members, std::size_t n) {
  if (n > 64) {
    std::unordered_set<std::string_view> seen;
    seen.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
      if (!seen.insert(members[i].key.view()).second) return true;
    return false;
  }
  for (std::size_t i = 1; i < n; ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (sameText(members[i].key.rep(), members[j].key.rep())) return true;
  return false;
}

bool namesSealedMember(const ObjectNode* node) {
  const std::vector<String>& sealed = node->traits->sealed;
  if (sealed.size() * node->dynamic.size() > 256) {
    std::unordered_set<std::string_view> names;
    for (const String& name : sealed) names.insert(name.view());
    for (const Member& m : node->dynamic)
      if (names.count(m.key.view())) return true;
    return false;
  }
  for (const Member& m : node->dynamic)
    for (const String& name : sealed)
      if (m.key.view() == name.view()) return true;
  return false;
}
}  // namespace

// Keeps the last value of each repeated key, at the first key's place (what repeated property
// assignments leave in AS3).
void dropRepeatedKeys(Members& members) {
  if (members.size() < 2) return;
  if (members.size() <= 16) {
    // A key can only repeat one that set its hash bit before it, so most objects compare nothing.
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < members.size();) {
      bool repeated = false;
      StringRep* key = members[i].key.rep();
      std::uint64_t bit = std::uint64_t{1} << (hashOf(key) >> 26);
      bool maybe = (seen & bit) != 0;
      seen |= bit;
      for (std::size_t j = 0; maybe && j < i; ++j) {
        if (sameText(members[j].key.rep(), key)) {
          members[j].value = std::move(members[i].value);
          repeated = true;
          break;
        }
      }
      if (repeated)
        members.erase(members.begin() + static_cast<std::ptrdiff_t>(i));
      else
        ++i;
    }
    return;
  }
  std::unordered_map<std::string_view, std::size_t> first;
  first.reserve(members.size());
  Members kept;
  kept.reserve(members.size());
  for (Member& m : members) {
    auto [it, inserted] = first.emplace(m.key.view(), kept.size());
    if (inserted)
      kept.push_back(std::move(m));
    else
      kept[it->second].value = std::move(m.value);
  }
  // `first` views keys now owned by `kept`; it is not used past this point.
  members.swap(kept);
}

namespace {

// A dynamic member named like a sealed one is, to Flash, a second assignment to that member:
// its value goes to the sealed slot (the last of that name) and the dynamic entry goes away.
void foldDynamicIntoSealed(ObjectNode* node) {
  const std::vector<String>& names = node->traits->sealed;
  std::vector<bool> folded(node->dynamic.size(), false);
  bool any = false;
  if (names.size() * node->dynamic.size() <= 256) {
    for (std::size_t i = 0; i < node->dynamic.size(); ++i) {
      if (Value* slot = node->findSealed(node->dynamic[i].key.view())) {
        *slot = std::move(node->dynamic[i].value);
        folded[i] = any = true;
      }
    }
  } else {
    std::unordered_map<std::string_view, std::size_t> last;
    last.reserve(names.size());
    for (std::size_t i = 0; i < names.size() && i < node->sealed.size(); ++i)
      last[names[i].view()] = i;
    for (std::size_t i = 0; i < node->dynamic.size(); ++i) {
      auto it = last.find(node->dynamic[i].key.view());
      if (it == last.end()) continue;
      node->sealed[it->second] = std::move(node->dynamic[i].value);
      folded[i] = any = true;
    }
  }
  if (!any) return;
  std::size_t out = 0;
  for (std::size_t i = 0; i < node->dynamic.size(); ++i)
    if (!folded[i]) node->dynamic[out++] = std::move(node->dynamic[i]);
  node->dynamic.erase(node->dynamic.begin() + static_cast<std::ptrdiff_t>(out),
                      node->dynamic.end());
}

}  // namespace

// Flash assigns the associative part first and the dense part over it; the AVM then keeps in
// dense storage every index that continues the gap-free prefix.
void normalizeArray(ArrayNode* node) {
  dropRepeatedKeys(node->assoc);
  std::vector<std::pair<std::uint32_t, std::size_t>> indexed;
  for (std::size_t i = 0; i < node->assoc.size(); ++i) {
    std::uint32_t index;
    if (parseIndex(node->assoc[i].key.view(), &index)) indexed.emplace_back(index, i);
  }
  if (indexed.empty()) return;
  std::sort(indexed.begin(), indexed.end());
  std::vector<bool> drop(node->assoc.size(), false);
  for (const auto& [index, at] : indexed) {
    if (index < node->dense.size()) {
      drop[at] = true;  // overwritten by the dense part
    } else if (index == node->dense.size()) {
      node->dense.push_back(std::move(node->assoc[at].value));
      drop[at] = true;
    }
  }
  std::size_t out = 0;
  for (std::size_t i = 0; i < node->assoc.size(); ++i)
    if (!drop[i]) node->assoc[out++] = std::move(node->assoc[i]);
  node->assoc.erase(node->assoc.begin() + static_cast<std::ptrdiff_t>(out), node->assoc.end());
}

void Amf3Reader::readArray(Value& out) {
  const std::uint8_t* at = in_.p;
  std::uint32_t header = in_.u29("an Array header");
  if (takeReference(header, out, at)) return;
  std::uint32_t dense = header >> 1;
  in_.enter();
  in_.charge(sizeof(ArrayNode));
  ArrayNode* node = region_ ? region_->make<ArrayNode>() : adopt<ArrayNode>();
  if (!node) restartCounted();
  out = Value(node, Value::Adopt{});
  remember(node);
  const std::size_t mark = members_.size();
  std::size_t top = mark;  // members_.size() while reading into a region
  for (;;) {
    const std::uint8_t* p = in_.p;
    if (endOfNamesAt(p)) {
      in_.p = p;
      break;
    }
    KeyRef key(readKeyAt(p, "an Array key"), region_ == nullptr);
    in_.p = p;
    if (key.rep()->size == 0) break;
    in_.charge(sizeof(Member));
    if (region_) {
      // Stacked as an object's dynamic members are (see readObject), then moved in at once.
      if (top == members_.capacity()) members_.reserve(2 * top + 16);
      Value value = readItemAt(p);
      in_.p = p;
      members_.emplaceAt(top++, Member{String(key.take(), /*adopt=*/true), std::move(value)});
      continue;
    }
    node->assoc.push_back(Member{String(key.take(), /*adopt=*/true), Value()});
    readValue(node->assoc.back().value);
  }
  if (std::size_t count = top - mark; count != 0) {
    // What normalizeArray would rearrange (repeated or index-like keys) is counted work.
    for (std::size_t i = mark; i < top; ++i) {
      std::uint32_t index;
      if (parseIndex(members_[i].key.view(), &index)) restartCounted();
    }
    if (hasRepeatedKey(members_.data() + mark, count)) restartCounted();
    makeRoom(node->assoc, count);
    node->assoc.relocateFrom(members_.data() + mark, count);
    members_.forgetFrom(mark);
  }
  in_.count(dense, 1, sizeof(Value), "an Array's dense elements");
  makeRoom(node->dense, dense);
  const std::uint8_t* p = in_.p;
  for (std::uint32_t i = 0; i < dense; ++i) node->dense.emplaceAt(i, readItemAt(p));
  in_.p = p;
  // In a region there is nothing to normalize: such keys were sent back (above).
  if (!region_ && !node->assoc.empty()) normalizeArray(node);
  in_.leave();
}

// Members are assigned by name; one the class lacks, or whose value does not fit, is skipped as
// Flash traces and skips a failed assignment.
void assignNativeMember(ObjectNode* node, std::string_view name, const Value& value) {
  for (const auto& m : node->cls->members())
    if (m.name == name) {
      m.set(node->native.get(), value);
      return;
    }
}

void Amf3Reader::readNativeMembers(ObjectNode* node, const Traits* traits) {
  auto assign = [node](std::string_view name, const Value& value) {
    assignNativeMember(node, name, value);
  };
  Value value;
  for (const String& name : traits->sealed) {
    readValue(value);
    assign(name.view(), value);
  }
  if (traits->dynamic) {
    for (;;) {
      StringRep* key = readString("a dynamic member name");
      String owned(key, /*adopt=*/true);
      if (key->size == 0) break;
      readValue(value);
      assign(owned.view(), value);
    }
  }
}

namespace {
// Holds the sealed names read so far (ReaderTables::names) and lets go of the ones nobody took.
class NameList {
 public:
  explicit NameList(std::vector<StringRep*>& names) noexcept : names_(names) {}
  ~NameList() {
    for (StringRep* s : names_) release(s);
    names_.clear();
  }
  NameList(const NameList&) = delete;
  NameList& operator=(const NameList&) = delete;
  void push(StringRep* s) {
    try {
      names_.push_back(s);
    } catch (...) {
      release(s);
      throw;
    }
  }
  const std::vector<StringRep*>& held() const noexcept { return names_; }
  /// forget hands every name over: the caller holds their references now.
  void forget() noexcept { names_.clear(); }

 private:
  std::vector<StringRep*>& names_;
};
}  // namespace

// Inline traits: a class name, then its sealed member names. The same class at the same index
// in the last value gives its traits again; anything else makes new ones.
ReaderTraitsEntry Amf3Reader::readTraits(std::uint32_t header) {
  String className(readOwnedString("a class name"), /*adopt=*/true);
  std::uint32_t sealedCount = header >> 4;
  bool externalizable = (header & 4) != 0;
  bool dynamic = (header & 8) != 0;
  in_.count(sealedCount, 1, sizeof(String), "a class's sealed member names");
  NameList names(tables_->names);
  for (std::uint32_t i = 0; i < sealedCount; ++i)
    names.push(readOwnedString("a sealed member name"));

  std::size_t index = traits_.size();
  const std::vector<TraitsEntry>& recent = tables_->recentTraits;
  if (index < recent.size() && tables_->recentTraitsGeneration == aliasGeneration_) {
    const TraitsEntry& guess = recent[index];
    const Traits* t = guess.traits;
    bool same = t->externalizable == externalizable && t->dynamic == dynamic &&
                t->sealed.size() == sealedCount && sameText(t->className.rep(), className.rep());
    for (std::uint32_t i = 0; same && i < sealedCount; ++i)
      same = sameText(t->sealed[i].rep(), names.held()[i]);
    if (same) {
      traits_.push_back(guess);
      retain(guess.traits);
      return guess;
    }
  }

  std::unique_ptr<Traits> made(new Traits(std::move(className)));
  Traits* traits = made.get();
  traits->externalizable = externalizable;
  traits->dynamic = dynamic;
  traits_.push_back(TraitsEntry{traits, nullptr});
  made.release();  // the table owns it now
  traits->sealed.reserve(sealedCount);
  for (StringRep* name : names.held()) traits->sealed.emplace_back(name, /*adopt=*/true);
  names.forget();
  if (!traits->className.view().empty())
    traits_.back().cls = findClassByAlias(traits->className.view());
  return traits_.back();
}

namespace {
// The hash bits a dynamic object's keys have shown: when no two keys share one, no key repeats
// and the search for repeats is skipped.
struct KeyBits {
  std::uint64_t seen = 0;
  bool maybeRepeated = false;
  void note(StringRep* key) noexcept {  // not const: hashOf keeps the hash in the string
    std::uint64_t bit = std::uint64_t{1} << (hashOf(key) >> 26);
    maybeRepeated |= (seen & bit) != 0;
    seen |= bit;
  }
};
}  // namespace

// A dynamic member counts against the decoded-size budget before its value is read.
[[gnu::always_inline]] inline void Amf3Reader::chargeMemberAt(const std::uint8_t* p) {
  if (in_.tryCharge(sizeof(Member))) return;
  in_.p = p;
  in_.failBudget();
}

// In a region, an object's dynamic members go straight into region storage. It grows where it
// stands while nothing nested was allocated after it, as in the common flat object, and moves
// to a block twice the size when something was. A failure leaves the members made so far in
// the node, which the region discards without destroying.
[[gnu::always_inline]] inline void Amf3Reader::readRegionMembersAt(ObjectNode* node,
                                                                   const std::uint8_t*& p) {
  constexpr std::size_t kFirstRoom = 4;
  CompactVector<Member>& members = node->dynamic;
  std::size_t count = 0;
  std::size_t room = 0;
  KeyBits keys;
  for (;;) {
    if (endOfNamesAt(p)) break;
    StringRep* key = readKeyAt(p, "a dynamic member name");  // uncounted, as the region's
    if (key->size == 0) break;
    keys.note(key);
    chargeMemberAt(p);
    if (count == room) {
      std::size_t more = room == 0 ? kFirstRoom : 2 * room;
      if (room == 0 ||
          !region_->resizeLast(members.data(), room * sizeof(Member), more * sizeof(Member))) {
        Member* storage = regionStorage<Member>(more);
        if (count != 0)
          std::memcpy(static_cast<void*>(storage), members.data(), count * sizeof(Member));
        members.useBorrowedStorage(storage, more);
      } else {
        members.useBorrowedStorage(members.data(), more);
      }
      room = more;
    }
    Value value = readItemAt(p);  // first: a String made of the uncounted key must not die early
    members.emplaceAt(count++, Member{String(key, /*adopt=*/true), std::move(value)});
  }
  // Room nobody took goes back when the members are still the newest allocation.
  if (count != room &&
      region_->resizeLast(members.data(), room * sizeof(Member), count * sizeof(Member)))
    members.useBorrowedStorage(members.data(), count);
  if (keys.maybeRepeated && hasRepeatedKey(members.data(), count)) restartCounted();
}

void Amf3Reader::readObject(Value& out) {
  const std::uint8_t* at = in_.p;
  std::uint32_t header = in_.u29("an Object header");
  if (takeReference(header, out, at)) return;
  in_.enter();
  TraitsEntry entry;
  if ((header & 3) == 1) {
    std::uint32_t index = header >> 2;
    if (index >= traits_.size())
      in_.failReference("traits reference", index, at, "traits table", traits_.size());
    entry = traits_[index];
  } else {
    entry = readTraits(header);
  }
  Traits* traits = entry.traits;
  const ClassInfo* cls = entry.cls;
  in_.charge(sizeof(ObjectNode));
  ObjectNode* node;
  if (region_) {
    // A C++ class's constructor and members, or readExternal, run user code, which could keep
    // references into the region: such values are read the ordinary way.
    if (traits->externalizable || cls) restartCounted();
    node = region_->make<ObjectNode>(traits);  // the region holds the traits table
    if (!node) restartCounted();
  } else {
    retain(traits);
    node = adopt<ObjectNode>(traits);
  }
  out = Value(node, Value::Adopt{});

  if (traits->externalizable) {
    // Flash maps an unknown alias to Object, which is not IExternalizable.
    if (!cls || !cls->isExternalizable())
      throwErrorWithDetail(errors::detail::kNotExternalizable, {traits->className.view()},
                           "(AMF: object at byte " + std::to_string(in_.offsetOf(at)) + ")");
    if (!cls->canCreate())
      throwErrorWithDetail(errors::detail::kArgumentCount, {cls->typeName(), "0", "0"},
                           "(AMF: the class has no default constructor)");
    node->native = cls->create();
    node->cls = cls;
    remember(node);
    ObjectInput input(*this);
    cls->externalizable(node->native.get())->readExternal(input);
  } else if (cls) {
    // Flash constructs the class with no arguments, which fails when it needs some.
    if (!cls->canCreate())
      throwErrorWithDetail(errors::detail::kArgumentCount, {cls->typeName(), "0", "0"},
                           "(AMF: the class has no default constructor)");
    node->native = cls->create();
    node->cls = cls;
    remember(node);
    readNativeMembers(node, traits);
  } else {
    remember(node);
    std::size_t sealedCount = traits->sealed.size();
    in_.count(sealedCount, 1, sizeof(Value), "an object's sealed members");
    makeRoom(node->sealed, sealedCount);
    const std::uint8_t* p = in_.p;
    for (std::size_t i = 0; i < sealedCount; ++i) node->sealed.emplaceAt(i, readItemAt(p));
    in_.p = p;
    if (traits->dynamic && region_) {
      readRegionMembersAt(node, p);
      in_.p = p;
      if (!traits->sealed.empty() && !node->dynamic.empty() && namesSealedMember(node))
        restartCounted();
    } else if (traits->dynamic) {
      // Members gather on a shared stack and are relocated into the object once, in one
      // allocation of the right size; nested objects stack theirs above. A repeated key finds
      // its hash bit already set, so objects without one skip the search for repeats.
      std::size_t mark = members_.size();
      std::size_t top = mark;  // members_.size(), kept here for the reason p is
      KeyBits keys;
      for (;;) {
        if (endOfNamesAt(p)) break;
        KeyRef key(readKeyAt(p, "a dynamic member name"), /*counted=*/true);
        if (key.rep()->size == 0) break;
        keys.note(key.rep());
        chargeMemberAt(p);
        // Room first: once read, the value goes to its slot with nothing left that can fail.
        // Nested objects stack their members above `top` and unstack them, so the room stays.
        if (top == members_.capacity()) members_.reserve(2 * top + 16);
        Value value = readItemAt(p);
        members_.emplaceAt(top++, Member{String(key.take(), /*adopt=*/true), std::move(value)});
      }
      in_.p = p;
      std::size_t count = top - mark;
      node->dynamic.relocateFrom(members_.data() + mark, count);
      members_.forgetFrom(mark);
      if (keys.maybeRepeated) dropRepeatedKeys(node->dynamic);
      if (!traits->sealed.empty() && !node->dynamic.empty()) foldDynamicIntoSealed(node);
    }
  }
  in_.leave();
}

void Amf3Reader::readByteArray(Value& out) {
  const std::uint8_t* at = in_.p;
  std::uint32_t header = in_.u29("a ByteArray header");
  if (takeReference(header, out, at)) return;
  std::uint32_t length = header >> 1;
  const std::uint8_t* bytes = in_.take(length, "a ByteArray's bytes");
  in_.charge(length + sizeof(ByteArrayNode));
  ByteArrayNode* node = region_ ? region_->make<ByteArrayNode>() : adopt<ByteArrayNode>();
  if (!node) restartCounted();
  out = Value(node, Value::Adopt{});
  node->bytes.writeBytes(bytes, length);
  node->bytes.position(0);
  remember(node);
}

template <class T>
void Amf3Reader::readNumericVector(Value& out) {
  const std::uint8_t* at = in_.p;
  std::uint32_t header = in_.u29("a Vector header");
  if (takeReference(header, out, at)) return;
  std::uint32_t count = header >> 1;
  bool fixed = in_.u8("a Vector's fixed flag") != 0;
  in_.count(count, sizeof(T), sizeof(T), "a Vector's items");
  VectorNode<T>* node = region_ ? region_->make<VectorNode<T>>() : adopt<VectorNode<T>>();
  if (!node) restartCounted();
  out = Value(node, Value::Adopt{});
  node->fixed = fixed;
  remember(node);
  node->items.resize(count);
  const std::uint8_t* p = in_.take(std::size_t{count} * sizeof(T), "a Vector's items");
  for (std::uint32_t i = 0; i < count; ++i, p += sizeof(T)) {
    if constexpr (sizeof(T) == 4) {
      std::uint32_t v =
          std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
      node->items[i] = static_cast<T>(v);
    } else {
      node->items[i] = bigEndianDouble(p);
    }
  }
}

void Amf3Reader::readObjectVector(Value& out) {
  const std::uint8_t* at = in_.p;
  std::uint32_t header = in_.u29("a Vector header");
  if (takeReference(header, out, at)) return;
  std::uint32_t count = header >> 1;
  bool fixed = in_.u8("a Vector's fixed flag") != 0;
  String typeName(readOwnedString("a Vector's type name"), /*adopt=*/true);
  in_.enter();
  in_.count(count, 1, sizeof(Value), "a Vector's items");
  // In a region its items are uncounted: read in place, and forgotten when the region goes.
  VectorNode<Value>* node =
      region_ ? region_->make<VectorNode<Value>>() : adopt<VectorNode<Value>>();
  if (!node) restartCounted();
  out = Value(node, Value::Adopt{});
  node->fixed = fixed;
  node->typeName = typeName;
  remember(node);
  node->items.resize(count);
  // Only Vector.<*> holds undefined; a typed vector stores null instead.
  bool anyType = typeName.view() == "*";
  for (Value& item : node->items) {
    readValue(item);
    if (!anyType && item.isUndefined()) item = Value(nullptr);
  }
  in_.leave();
}

void Amf3Reader::readDictionary(Value& out) {
  // Its key and value are read into locals and may replace an earlier entry: counted work.
  if (region_) restartCounted();
  const std::uint8_t* at = in_.p;
  std::uint32_t header = in_.u29("a Dictionary header");
  if (takeReference(header, out, at)) return;
  std::uint32_t count = header >> 1;
  bool weak = in_.u8("a Dictionary's weak-keys flag") != 0;
  in_.enter();
  in_.count(count, 2, 2 * sizeof(Value), "a Dictionary's entries");
  auto* node = adopt<DictionaryNode>();
  out = Value(node, Value::Adopt{});
  node->weakKeys = weak;
  remember(node);
  node->entries.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint8_t* keyAt = in_.p;
    Value key;
    Value value;
    readValue(key);
    readValue(value);
    // Flash's Dictionary takes only strings and objects as keys from AMF.
    if (!key.isString() && !key.isReference())
      in_.fail(errors::detail::kInvalidParameter,
               "Dictionary key of type " + std::string(typeName(key.type())) + " at byte " +
                   std::to_string(in_.offsetOf(keyAt)) +
                   "; Flash reads only String and object keys");
    if (count <= 16) {
      if (auto* e = node->find(key)) {
        e->second = std::move(value);
        continue;
      }
    }
    node->entries.emplace_back(std::move(key), std::move(value));
  }
  if (count > 16) dedupeDictionary(node);
  in_.leave();
}

// OutBuffer and Amf3Writer ----------------------------------------------------------------------

void OutBuffer::grow(std::size_t n) {
  std::size_t used = size();
  std::size_t capacity =
      std::max<std::size_t>(data_.size() * 2, std::max<std::size_t>(used + n, 256));
  data_.resize(capacity);
  p_ = data_.data() + used;
  end_ = data_.data() + data_.size();
}

struct Amf3Writer::Table {
  // Slots are free unless their generation is the table's: starting the next value is one
  // increment instead of clearing every slot.
  struct StringSlot {
    const char* data;
    std::uint32_t size;
    std::uint32_t hash;
    std::uint32_t index;
    std::uint32_t generation;
  };
  struct PointerSlot {
    const void* key;
    std::uint32_t index;
    std::uint32_t generation;
  };
  static constexpr std::uint32_t kAbsent = 0xFFFFFFFFu;
  std::uint32_t generation = 1;
  // Only the outermost writer of a thread keeps its indices in the values themselves (see
  // Node::writerIndex); a writer started inside it, from an IExternalizable or a getter, would
  // overwrite them, so it looks everything up by hash.
  bool stamping = false;

  // Each table's entries in index order: what a value's writerIndex hint is checked against.
  // Compact, for its size in one load: every hint check reads it.
  CompactVector<const StringRep*> stringOwners;  // the StringRep, or null for text without one
  CompactVector<const void*> objectKeys;
  CompactVector<const void*> traitsKeys;
  // Content and identity lookups, for text without a StringRep, for identities that are not
  // nodes (C++ instances and classes), and for everything in a nested writer.
  std::vector<StringSlot> strings;
  std::vector<PointerSlot> objects;
  std::uint32_t objectSlots = 0;  // occupied slots
  std::vector<PointerSlot> traits;
  // Occupied slots: more than traitsKeys holds once retargetTraits points several keys at one
  // entry, and what growth must go by, or the table fills up and probing never ends.
  std::uint32_t traitsSlots = 0;
  // Traits met so far by content, so separately made objects of one class share an entry.
  // Keyed by a hash of the content, so many distinct classes cost linear time, not quadratic.
  struct ContentSlot {
    std::uint64_t hash;
    const Traits* traits;
    std::uint32_t index;
    std::uint32_t generation;
  };
  std::vector<ContentSlot> traitsByContent;
  std::uint32_t contentSlots = 0;  // occupied
  // Strings and values whose identity the tables rely on, kept alive until the value is done.
  std::vector<StringRep*> heldStrings;
  std::vector<Value> heldValues;

  Table() {
    strings.assign(64, StringSlot{});
    objects.assign(64, PointerSlot{});
    traits.assign(16, PointerSlot{});
    traitsByContent.assign(16, ContentSlot{});
  }

  void reset() {
    stringOwners.clear();
    objectKeys.clear();
    traitsKeys.clear();
    objectSlots = traitsSlots = contentSlots = 0;
    for (StringRep* s : heldStrings) release(s);
    heldStrings.clear();
    heldValues.clear();
    if (++generation == 0) {
      std::fill(strings.begin(), strings.end(), StringSlot{});
      std::fill(objects.begin(), objects.end(), PointerSlot{});
      std::fill(traits.begin(), traits.end(), PointerSlot{});
      std::fill(traitsByContent.begin(), traitsByContent.end(), ContentSlot{});
      generation = 1;
    }
  }

  // Returns the index of the text, or records it (owned by `owner`) with the next index and
  // returns kAbsent.
  std::uint32_t findOrAddString(const char* data, std::uint32_t size, std::uint32_t hash,
                                const StringRep* owner) {
    if ((stringOwners.size() + 1) * 2 > strings.size()) rehashStrings();
    std::size_t mask = strings.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      StringSlot& slot = strings[i];
      if (slot.generation != generation) {
        slot = StringSlot{data, size, hash, static_cast<std::uint32_t>(stringOwners.size()),
                          generation};
        stringOwners.push_back(owner);
        return kAbsent;
      }
      if (slot.hash == hash && slot.size == size && equalBytes(slot.data, data, size))
        return slot.index;
    }
  }
  // grow doubles an open-addressing table, placing this generation's slots by `hashOf`.
  template <class Slot, class HashOf>
  void grow(std::vector<Slot>& slots, HashOf hashOf) {
    std::vector<Slot> old(slots.size() * 2, Slot{});
    old.swap(slots);
    std::size_t mask = slots.size() - 1;
    for (const Slot& s : old) {
      if (s.generation != generation) continue;
      std::size_t i = hashOf(s) & mask;
      while (slots[i].generation == generation) i = (i + 1) & mask;
      slots[i] = s;
    }
  }
  void rehashStrings() {
    grow(strings, [](const StringSlot& s) { return s.hash; });
  }

  // Returns the index of traits equal to `t` met before, or records `t` as `index` and returns
  // kAbsent.
  std::uint32_t findOrAddTraitsContent(const Traits* t, std::uint32_t index) {
    if ((contentSlots + 1) * 2 > traitsByContent.size())
      grow(traitsByContent, [](const ContentSlot& c) { return c.hash; });
    std::uint64_t hash = hashTraits(*t);
    std::size_t mask = traitsByContent.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      ContentSlot& slot = traitsByContent[i];
      if (slot.generation != generation) {
        slot = ContentSlot{hash, t, index, generation};
        ++contentSlots;
        return kAbsent;
      }
      const Traits* known = slot.traits;
      if (slot.hash == hash && known->className.view() == t->className.view() &&
          known->dynamic == t->dynamic && known->sealed.size() == t->sealed.size() &&
          std::equal(known->sealed.begin(), known->sealed.end(), t->sealed.begin(),
                     [](const String& x, const String& y) { return x.view() == y.view(); }))
        return slot.index;
    }
  }

  // retargetTraits points `key`, just added as a new entry, at an equal earlier entry instead.
  void retargetTraits(const void* key, std::uint32_t index) {
    std::size_t mask = traits.size() - 1;
    for (std::size_t i = hashPointer(key) & mask;; i = (i + 1) & mask) {
      if (traits[i].key == key && traits[i].generation == generation) {
        traits[i].index = index;
        traitsKeys.pop_back();
        return;
      }
    }
  }

  // Returns the index of `key`, or records it as `next` and returns kAbsent.
  std::uint32_t findOrAdd(std::vector<PointerSlot>& slots, std::uint32_t& used, const void* key,
                          std::uint32_t next) {
    if ((used + 1) * 2 > slots.size())
      grow(slots, [](const PointerSlot& p) { return hashPointer(p.key); });
    std::size_t mask = slots.size() - 1;
    for (std::size_t i = hashPointer(key) & mask;; i = (i + 1) & mask) {
      PointerSlot& slot = slots[i];
      if (slot.generation != generation) {
        slot = PointerSlot{key, next, generation};
        ++used;
        return kAbsent;
      }
      if (slot.key == key) return slot.index;
    }
  }
};

// Writers reuse their tables' storage: a game writes many small messages. The pool frees what it
// keeps when its thread ends.
struct TablePool {
  std::vector<Amf3Writer::Table*> tables;
  std::uint32_t activeWriters = 0;
  ~TablePool() {
    for (Amf3Writer::Table* t : tables) delete t;
  }
};

namespace {
thread_local TablePool tablePool;

}  // namespace

Amf3Writer::Amf3Writer(OutBuffer& out) : out_(out), pool_(&tablePool) {
  if (pool_->tables.empty()) {
    tables_ = new Table;
  } else {
    tables_ = pool_->tables.back();
    pool_->tables.pop_back();
  }
  tables_->stamping = pool_->activeWriters++ == 0;
}

Amf3Writer::~Amf3Writer() {
  --pool_->activeWriters;
  tables_->reset();
  if (pool_->tables.size() < 4)
    pool_->tables.push_back(tables_);
  else
    delete tables_;
}

void Amf3Writer::hold(const Value& v) {
  if (v.isReference()) tables_->heldValues.push_back(v);
}

void Amf3Writer::failDepth() const {
  throwErrorWithDetail(
      errors::detail::kStackOverflow, {},
      "(AMF: the value nests deeper than " + std::to_string(kMaxWriteDepth) + " containers)");
}

// Most repeats are the very same string object (one decoded string table entry, or an interned
// name): its hint finds it before any hashing. Inline, as the item writer below: a call per
// member name or number would cost more than writing it.
[[gnu::always_inline]] inline bool Amf3Writer::knownString(const StringRep* rep,
                                                           std::uint32_t* index) const {
  const Table& t = *tables_;
  if (!t.stamping || rep->writerIndex >= t.stringOwners.size()) return false;
  // Equal text made separately (every "red" a porter writes is its own string) shares the
  // first one's index: its hint points there and the bytes prove it.
  const StringRep* owner = t.stringOwners[rep->writerIndex];
  if (owner != rep && (!owner || owner->hash != rep->hash || owner->size != rep->size ||
                       !equalBytes(owner->data(), rep->data(), rep->size)))
    return false;
  *index = rep->writerIndex;
  return true;
}

[[gnu::always_inline]] inline void Amf3Writer::writeString(std::string_view s, StringRep* rep) {
  std::uint32_t index;
  if (rep && knownString(rep, &index)) {
    out_.u29(index << 1);
    return;
  }
  writeNewString(s, rep);
}

[[gnu::always_inline]] inline std::uint8_t* Amf3Writer::referenceAt(std::uint8_t* o, Node* node) {
  Table& t = *tables_;
  if (!t.stamping) {
    out_.commit(o);
    return writeReference(static_cast<const void*>(node)) ? out_.cursor() : nullptr;
  }
  std::uint32_t hint = node->writerIndex;
  if (hint < t.objectKeys.size() && t.objectKeys[hint] == node) return o + encodeU29(o, hint << 1);
  node->writerIndex = static_cast<std::uint32_t>(t.objectKeys.size());
  t.objectKeys.push_back(node);
  return nullptr;
}

[[gnu::always_inline]] inline bool Amf3Writer::writeReference(Node* node) {
  std::uint8_t* o = out_.room(4);
  std::uint8_t* after = referenceAt(o, node);
  if (!after) return false;
  out_.commit(after);
  return true;
}

[[gnu::always_inline]] inline std::uint8_t* Amf3Writer::traitsReferenceAt(std::uint8_t* o,
                                                                          Traits* traits) {
  Table& t = *tables_;
  if (t.stamping) {
    std::uint32_t hint = traits->writerIndex;
    if (hint < t.traitsKeys.size() && t.traitsKeys[hint] == traits)
      return o + encodeU29(o, hint << 2 | 1);
  }
  // The identity table too: separately made equal traits are retargeted there (writeObject).
  out_.commit(o);
  if (writeTraitsReference(static_cast<const void*>(traits))) return out_.cursor();
  if (t.stamping) traits->writerIndex = static_cast<std::uint32_t>(t.traitsKeys.size() - 1);
  return nullptr;
}

std::uint8_t* Amf3Writer::roomAt(std::uint8_t* o, std::size_t n) {
  if (static_cast<std::size_t>(out_.limit() - o) >= n) return o;
  out_.commit(o);
  return out_.room(n);
}

[[gnu::always_inline]] inline void Amf3Writer::writeItem(const Value& v) {
  switch (v.type()) {
    case Type::Int: {
      std::int32_t i = v.asInt();
      if (i >= kAmf3IntMin && i <= kAmf3IntMax) {
        out_.markedU29(0x04, static_cast<std::uint32_t>(i) & kU29Max);
        return;
      }
      break;
    }
    case Type::Number: {
      double d = v.asNumber();
      if (!fitsAmf3Int(d)) {
        out_.markedDouble(0x05, d);
        return;
      }
      break;
    }
    case Type::String: {
      out_.u8(0x06);
      StringRep* rep = v.stringRep();
      writeString(rep->view(), rep);
      return;
    }
    default:
      break;
  }
  writeValue(v);
}

[[gnu::always_inline]] inline std::uint8_t* Amf3Writer::itemAt(std::uint8_t* o,
                                                               const Value& v) const {
  switch (v.type()) {
    case Type::Int: {
      std::int32_t i = v.asInt();
      if (i < kAmf3IntMin || i > kAmf3IntMax) return nullptr;
      o[0] = 0x04;
      return o + 1 + encodeU29(o + 1, static_cast<std::uint32_t>(i) & kU29Max);
    }
    case Type::Number: {
      double d = v.asNumber();
      if (fitsAmf3Int(d)) return nullptr;
      o[0] = 0x05;
      storeFlashDouble(o + 1, d);
      return o + 9;
    }
    case Type::String: {
      std::uint32_t index;
      if (!knownString(v.stringRep(), &index)) return nullptr;
      o[0] = 0x06;
      return o + 1 + encodeU29(o + 1, index << 1);
    }
    default:
      return nullptr;
  }
}

[[gnu::always_inline]] inline std::uint8_t* Amf3Writer::containerAt(std::uint8_t* o,
                                                                    const Value& v) {
  switch (v.type()) {
    case Type::Array:
      *o = 0x09;
      return writeArray(o + 1, static_cast<ArrayNode*>(v.node()));
    case Type::Object:
      *o = 0x0A;
      return writeObject(o + 1, static_cast<ObjectNode*>(v.node()));
    default:
      return nullptr;
  }
}

std::uint8_t* Amf3Writer::writeItems(std::uint8_t* o, const Value* v, const Value* last) {
  std::uint8_t* limit = out_.limit();
  for (; v != last; ++v) {
    if (limit - o >= kItemRoom) {
      std::uint8_t* next = itemAt(o, *v);
      if (!next && (next = containerAt(o, *v))) limit = out_.limit();  // it may have grown
      if (next) {
        o = next;
        continue;
      }
    }
    out_.commit(o);
    writeItem(*v);
    o = out_.cursor();
    limit = out_.limit();
  }
  return o;
}

std::uint8_t* Amf3Writer::writeMembers(std::uint8_t* o, const Member* m, const Member* last) {
  std::uint8_t* limit = out_.limit();
  for (; m != last; ++m) {
    StringRep* key = m->key.rep();
    if (key->size == 0) continue;  // as Flash: "" would end the list
    std::uint32_t index;
    if (limit - o >= 4 + kItemRoom && knownString(key, &index)) {
      o += encodeU29(o, index << 1);
      std::uint8_t* next = itemAt(o, m->value);
      if (!next && (next = containerAt(o, m->value))) limit = out_.limit();  // it may have grown
      if (next) {
        o = next;
        continue;
      }
      out_.commit(o);
    } else {
      out_.commit(o);
      writeString(key->view(), key);
    }
    writeItem(m->value);
    o = out_.cursor();
    limit = out_.limit();
  }
  return o;
}

void Amf3Writer::writeNewString(std::string_view s, StringRep* rep) {
  if (s.empty()) {
    out_.u8(0x01);
    return;
  }
  Table& t = *tables_;
  if (s.size() > kU28Max)
    throwErrorWithDetail(errors::detail::kIndexOutOfBounds, {},
                         "(AMF: a string of " + std::to_string(s.size()) +
                             " bytes passes AMF3's limit of 2^28 - 1)");
  std::uint32_t size = static_cast<std::uint32_t>(s.size());
  std::uint32_t hash = rep ? hashOf(rep) : textHash(s.data(), size);
  std::uint32_t index = t.findOrAddString(s.data(), size, hash, rep);
  if (index != Table::kAbsent) {
    if (rep && t.stamping) rep->writerIndex = index;
    out_.u29(index << 1);
    return;
  }
  if (rep) {
    // Held until the value is written: the table points at its bytes, and a new string at its
    // address would pass for it.
    retain(rep);
    t.heldStrings.push_back(rep);
    if (t.stamping) rep->writerIndex = static_cast<std::uint32_t>(t.stringOwners.size() - 1);
  }
  out_.u29(size << 1 | 1);
  out_.text(s.data(), size);
}

void Amf3Writer::writeDouble(double d) {
  out_.markedDouble(0x05, d);
}

void Amf3Writer::writeInlineCount(std::size_t count, const char* what) {
  // Flash drops the bits above; a corrupt stream is worse than an error.
  if (count > kU28Max)
    throwErrorWithDetail(errors::detail::kIndexOutOfBounds, {},
                         "(AMF: " + std::string(what) + ": " + std::to_string(count) +
                             " passes AMF3's limit of 2^28 - 1)");
  out_.u29(static_cast<std::uint32_t>(count) << 1 | 1);
}

bool Amf3Writer::writeReference(const void* identity) {
  Table& t = *tables_;
  std::uint32_t next = static_cast<std::uint32_t>(t.objectKeys.size());
  std::uint32_t index = t.findOrAdd(t.objects, t.objectSlots, identity, next);
  if (index == Table::kAbsent) {
    t.objectKeys.push_back(identity);
    return false;
  }
  out_.u29(index << 1);
  return true;
}

bool Amf3Writer::writeTraitsReference(const void* key) {
  Table& t = *tables_;
  std::uint32_t next = static_cast<std::uint32_t>(t.traitsKeys.size());
  std::uint32_t index = t.findOrAdd(t.traits, t.traitsSlots, key, next);
  if (index == Table::kAbsent) {
    t.traitsKeys.push_back(key);
    return false;
  }
  out_.u29(index << 2 | 1);
  return true;
}

void Amf3Writer::writeValue(const Value& v) {
  switch (v.type()) {
    case Type::Undefined:
      out_.u8(0x00);
      return;
    case Type::Null:
      out_.u8(0x01);
      return;
    case Type::Boolean:
      out_.u8(v.asBoolean() ? 0x03 : 0x02);
      return;
    case Type::Int: {
      std::int32_t i = v.asInt();
      if (i >= kAmf3IntMin && i <= kAmf3IntMax) {
        out_.markedU29(0x04, static_cast<std::uint32_t>(i) & kU29Max);
      } else {
        writeDouble(i);
      }
      return;
    }
    case Type::Uint: {
      std::uint32_t u = v.asUint();
      if (u <= static_cast<std::uint32_t>(kAmf3IntMax)) {
        out_.markedU29(0x04, u);
      } else {
        writeDouble(u);
      }
      return;
    }
    case Type::Number: {
      double d = v.asNumber();
      if (fitsAmf3Int(d)) {
        out_.markedU29(0x04, static_cast<std::uint32_t>(static_cast<std::int32_t>(d)) & kU29Max);
      } else {
        writeDouble(d);
      }
      return;
    }
    case Type::String: {
      out_.u8(0x06);
      StringRep* rep = v.stringRep();
      writeString(rep->view(), rep);
      return;
    }
    case Type::XML:
    case Type::XMLDocument: {
      out_.u8(v.type() == Type::XML ? 0x0B : 0x07);
      if (writeReference(v.node())) return;
      std::string_view text = v.asXML();
      writeInlineCount(text.size(), "XML text (bytes)");
      out_.bytes(text.data(), text.size());
      return;
    }
    case Type::Date: {
      out_.u8(0x08);
      if (writeReference(v.node())) return;
      out_.markedDouble(0x01, v.asDate());  // 0x01: sent inline, not a reference
      return;
    }
    case Type::Array:
    case Type::Object:
      out_.commit(containerAt(out_.room(kItemRoom), v));
      return;
    case Type::ByteArray: {
      out_.u8(0x0C);
      if (writeReference(v.node())) return;
      const utils::ByteArray& bytes = v.asByteArray();
      writeInlineCount(bytes.length(), "a ByteArray (bytes)");
      out_.bytes(bytes.data(), bytes.length());
      return;
    }
    case Type::VectorInt:
      out_.u8(0x0D);
      writeNumericVector(static_cast<VectorNode<std::int32_t>*>(v.node()));
      return;
    case Type::VectorUint:
      out_.u8(0x0E);
      writeNumericVector(static_cast<VectorNode<std::uint32_t>*>(v.node()));
      return;
    case Type::VectorNumber:
      out_.u8(0x0F);
      // Items keep their bits, -0 and NaN payloads included, as Flash's do.
      writeNumericVector(static_cast<VectorNode<double>*>(v.node()));
      return;
    case Type::VectorObject: {
      out_.u8(0x10);
      if (writeReference(v.node())) return;
      auto* node = static_cast<VectorNode<Value>*>(v.node());
      enter();
      writeInlineCount(node->items.size(), "a Vector (items)");
      out_.u8(node->fixed ? 1 : 0);
      writeString(node->typeName.view(), node->typeName.rep());
      for (const Value& item : node->items) writeItem(item);
      leave();
      return;
    }
    case Type::Dictionary:
      out_.u8(0x11);
      writeDictionary(static_cast<DictionaryNode*>(v.node()));
      return;
  }
}

template <class T>
void Amf3Writer::writeNumericVector(VectorNode<T>* node) {
  if (writeReference(node)) return;
  writeInlineCount(node->items.size(), "a Vector (items)");
  out_.u8(node->fixed ? 1 : 0);
  out_.bigEndianItems(node->items);
}

std::uint8_t* Amf3Writer::writeArray(std::uint8_t* o, ArrayNode* a) {
  if (std::uint8_t* after = referenceAt(o, a)) return after;
  enter();
  std::size_t dense = a->dense.size();
  if (dense > kU28Max) {
    out_.commit(o);
    writeInlineCount(dense, "an Array's dense part (elements)");  // throws
  }
  o += encodeU29(o, static_cast<std::uint32_t>(dense) << 1 | 1);
  // Flash writes an "" key too, which ends the list early and corrupts what follows; skip it.
  o = writeMembers(o, a->assoc.data(), a->assoc.data() + a->assoc.size());
  o = roomAt(o, 1);
  *o++ = 0x01;
  o = writeItems(o, a->dense.data(), a->dense.data() + dense);
  leave();
  return o;
}

std::uint8_t* Amf3Writer::writeObject(std::uint8_t* o, ObjectNode* node) {
  if (node->native) {
    out_.commit(o);
    writeNative(node);
    return out_.cursor();
  }
  if (std::uint8_t* after = referenceAt(o, node)) return after;
  enter();
  Traits* traits = node->traits;
  if (std::uint8_t* after = traitsReferenceAt(o, traits)) {
    o = after;
  } else {
    // Objects of one class made separately carry equal traits of their own; Flash sends the
    // class once, so they share the first one's entry. (traitsReferenceAt committed `o`.)
    std::uint32_t added = static_cast<std::uint32_t>(tables_->traitsKeys.size() - 1);
    std::uint32_t index = tables_->findOrAddTraitsContent(traits, added);
    if (index != Table::kAbsent) {
      tables_->retargetTraits(traits, index);
      out_.u29(index << 2 | 1);
    } else {
      std::size_t count = traits->sealed.size();
      out_.u29(static_cast<std::uint32_t>(count) << 4 | (traits->dynamic ? 0x08u : 0u) | 0x03u);
      writeString(traits->className.view(), traits->className.rep());
      for (const String& name : traits->sealed) writeString(name.view(), name.rep());
    }
    o = out_.cursor();
  }
  o = writeItems(o, node->sealed.data(), node->sealed.data() + node->sealed.size());
  if (traits->dynamic) {
    o = writeMembers(o, node->dynamic.data(), node->dynamic.data() + node->dynamic.size());
    o = roomAt(o, 1);
    *o++ = 0x01;
  }
  leave();
  return o;
}

void Amf3Writer::writeNative(ObjectNode* o) {
  // Two Values made from one C++ object are one AS3 object.
  if (writeReference(o->native.get())) return;
  const ClassInfo* cls = o->cls;
  std::string alias = cls->alias();
  if (cls->isExternalizable() && alias.empty())
    throwErrorWithDetail(errors::detail::kInvalidParameter, {},
                         "(AMF: " + std::string(cls->typeName()) +
                             " is IExternalizable but has no alias: registerClassAlias it)");
  enter();
  if (!writeTraitsReference(cls)) {
    // The alias text must outlive this call: the string table points at it.
    StringRep* aliasRep = makeString(alias);
    if (cls->isExternalizable()) {
      out_.u8(0x07);
      writeString(aliasRep->view(), aliasRep);
    } else {
      const auto& members = cls->members();
      out_.u29(static_cast<std::uint32_t>(members.size()) << 4 | 0x03u);
      writeString(aliasRep->view(), aliasRep);
      for (const auto& m : members) writeString(m.name, nullptr);
    }
    release(aliasRep);
  }
  if (cls->isExternalizable()) {
    ObjectOutput output(*this);
    cls->externalizable(o->native.get())->writeExternal(output);
  } else {
    for (const auto& m : cls->members()) {
      Value value = m.get(o->native.get());
      writeValue(value);
      // Getters may make new objects; keep them so no later object reuses their address.
      if (value.isReference() || value.isString()) tables_->heldValues.push_back(std::move(value));
    }
  }
  leave();
}

void Amf3Writer::writeDictionary(DictionaryNode* d) {
  if (writeReference(d)) return;
  enter();
  writeInlineCount(d->entries.size(), "a Dictionary (entries)");
  out_.u8(d->weakKeys ? 1 : 0);
  for (const auto& [key, value] : d->entries) {
    // Flash sends int keys as their decimal text; it could not read them back otherwise. Other
    // primitive keys are strings in a Flash Dictionary anyway (only objects keep their identity),
    // and the reader takes nothing but strings and objects, so they go as text too.
    if (!key.isString() && !key.isReference()) {
      std::string text = key.toString();
      StringRep* rep = makeString(text);
      out_.u8(0x06);
      writeString(rep->view(), rep);
      release(rep);
    } else {
      writeValue(key);
    }
    writeValue(value);
  }
  leave();
}

}  // namespace as3::amf::detail
