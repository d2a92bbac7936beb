#include "Json.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>
#include <unordered_set>

namespace as3net_tool::json {

const Value* Value::find(std::string_view key) const noexcept {
  if (!isObject()) return nullptr;
  for (const Member& m : std::get<Object>(v_))
    if (m.first == key) return &m.second;
  return nullptr;
}

ParseError::ParseError(const std::string& reason, std::size_t offset)
    : std::runtime_error(reason + " at offset " + std::to_string(offset)), offset_(offset) {}

// --- UTF-8 -------------------------------------------------------------------------------------

namespace {

// Length of the well-formed UTF-8 sequence at p (RFC 3629's table: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when the bytes there do not start one.
std::size_t utf8SequenceLength(const unsigned char* p, std::size_t left) noexcept {
  unsigned char b0 = p[0];
  if (b0 < 0x80) return 1;
  auto cont = [&](std::size_t i, unsigned char lo, unsigned char hi) {
    return i < left && p[i] >= lo && p[i] <= hi;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1, 0x80, 0xBF) ? 2 : 0;
  if (b0 == 0xE0) return cont(1, 0xA0, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF)
    return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if (b0 == 0xED) return cont(1, 0x80, 0x9F) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if (b0 == 0xF0) return cont(1, 0x90, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  if (b0 >= 0xF1 && b0 <= 0xF3)
    return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  if (b0 == 0xF4) return cont(1, 0x80, 0x8F) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

void appendUtf8(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::size_t findInvalidUtf8(std::string_view bytes) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size(), i = 0;
  while (i < n) {
    if (p[i] < 0x80) {  // ASCII runs dominate real text
      ++i;
      continue;
    }
    std::size_t len = utf8SequenceLength(p + i, n - i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

// --- parser ------------------------------------------------------------------------------------

namespace {

bool isJsonSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), options_(options) {}

  void skipSpace() {
    while (p_ != end_ && isJsonSpace(*p_)) ++p_;
  }
  bool atEnd() const { return p_ == end_; }
  std::size_t offset() const { return static_cast<std::size_t>(p_ - begin_); }
  bool atSpace() const { return p_ != end_ && isJsonSpace(*p_); }

  Value parseValue() {
    if (p_ == end_) fail("unexpected end of input, expected a value");
    switch (*p_) {
      case '{':
        return parseObject();
      case '[':
        return parseArray();
      case '"':
        return Value(parseString());
      case 't':
        expectWord("true");
        return Value(true);
      case 'f':
        expectWord("false");
        return Value(false);
      case 'n':
        expectWord("null");
        return Value(nullptr);
      default:
        if (*p_ == '-' || isDigit(*p_)) return parseNumber();
        fail(describeHere() + ", expected a value");
    }
  }

  [[noreturn]] void fail(const std::string& reason) const { failAt(reason, offset()); }
  [[noreturn]] void failAt(const std::string& reason, std::size_t at) const {
    throw ParseError(reason, at);
  }
  std::string describeHere() const {
    if (p_ == end_) return "unexpected end of input";
    auto c = static_cast<unsigned char>(*p_);
    if (c >= 0x20 && c < 0x7F) return std::string("unexpected character '") + *p_ + "'";
    char buf[40];
    std::snprintf(buf, sizeof buf, "unexpected byte 0x%02x", c);
    return buf;
  }

 private:
  // Bounds recursion: each nested array or object holds one level while it is being read.
  class DepthGuard {
   public:
    explicit DepthGuard(Parser& p) : parser_(p) {
      if (++parser_.depth_ > parser_.options_.maxDepth)
        parser_.fail("nesting deeper than " + std::to_string(parser_.options_.maxDepth) +
                     " levels");
    }
    ~DepthGuard() { --parser_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Parser& parser_;
  };

  void expectWord(const char* word) {
    std::size_t n = std::strlen(word);
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0)
      fail(describeHere() + ", expected a value");
    p_ += n;
  }

  Value parseArray() {
    DepthGuard guard(*this);
    ++p_;  // '['
    Array items;
    skipSpace();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return Value(std::move(items));
    }
    for (;;) {
      skipSpace();
      items.push_back(parseValue());
      skipSpace();
      if (p_ != end_ && *p_ == ',') {
        ++p_;
        continue;
      }
      if (p_ != end_ && *p_ == ']') {
        ++p_;
        return Value(std::move(items));
      }
      fail(describeHere() + ", expected ',' or ']'");
    }
  }

  // Duplicate keys are refused: the tagged JSON gives every key one meaning, and a second
  // "id" or "v" would silently lose to the first. Small objects are checked by scanning; large
  // ones (a fixture's dictionary) through a set of member indices, which stays valid while the
  // member vector grows.
  struct KeyHash {
    const Object* members;
    std::size_t operator()(std::size_t i) const {
      return std::hash<std::string_view>()((*members)[i].first);
    }
  };
  struct KeyEqual {
    const Object* members;
    bool operator()(std::size_t a, std::size_t b) const {
      return (*members)[a].first == (*members)[b].first;
    }
  };

  Value parseObject() {
    DepthGuard guard(*this);
    ++p_;  // '{'
    Value result{Object{}};
    Object& members = result.asObject();
    constexpr std::size_t kScanLimit = 16;
    std::unordered_set<std::size_t, KeyHash, KeyEqual> index(0, KeyHash{&members},
                                                             KeyEqual{&members});
    skipSpace();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return result;
    }
    for (;;) {
      skipSpace();
      if (p_ == end_ || *p_ != '"') fail(describeHere() + ", expected a string key");
      std::size_t keyAt = offset();
      members.emplace_back(parseString(), Value());
      std::size_t added = members.size() - 1;
      bool duplicate = false;
      if (added < kScanLimit) {
        for (std::size_t i = 0; i < added && !duplicate; ++i)
          duplicate = members[i].first == members[added].first;
      } else {
        if (index.empty())
          for (std::size_t i = 0; i < added; ++i) index.insert(i);
        duplicate = !index.insert(added).second;
      }
      if (duplicate) failAt("duplicate key \"" + members[added].first + "\"", keyAt);
      skipSpace();
      if (p_ == end_ || *p_ != ':') fail(describeHere() + ", expected ':'");
      ++p_;
      skipSpace();
      members[added].second = parseValue();
      skipSpace();
      if (p_ != end_ && *p_ == ',') {
        ++p_;
        continue;
      }
      if (p_ != end_ && *p_ == '}') {
        ++p_;
        return result;
      }
      fail(describeHere() + ", expected ',' or '}'");
    }
  }

  unsigned readHex4() {
    if (end_ - p_ < 4) fail("unexpected end of input in a \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = p_[i];
      unsigned d;
      if (c >= '0' && c <= '9')
        d = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        d = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        d = static_cast<unsigned>(c - 'A' + 10);
      else
        failAt("invalid hex digit in a \\u escape", offset() + static_cast<std::size_t>(i));
      v = v << 4 | d;
    }
    p_ += 4;
    return v;
  }

  std::string parseString() {
    ++p_;  // opening quote
    std::string out;
    for (;;) {
      // Copy the plain run in one go: most strings have no escapes.
      const char* run = p_;
      while (p_ != end_) {
        auto c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++p_;
      }
      out.append(run, static_cast<std::size_t>(p_ - run));
      if (p_ == end_) fail("unexpected end of input in a string");
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return out;
      }
      if (c < 0x20) fail("unescaped control character in a string");
      if (c >= 0x80) {
        std::size_t len = utf8SequenceLength(reinterpret_cast<const unsigned char*>(p_),
                                             static_cast<std::size_t>(end_ - p_));
        if (len == 0) fail("ill-formed UTF-8 in a string");
        out.append(p_, len);
        p_ += len;
        continue;
      }
      // A backslash.
      std::size_t escapeAt = offset();
      ++p_;
      if (p_ == end_) fail("unexpected end of input in a string");
      char e = *p_++;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          std::uint32_t cp = readHex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) failAt("lone low surrogate escape", escapeAt);
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
              failAt("high surrogate escape without a low surrogate", escapeAt);
            p_ += 2;
            std::uint32_t low = readHex4();
            if (low < 0xDC00 || low > 0xDFFF)
              failAt("high surrogate escape without a low surrogate", escapeAt);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          appendUtf8(cp, out);
          break;
        }
        default:
          failAt("invalid escape in a string", escapeAt);
      }
    }
  }

  Value parseNumber() {
    const char* start = p_;
    if (*p_ == '-') ++p_;
    if (p_ == end_ || !isDigit(*p_)) fail("a digit must follow '-'");
    if (*p_ == '0') {
      ++p_;
      if (p_ != end_ && isDigit(*p_)) fail("a number may not have leading zeros");
    } else {
      while (p_ != end_ && isDigit(*p_)) ++p_;
    }
    bool integral = true;
    if (p_ != end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ == end_ || !isDigit(*p_)) fail("a digit must follow '.'");
      while (p_ != end_ && isDigit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !isDigit(*p_)) fail("a digit must follow the exponent");
      while (p_ != end_ && isDigit(*p_)) ++p_;
    }
    if (integral) {
      std::int64_t i = 0;
      auto [ptr, ec] = std::from_chars(start, p_, i);
      if (ec == std::errc() && ptr == p_) return Value(i);
    }
    double d = 0;
    auto [ptr, ec] = std::from_chars(start, p_, d);
    if (ec != std::errc() || ptr != p_)
      failAt("number out of a double's range", static_cast<std::size_t>(start - begin_));
    return Value(d);
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  const ParseOptions& options_;
  std::size_t depth_ = 0;
};

}  // namespace

Value parse(std::string_view text, const ParseOptions& options) {
  Parser parser(text, options);
  parser.skipSpace();
  Value v = parser.parseValue();
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail(parser.describeHere() + " after the value");
  return v;
}

std::vector<Value> parseSequence(std::string_view text, const ParseOptions& options) {
  Parser parser(text, options);
  std::vector<Value> values;
  parser.skipSpace();
  while (!parser.atEnd()) {
    values.push_back(parser.parseValue());
    // Without a separator "truefalse" or "1[2]" would be accepted as two values.
    if (!parser.atEnd() && !parser.atSpace())
      parser.fail(parser.describeHere() + ", expected whitespace between values");
    parser.skipSpace();
  }
  return values;
}

// --- printer -----------------------------------------------------------------------------------

namespace {

void printString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size(), i = 0;
  while (i < n) {
    std::size_t run = i;
    while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\') ++i;
    out.append(s.data() + run, i - run);
    if (i == n) break;
    unsigned char c = p[i];
    if (c >= 0x80) {
      std::size_t len = utf8SequenceLength(p + i, n - i);
      if (len == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD: the printer never emits ill-formed UTF-8
        ++i;
      } else {
        out.append(s.data() + i, len);
        i += len;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out += '"';
}

void printDouble(double d, std::string& out) {
  if (!std::isfinite(d)) throw std::domain_error("JSON cannot hold NaN or an infinity");
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  (void)ec;  // 32 bytes always hold the shortest form of a double
  std::string_view text(buf, static_cast<std::size_t>(end - buf));
  out += text;
  // "3" would read back as an integer: keep the token a double's.
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

}  // namespace

void print(const Value& value, std::string& out) {
  switch (value.type()) {
    case Type::kNull:
      out += "null";
      return;
    case Type::kBool:
      out += value.asBool() ? "true" : "false";
      return;
    case Type::kInt: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value.asInt());
      (void)ec;
      out.append(buf, static_cast<std::size_t>(end - buf));
      return;
    }
    case Type::kDouble:
      printDouble(value.asDouble(), out);
      return;
    case Type::kString:
      printString(value.asString(), out);
      return;
    case Type::kArray: {
      out += '[';
      bool first = true;
      for (const Value& item : value.asArray()) {
        if (!first) out += ',';
        first = false;
        print(item, out);
      }
      out += ']';
      return;
    }
    case Type::kObject: {
      out += '{';
      bool first = true;
      for (const Member& m : value.asObject()) {
        if (!first) out += ',';
        first = false;
        printString(m.first, out);
        out += ':';
        print(m.second, out);
      }
      out += '}';
      return;
    }
  }
}

std::string print(const Value& value) {
  std::string out;
  print(value, out);
  return out;
}

}  // namespace as3net_tool::json
