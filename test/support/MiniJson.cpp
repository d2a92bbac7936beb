#include "support/MiniJson.h"

#include <cstdint>
#include <cstdlib>
#include <stdexcept>

namespace test::json {

namespace {
[[noreturn]] void typeError(const char* wanted) {
  throw std::runtime_error(std::string("JSON value is not ") + wanted);
}
}  // namespace

bool Value::asBool() const {
  if (type_ != Type::kBool) typeError("a boolean");
  return bool_;
}
double Value::asNumber() const {
  if (type_ != Type::kNumber) typeError("a number");
  return number_;
}
const std::string& Value::asString() const {
  if (type_ != Type::kString) typeError("a string");
  return string_;
}
const std::vector<Value>& Value::asArray() const {
  if (type_ != Type::kArray) typeError("an array");
  return array_;
}
const std::map<std::string, Value, std::less<>>& Value::asObject() const {
  if (type_ != Type::kObject) typeError("an object");
  return object_;
}

const Value* Value::get(std::string_view key) const noexcept {
  if (type_ != Type::kObject) return nullptr;
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &it->second;
}

std::string Value::string(std::string_view key) const {
  const Value* v = get(key);
  return v && v->isString() ? v->string_ : std::string();
}

std::vector<std::string> Value::strings(std::string_view key) const {
  std::vector<std::string> out;
  const Value* v = get(key);
  if (!v || !v->isArray()) return out;
  for (const Value& item : v->array_)
    if (item.isString()) out.push_back(item.string_);
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Value document() {
    Value v = value(0);
    skipSpace();
    if (pos_ != text_.size()) fail("trailing text");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 256;

  [[noreturn]] void fail(const char* what) const {
    throw std::runtime_error("JSON: " + std::string(what) + " at offset " + std::to_string(pos_));
  }
  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  bool consume(char c) {
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!consume(c)) fail(("expected '" + std::string(1, c) + "'").c_str());
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Value value(int depth) {
    if (depth > kMaxDepth) fail("nesting too deep");
    skipSpace();
    if (pos_ >= text_.size()) fail("unexpected end");
    Value v;
    char c = text_[pos_];
    if (c == '{') {
      ++pos_;
      v.type_ = Value::Type::kObject;
      if (consume('}')) return v;
      do {
        skipSpace();
        if (pos_ >= text_.size() || text_[pos_] != '"') fail("expected a member name");
        std::string key = string();
        expect(':');
        v.object_[std::move(key)] = value(depth + 1);
      } while (consume(','));
      expect('}');
    } else if (c == '[') {
      ++pos_;
      v.type_ = Value::Type::kArray;
      if (consume(']')) return v;
      do {
        v.array_.push_back(value(depth + 1));
      } while (consume(','));
      expect(']');
    } else if (c == '"') {
      v.type_ = Value::Type::kString;
      v.string_ = string();
    } else if (literal("true")) {
      v.type_ = Value::Type::kBool;
      v.bool_ = true;
    } else if (literal("false")) {
      v.type_ = Value::Type::kBool;
    } else if (literal("null")) {
      v.type_ = Value::Type::kNull;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.type_ = Value::Type::kNumber;
      v.number_ = number();
    } else {
      fail("unexpected character");
    }
    return v;
  }

  double number() {
    std::size_t start = pos_;
    auto digits = [&] {
      std::size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      if (pos_ == from) fail("expected a digit");
    };
    if (text_[pos_] == '-') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '0') {
      ++pos_;
    } else {
      digits();
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      digits();
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      digits();
    }
    return std::strtod(std::string(text_.substr(start, pos_ - start)).c_str(), nullptr);
  }

  unsigned hex4() {
    if (text_.size() - pos_ < 4) fail("short \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        fail("bad \\u escape");
      }
    }
    return v;
  }

  static void appendUtf8(std::string& out, std::uint32_t cp) {
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

  std::string string() {
    ++pos_;  // the opening quote
    std::string out;
    for (;;) {
      if (pos_ >= text_.size()) fail("unterminated string");
      char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) fail("unterminated escape");
      switch (text_[pos_++]) {
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
          std::uint32_t cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00) {
            if (!literal("\\u")) fail("lone high surrogate");
            std::uint32_t low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            fail("lone low surrogate");
          }
          appendUtf8(out, cp);
          break;
        }
        default:
          fail("unknown escape");
      }
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

Value parse(std::string_view text) {
  return Parser(text).document();
}

}  // namespace test::json
