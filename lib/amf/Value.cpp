// Value and the handles over AMF's reference types, with AS3's rules for members, indices and
// equality.
#include "as3/amf/Value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "amf/detail/Codec.h"
#include "amf/detail/Hash.h"
#include "amf/detail/Nodes.h"
#include "amf/detail/Region.h"
#include "as3/amf/Array.h"
#include "as3/amf/ClassAlias.h"
#include "as3/amf/Dictionary.h"
#include "as3/amf/Object.h"
#include "as3/amf/Vector.h"
#include "errors/detail/Throw.h"

namespace as3::amf {

using errors::detail::throwError;

namespace detail {

std::string numberToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  // ECMAScript's Number::toString: the shortest digits that round-trip, placed by exponent.
  char digits[32];
  auto r =
      std::to_chars(digits, digits + sizeof digits, std::fabs(d), std::chars_format::scientific);
  std::string_view sci(digits, static_cast<std::size_t>(r.ptr - digits));
  std::size_t e = sci.find('e');
  std::string mantissa;
  for (char c : sci.substr(0, e))
    if (c != '.') mantissa += c;
  int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
  int k = static_cast<int>(mantissa.size());
  int n = exponent + 1;
  std::string out = d < 0 ? "-" : "";
  if (k <= n && n <= 21) {
    out += mantissa + std::string(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += mantissa.substr(0, static_cast<std::size_t>(n)) + "." +
           mantissa.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0." + std::string(static_cast<std::size_t>(-n), '0') + mantissa;
  } else {
    out += mantissa.substr(0, 1);
    if (k > 1) out += "." + mantissa.substr(1);
    out += (n - 1 >= 0 ? "e+" : "e-") + std::to_string(std::abs(n - 1));
  }
  return out;
}

// A canonical array index: "0", or digits without a leading zero, below 2^32 - 1.
bool parseIndex(std::string_view key, std::uint32_t* index) {
  if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) return false;
  std::uint64_t v = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v >= 0xFFFFFFFFull) return false;
  *index = static_cast<std::uint32_t>(v);
  return true;
}

Value* ObjectNode::findSealed(std::string_view name) noexcept {
  // Traits from the wire may name a member twice; Flash assigns both in order, so the last one
  // is the value the object ends up with.
  const std::vector<String>& names = traits->sealed;
  for (std::size_t i = std::min(names.size(), sealed.size()); i-- > 0;)
    if (names[i].view() == name) return &sealed[i];
  return nullptr;
}

Member* ObjectNode::findDynamic(std::string_view name) noexcept {
  for (Member& m : dynamic)
    if (m.key.view() == name) return &m;
  return nullptr;
}

void ArrayNode::absorbAssociative() {
  while (!assoc.empty()) {
    std::string wanted = std::to_string(dense.size());
    bool moved = false;
    for (auto it = assoc.begin(); it != assoc.end(); ++it) {
      if (it->key.view() == wanted) {
        dense.push_back(std::move(it->value));
        assoc.erase(it);
        moved = true;
        break;
      }
    }
    if (!moved || dense.size() == 0xFFFFFFFEu) return;
  }
}

// Objects of one class made from C++ share one Traits, as decoded ones do, so the writer finds
// their traits entry by address. The table lives as long as the thread.
Traits* internTraits(std::string_view alias, const std::vector<std::string_view>& sealed,
                     bool dynamic) {
  struct Table {
    std::unordered_map<std::string, std::vector<Traits*>> byAlias;
    ~Table() {
      for (auto& entry : byAlias)
        for (Traits* t : entry.second) release(t);
    }
  };
  thread_local Table table;
  std::vector<Traits*>& candidates = table.byAlias[std::string(alias)];
  for (Traits* t : candidates) {
    if (t->dynamic != dynamic || t->sealed.size() != sealed.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < sealed.size() && same; ++i) same = t->sealed[i].view() == sealed[i];
    if (same) {
      retain(t);
      return t;
    }
  }
  auto* traits = new Traits(String(alias));
  traits->dynamic = dynamic;
  for (std::string_view name : sealed) traits->sealed.emplace_back(name);
  candidates.push_back(traits);
  retain(traits);
  return traits;
}

namespace {
constexpr std::size_t kInternSlots = 512;
// The slots are reached through a plain pointer (initial-exec: no call per access, unlike a
// thread_local with a destructor); the owner frees them when the thread ends.
thread_local StringRep** tInternSlots __attribute__((tls_model("initial-exec"))) = nullptr;
thread_local bool tInternGone __attribute__((tls_model("initial-exec"))) = false;

// Null once the thread's other thread-local destructors have begun to run past the owner's.
__attribute__((noinline)) StringRep** makeInternSlots() {
  struct Owner {
    StringRep* slots[kInternSlots] = {};
    Owner() { tInternSlots = slots; }
    ~Owner() {
      tInternSlots = nullptr;
      tInternGone = true;
      for (StringRep*& s : slots)
        if (s) release(std::exchange(s, nullptr));
    }
  };
  if (tInternGone) return nullptr;
  thread_local Owner owner;
  return owner.slots;
}
}  // namespace

// Member names repeat across objects ("x", "y", "id"): a small cache gives them one shared
// string, which also lets the writer recognise them by address.
StringRep* internedString(std::string_view key) {
  if (key.size() > 32) return makeString(key);
  StringRep** slots = tInternSlots ? tInternSlots : makeInternSlots();
  if (!slots) return makeString(key);
  std::uint32_t hash = textHash(key.data(), key.size());
  StringRep*& slot = slots[(hash >> 7) % kInternSlots];
  if (!slot || slot->hash != hash || slot->size != key.size() ||
      !equalBytes(slot->data(), key.data(), key.size())) {
    if (slot) release(slot);
    slot = makeString(key);
    slot->hash = hash;
  }
  retain(slot);
  return slot;
}

String internKey(std::string_view key) {
  return String(internedString(key), /*adopt=*/true);
}

std::pair<Value, Value>* DictionaryNode::find(const Value& key) noexcept {
  for (auto& e : entries)
    if (e.first.strictEquals(key)) return &e;
  return nullptr;
}

}  // namespace detail

namespace {

[[noreturn]] void throwCoercion(Type from, std::string_view to) {
  throwError(errors::detail::kTypeCoercion, {typeName(from), to});
}

template <class N>
N* expect(const Value& v, Type t) {
  if (v.type() != t) throwCoercion(v.type(), typeName(t));
  return static_cast<N*>(v.node());
}

template <class Handle, class N>
Handle borrow(N* node) {
  detail::retain(node);
  return Handle(node);
}

}  // namespace

Value::Value(std::string_view text) : type_(Type::String), bits_(0) {
  // Short strings go through the same small cache as member names, so repeated texts share one
  // string and AMF's string table recognises them by address.
  detail::String shared = text.size() <= 32 ? detail::internKey(text) : detail::String(text);
  s_ = shared.rep();
  detail::retain(s_);
}

void Value::releaseBits(Type type, std::uint64_t bits) noexcept {
  Value old;
  old.type_ = type;
  old.bits_ = bits;
}

Value::Value(const utils::ByteArray& bytes) : Value(utils::ByteArray(bytes)) {}

Value::Value(utils::ByteArray&& bytes) : type_(Type::ByteArray), bits_(0) {
  auto* node = detail::adopt<detail::ByteArrayNode>();
  node->bytes = std::move(bytes);
  n_ = node;
}

Value Value::date(double time) {
  return Value(detail::adopt<detail::DateNode>(time), Adopt{});
}

Value Value::xml(std::string_view text) {
  return Value(detail::adopt<detail::XmlNode>(Type::XML, text), Adopt{});
}

Value Value::xmlDocument(std::string_view text) {
  return Value(detail::adopt<detail::XmlNode>(Type::XMLDocument, text), Adopt{});
}

bool Value::slowBoolean() const {
  throwCoercion(type_, "Boolean");
}

std::int32_t Value::slowInt() const {
  if (type_ == Type::Uint && u_ <= 0x7FFFFFFFu) return static_cast<std::int32_t>(u_);
  if (type_ == Type::Number && d_ >= INT32_MIN && d_ <= INT32_MAX && d_ == std::trunc(d_))
    return static_cast<std::int32_t>(d_);
  throwCoercion(type_, "int");
}

std::uint32_t Value::slowUint() const {
  if (type_ == Type::Int && i_ >= 0) return static_cast<std::uint32_t>(i_);
  if (type_ == Type::Number && d_ >= 0 && d_ <= UINT32_MAX && d_ == std::trunc(d_))
    return static_cast<std::uint32_t>(d_);
  throwCoercion(type_, "uint");
}

double Value::slowNumber() const {
  if (type_ == Type::Int) return i_;
  if (type_ == Type::Uint) return u_;
  throwCoercion(type_, "Number");
}

std::string_view Value::slowString() const {
  throwCoercion(type_, "String");
}

double Value::asDate() const {
  return expect<detail::DateNode>(*this, Type::Date)->time;
}

std::string_view Value::asXML() const {
  if (type_ != Type::XML && type_ != Type::XMLDocument) throwCoercion(type_, "XML");
  return static_cast<detail::XmlNode*>(n_)->text;
}

Object Value::asObject() const {
  return borrow<Object>(expect<detail::ObjectNode>(*this, Type::Object));
}
Array Value::asArray() const {
  return borrow<Array>(expect<detail::ArrayNode>(*this, Type::Array));
}
Dictionary Value::asDictionary() const {
  return borrow<Dictionary>(expect<detail::DictionaryNode>(*this, Type::Dictionary));
}
Vector<std::int32_t> Value::asVectorInt() const {
  return borrow<Vector<std::int32_t>>(
      expect<detail::VectorNode<std::int32_t>>(*this, Type::VectorInt));
}
Vector<std::uint32_t> Value::asVectorUint() const {
  return borrow<Vector<std::uint32_t>>(
      expect<detail::VectorNode<std::uint32_t>>(*this, Type::VectorUint));
}
Vector<double> Value::asVectorNumber() const {
  return borrow<Vector<double>>(expect<detail::VectorNode<double>>(*this, Type::VectorNumber));
}
Vector<Value> Value::asVectorObject() const {
  return borrow<Vector<Value>>(expect<detail::VectorNode<Value>>(*this, Type::VectorObject));
}
utils::ByteArray& Value::asByteArray() const {
  return expect<detail::ByteArrayNode>(*this, Type::ByteArray)->bytes;
}

Value Value::operator[](std::string_view name) const {
  switch (type_) {
    case Type::Undefined:
    case Type::Null:
      throwError(errors::detail::kNullObject);
    case Type::Object:
      return asObject().get(name);
    case Type::Array:
      return asArray().get(name);
    case Type::Dictionary:
      return asDictionary().get(Value(name));
    default:
      return Value();
  }
}

Value Value::operator[](std::size_t index) const {
  switch (type_) {
    case Type::Undefined:
    case Type::Null:
      throwError(errors::detail::kNullObject);
    case Type::Array:
      return index < 0xFFFFFFFFu ? asArray().get(static_cast<std::uint32_t>(index)) : Value();
    case Type::VectorInt:
    case Type::VectorUint:
    case Type::VectorNumber:
    case Type::VectorObject: {
      std::size_t size = 0;
      Value item;
      if (type_ == Type::VectorInt) {
        auto& v = static_cast<detail::VectorNode<std::int32_t>*>(n_)->items;
        size = v.size();
        if (index < size) item = v[index];
      } else if (type_ == Type::VectorUint) {
        auto& v = static_cast<detail::VectorNode<std::uint32_t>*>(n_)->items;
        size = v.size();
        if (index < size) item = v[index];
      } else if (type_ == Type::VectorNumber) {
        auto& v = static_cast<detail::VectorNode<double>*>(n_)->items;
        size = v.size();
        if (index < size) item = v[index];
      } else {
        auto& v = static_cast<detail::VectorNode<Value>*>(n_)->items;
        size = v.size();
        if (index < size) item = v[index];
      }
      if (index >= size)
        throwError(errors::detail::kVectorIndexOutOfRange,
                   {std::to_string(index), std::to_string(size)});
      return item;
    }
    case Type::Dictionary:
      return asDictionary().get(Value(index));
    default:
      return (*this)[std::string_view(std::to_string(index))];
  }
}

bool Value::strictEquals(const Value& other) const noexcept {
  if (isNumeric() && other.isNumeric()) {
    if (type_ == other.type_ && type_ != Type::Number) return bits_ == other.bits_;
    return asNumber() == other.asNumber();
  }
  if (type_ != other.type_) return false;
  switch (type_) {
    case Type::Undefined:
    case Type::Null:
      return true;
    case Type::Boolean:
      return b_ == other.b_;
    case Type::String:
      return s_ == other.s_ || s_->view() == other.s_->view();
    default: {
      // Two Values made from one C++ object are the same AS3 object.
      auto* a = static_cast<detail::ObjectNode*>(n_);
      auto* b = static_cast<detail::ObjectNode*>(other.n_);
      if (n_ == other.n_) return true;
      return type_ == Type::Object && a->native && a->native == b->native;
    }
  }
}

std::string Value::toString() const {
  switch (type_) {
    case Type::Undefined:
      return "undefined";
    case Type::Null:
      return "null";
    case Type::Boolean:
      return b_ ? "true" : "false";
    case Type::Int:
      return std::to_string(i_);
    case Type::Uint:
      return std::to_string(u_);
    case Type::Number:
      return detail::numberToString(d_);
    case Type::String:
      return std::string(s_->view());
    case Type::XML:
    case Type::XMLDocument:
      return static_cast<detail::XmlNode*>(n_)->text;
    case Type::Array: {
      // AS3 joins the elements, with holes, undefined and null as empty text.
      Array a = asArray();
      std::string out;
      std::uint32_t n = a.length();
      for (std::uint32_t i = 0; i < n; ++i) {
        if (i) out += ',';
        Value v = a.get(i);
        if (!v.isUndefined() && !v.isNull()) out += v.toString();
      }
      return out;
    }
    case Type::VectorInt:
    case Type::VectorUint:
    case Type::VectorNumber:
    case Type::VectorObject: {
      std::string out;
      for (std::size_t i = 0;; ++i) {
        std::size_t size = type_ == Type::VectorInt      ? asVectorInt().size()
                           : type_ == Type::VectorUint   ? asVectorUint().size()
                           : type_ == Type::VectorNumber ? asVectorNumber().size()
                                                         : asVectorObject().size();
        if (i >= size) break;
        if (i) out += ',';
        out += (*this)[i].toString();
      }
      return out;
    }
    case Type::Date:
      return "[object Date]";
    case Type::Object:
      return "[object Object]";
    case Type::ByteArray: {
      const utils::ByteArray& b = asByteArray();
      return std::string(reinterpret_cast<const char*>(b.data()), b.length());
    }
    case Type::Dictionary:
      return "[object Dictionary]";
  }
  return "";
}

// Object ---------------------------------------------------------------------------------------

Object::Object() : node_(detail::adopt<detail::ObjectNode>(detail::anonymousTraits())) {}

Object Object::typed(std::string_view alias, std::initializer_list<std::string_view> sealed,
                     bool dynamic) {
  detail::Traits* traits =
      detail::internTraits(alias, std::vector<std::string_view>(sealed), dynamic);
  auto* node = detail::adopt<detail::ObjectNode>(traits);
  node->sealed.resize(traits->sealed.size());
  return Object(node);
}

Object Object::typed(std::string_view alias, const std::vector<std::string>& sealed, bool dynamic) {
  detail::Traits* traits = detail::internTraits(
      alias, std::vector<std::string_view>(sealed.begin(), sealed.end()), dynamic);
  auto* node = detail::adopt<detail::ObjectNode>(traits);
  node->sealed.resize(traits->sealed.size());
  return Object(node);
}

Object::Object(const Object& other) noexcept : node_(other.node_) {
  if (node_) detail::retain(node_);
}
Object& Object::operator=(const Object& other) noexcept {
  Object copy(other);
  std::swap(node_, copy.node_);
  return *this;
}
Object& Object::operator=(Object&& other) noexcept {
  Object moved(std::move(other));
  std::swap(node_, moved.node_);
  return *this;
}
Object::~Object() {
  if (node_) detail::release(node_);
}
Object::operator Value() const noexcept {
  if (!node_) return Value(nullptr);
  detail::retain(node_);
  return Value(node_, Value::Adopt{});
}

namespace {

detail::ObjectNode* live(detail::ObjectNode* node) {
  if (!node) throwError(errors::detail::kNullObject);
  return node;
}

// changing is live() for a member that changes the object: a decoded graph kept in a region
// becomes ordinary counted nodes first (docs/design.md).
detail::ObjectNode* changing(detail::ObjectNode* node) {
  detail::thawIfFrozen(live(node));
  return node;
}

std::string classNameOf(const detail::ObjectNode* node) {
  if (node->cls) return std::string(node->cls->typeName());
  return node->traits->className.view().empty() ? "Object"
                                                : std::string(node->traits->className.view());
}

const ClassInfo::MemberAccess* nativeMember(const detail::ObjectNode* node, std::string_view name) {
  for (const auto& m : node->cls->members())
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace

Value Object::get(std::string_view name) const {
  detail::ObjectNode* node = live(node_);
  if (node->native) {
    if (const auto* m = nativeMember(node, name)) return m->get(node->native.get());
    throwError(errors::detail::kPropertyNotFound, {name, classNameOf(node)});
  }
  if (Value* v = node->findSealed(name)) return *v;
  if (detail::Member* m = node->findDynamic(name)) return m->value;
  if (!node->traits->dynamic)
    throwError(errors::detail::kPropertyNotFound, {name, classNameOf(node)});
  return Value();
}

void Object::set(std::string_view name, const Value& value) {
  detail::ObjectNode* node = changing(node_);
  if (node->native) {
    const auto* m = nativeMember(node, name);
    if (!m) throwError(errors::detail::kCannotCreateProperty, {name, classNameOf(node)});
    if (!m->set(node->native.get(), value)) throwCoercion(value.type(), "the member's type");
    return;
  }
  if (Value* v = node->findSealed(name)) {
    *v = value;
    return;
  }
  if (detail::Member* m = node->findDynamic(name)) {
    m->value = value;
    return;
  }
  if (!node->traits->dynamic)
    throwError(errors::detail::kCannotCreateProperty, {name, classNameOf(node)});
  node->dynamic.push_back(detail::Member{detail::internKey(name), value});
}

bool Object::hasOwnProperty(std::string_view name) const {
  detail::ObjectNode* node = live(node_);
  if (node->native) return nativeMember(node, name) != nullptr;
  return node->findSealed(name) || node->findDynamic(name);
}

bool Object::deleteProperty(std::string_view name) {
  detail::ObjectNode* node = changing(node_);
  for (auto it = node->dynamic.begin(); it != node->dynamic.end(); ++it) {
    if (it->key.view() == name) {
      node->dynamic.erase(it);
      return true;
    }
  }
  return false;
}

std::string Object::className() const {
  detail::ObjectNode* node = live(node_);
  if (node->native) return node->cls->alias();
  return std::string(node->traits->className.view());
}
bool Object::isDynamic() const {
  return !live(node_)->native && node_->traits->dynamic;
}
std::size_t Object::sealedCount() const {
  detail::ObjectNode* node = live(node_);
  return node->native ? node->cls->members().size() : node->sealed.size();
}
std::string_view Object::sealedName(std::size_t i) const {
  detail::ObjectNode* node = live(node_);
  return node->native ? std::string_view(node->cls->members().at(i).name)
                      : node->traits->sealed.at(i).view();
}
Value Object::sealedValue(std::size_t i) const {
  detail::ObjectNode* node = live(node_);
  return node->native ? node->cls->members().at(i).get(node->native.get()) : node->sealed.at(i);
}
std::size_t Object::dynamicCount() const {
  return live(node_)->dynamic.size();
}
std::string_view Object::dynamicName(std::size_t i) const {
  return live(node_)->dynamic.at(i).key.view();
}
Value Object::dynamicValue(std::size_t i) const {
  return live(node_)->dynamic.at(i).value;
}

Object::Member& Object::Member::operator=(const Value& value) {
  Object(borrow<Object>(live(node_))).set(name_, value);
  return *this;
}
Value Object::Member::get() const {
  return borrow<Object>(live(node_)).get(name_);
}

// Array ----------------------------------------------------------------------------------------

namespace {
detail::ArrayNode* live(detail::ArrayNode* node) {
  if (!node) throwError(errors::detail::kNullObject);
  return node;
}
detail::ArrayNode* changing(detail::ArrayNode* node) {
  detail::thawIfFrozen(live(node));
  return node;
}
}  // namespace

Array::Array() : node_(detail::adopt<detail::ArrayNode>()) {}
Array::Array(std::initializer_list<Value> elements) : Array() {
  node_->dense.assign(elements.begin(), elements.end());
}
Array::Array(const Array& other) noexcept : node_(other.node_) {
  if (node_) detail::retain(node_);
}
Array& Array::operator=(const Array& other) noexcept {
  Array copy(other);
  std::swap(node_, copy.node_);
  return *this;
}
Array& Array::operator=(Array&& other) noexcept {
  Array moved(std::move(other));
  std::swap(node_, moved.node_);
  return *this;
}
Array::~Array() {
  if (node_) detail::release(node_);
}
Array::operator Value() const noexcept {
  if (!node_) return Value(nullptr);
  detail::retain(node_);
  return Value(node_, Value::Adopt{});
}

std::uint32_t Array::checkIndex(std::size_t index) {
  if (index >= 0xFFFFFFFFu) throwError(errors::detail::kIndexOutOfBounds);
  return static_cast<std::uint32_t>(index);
}

std::uint32_t Array::length() const {
  detail::ArrayNode* node = live(node_);
  std::uint32_t length = std::max(static_cast<std::uint32_t>(node->dense.size()), node->minLength);
  for (const detail::Member& m : node->assoc) {
    std::uint32_t index;
    if (detail::parseIndex(m.key.view(), &index) && index + 1 > length) length = index + 1;
  }
  return length;
}

void Array::setLength(std::uint32_t length) {
  detail::ArrayNode* node = changing(node_);
  if (length < node->dense.size()) node->dense.resize(length);
  auto& assoc = node->assoc;
  for (auto it = assoc.begin(); it != assoc.end();) {
    std::uint32_t index;
    if (detail::parseIndex(it->key.view(), &index) && index >= length)
      it = assoc.erase(it);
    else
      ++it;
  }
  node->minLength = length;
}

std::uint32_t Array::push(const Value& value) {
  std::uint32_t at = length();
  set(at, value);
  return at + 1;
}

Value Array::get(std::uint32_t index) const {
  detail::ArrayNode* node = live(node_);
  if (index < node->dense.size()) return node->dense[index];
  std::string key = std::to_string(index);
  for (const detail::Member& m : node->assoc)
    if (m.key.view() == key) return m.value;
  return Value();
}

void Array::set(std::uint32_t index, const Value& value) {
  detail::ArrayNode* node = changing(node_);
  checkIndex(index);
  if (index < node->dense.size()) {
    node->dense[index] = value;
  } else if (index == node->dense.size()) {
    node->dense.push_back(value);
    node->absorbAssociative();
  } else {
    std::string key = std::to_string(index);
    for (detail::Member& m : node->assoc) {
      if (m.key.view() == key) {
        m.value = value;
        return;
      }
    }
    node->assoc.push_back(detail::Member{detail::internKey(key), value});
  }
}

Value Array::get(std::string_view key) const {
  std::uint32_t index;
  if (detail::parseIndex(key, &index)) return get(index);
  for (const detail::Member& m : live(node_)->assoc)
    if (m.key.view() == key) return m.value;
  return Value();
}

void Array::set(std::string_view key, const Value& value) {
  std::uint32_t index;
  if (detail::parseIndex(key, &index)) return set(index, value);
  detail::ArrayNode* node = changing(node_);
  for (detail::Member& m : node->assoc) {
    if (m.key.view() == key) {
      m.value = value;
      return;
    }
  }
  node->assoc.push_back(detail::Member{detail::internKey(key), value});
}

bool Array::deleteProperty(std::string_view key) {
  detail::ArrayNode* node = changing(node_);
  std::uint32_t index;
  if (detail::parseIndex(key, &index) && index < node->dense.size()) {
    // A hole ends the dense part: what followed it becomes keyed, and length stays.
    std::uint32_t oldLength = length();
    for (std::size_t i = index + 1; i < node->dense.size(); ++i)
      node->assoc.push_back(detail::Member{detail::String(std::to_string(i)), node->dense[i]});
    node->dense.resize(index);
    node->minLength = std::max(node->minLength, oldLength);
    return true;
  }
  for (auto it = node->assoc.begin(); it != node->assoc.end(); ++it) {
    if (it->key.view() == key) {
      node->assoc.erase(it);
      return true;
    }
  }
  return false;
}

std::uint32_t Array::denseLength() const {
  return static_cast<std::uint32_t>(live(node_)->dense.size());
}
std::size_t Array::associativeCount() const {
  return live(node_)->assoc.size();
}
std::string_view Array::associativeName(std::size_t i) const {
  return live(node_)->assoc.at(i).key.view();
}
Value Array::associativeValue(std::size_t i) const {
  return live(node_)->assoc.at(i).value;
}

Array::Element& Array::Element::operator=(const Value& value) {
  borrow<Array>(live(node_)).set(index_, value);
  return *this;
}
Value Array::Element::get() const {
  return borrow<Array>(live(node_)).get(index_);
}

// Vector ---------------------------------------------------------------------------------------

template <class T>
Vector<T>::Vector(bool fixed) : node_(detail::adopt<detail::VectorNode<T>>()) {
  node_->fixed = fixed;
}
template <class T>
Vector<T>::Vector(std::initializer_list<T> items, bool fixed) : Vector(fixed) {
  node_->items.assign(items.begin(), items.end());
}
template <class T>
Vector<T> Vector<T>::typed(std::string_view typeName, bool fixed) {
  Vector v(fixed);
  if constexpr (std::is_same_v<T, Value>)
    v.node_->typeName = detail::String(typeName);
  else if (!typeName.empty())
    throwError(errors::detail::kInvalidParameter);
  return v;
}
template <class T>
Vector<T>::Vector(const Vector& other) noexcept : node_(other.node_) {
  if (node_) detail::retain(node_);
}
template <class T>
Vector<T>& Vector<T>::operator=(const Vector& other) noexcept {
  Vector copy(other);
  std::swap(node_, copy.node_);
  return *this;
}
template <class T>
Vector<T>& Vector<T>::operator=(Vector&& other) noexcept {
  Vector moved(std::move(other));
  std::swap(node_, moved.node_);
  return *this;
}
template <class T>
Vector<T>::~Vector() {
  if (node_) detail::release(node_);
}
template <class T>
Vector<T>::operator Value() const noexcept {
  if (!node_) return Value(nullptr);
  detail::retain(node_);
  return Value(node_, Value::Adopt{});
}
template <class T>
std::vector<T>& Vector<T>::items() const {
  if (!node_) throwError(errors::detail::kNullObject);
  // The items can be assigned through the reference: Values in a frozen region must be counted
  // first. Numbers hold no references.
  if constexpr (std::is_same_v<T, Value>) detail::thawIfFrozen(node_);
  return node_->items;
}
template <class T>
std::size_t Vector<T>::size() const {
  if (!node_) throwError(errors::detail::kNullObject);
  return node_->items.size();
}
template <class T>
bool Vector<T>::fixed() const {
  if (!node_) throwError(errors::detail::kNullObject);
  return node_->fixed;
}
template <class T>
void Vector<T>::setFixed(bool fixed) {
  if (!node_) throwError(errors::detail::kNullObject);
  node_->fixed = fixed;
}
template <class T>
std::string_view Vector<T>::typeName() const {
  if (!node_) throwError(errors::detail::kNullObject);
  if constexpr (std::is_same_v<T, std::int32_t>)
    return "int";
  else if constexpr (std::is_same_v<T, std::uint32_t>)
    return "uint";
  else if constexpr (std::is_same_v<T, double>)
    return "Number";
  else
    return node_->typeName.view();
}

template class Vector<std::int32_t>;
template class Vector<std::uint32_t>;
template class Vector<double>;
template class Vector<Value>;

// Dictionary -----------------------------------------------------------------------------------

namespace {
detail::DictionaryNode* live(detail::DictionaryNode* node) {
  if (!node) throwError(errors::detail::kNullObject);
  return node;
}
}  // namespace

Dictionary::Dictionary(bool weakKeys) : node_(detail::adopt<detail::DictionaryNode>()) {
  node_->weakKeys = weakKeys;
}
Dictionary::Dictionary(const Dictionary& other) noexcept : node_(other.node_) {
  if (node_) detail::retain(node_);
}
Dictionary& Dictionary::operator=(const Dictionary& other) noexcept {
  Dictionary copy(other);
  std::swap(node_, copy.node_);
  return *this;
}
Dictionary& Dictionary::operator=(Dictionary&& other) noexcept {
  Dictionary moved(std::move(other));
  std::swap(node_, moved.node_);
  return *this;
}
Dictionary::~Dictionary() {
  if (node_) detail::release(node_);
}
Dictionary::operator Value() const noexcept {
  if (!node_) return Value(nullptr);
  detail::retain(node_);
  return Value(node_, Value::Adopt{});
}
Value Dictionary::get(const Value& key) const {
  auto* e = live(node_)->find(key);
  return e ? e->second : Value();
}
void Dictionary::set(const Value& key, const Value& value) {
  detail::DictionaryNode* node = live(node_);
  if (auto* e = node->find(key))
    e->second = value;
  else
    node->entries.emplace_back(key, value);
}
bool Dictionary::has(const Value& key) const {
  return live(node_)->find(key) != nullptr;
}
bool Dictionary::deleteProperty(const Value& key) {
  detail::DictionaryNode* node = live(node_);
  for (auto it = node->entries.begin(); it != node->entries.end(); ++it) {
    if (it->first.strictEquals(key)) {
      node->entries.erase(it);
      return true;
    }
  }
  return false;
}
std::size_t Dictionary::size() const {
  return live(node_)->entries.size();
}
const Value& Dictionary::keyAt(std::size_t i) const {
  return live(node_)->entries.at(i).first;
}
const Value& Dictionary::valueAt(std::size_t i) const {
  return live(node_)->entries.at(i).second;
}
bool Dictionary::weakKeys() const {
  return live(node_)->weakKeys;
}

}  // namespace as3::amf
