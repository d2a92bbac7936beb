// The class-alias registry (flash.net.registerClassAlias) and the one ClassInfo per C++ type.
#include "as3/amf/ClassAlias.h"

#include <cxxabi.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <typeindex>
#include <unordered_map>

#include "amf/detail/Codec.h"
#include "as3/utils/IExternalizable.h"
#include "errors/detail/Throw.h"

namespace as3::utils {
IExternalizable::~IExternalizable() = default;
}  // namespace as3::utils

namespace as3::amf {
namespace {

struct Registry {
  std::mutex mutex;
  // Bumped by every registration, so readers may keep what they looked up while it stands.
  std::atomic<std::uint64_t> generation{0};
  std::unordered_map<std::type_index, std::unique_ptr<ClassInfo>> classes;
  std::map<std::string, const ClassInfo*, std::less<>> byAlias;
  std::unordered_map<const ClassInfo*, std::string> aliasOf;
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: values may be encoded during exit
  return *r;
}

std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status),
                                             std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(name);
}

void checkAlias(std::string_view alias) {
  if (alias.empty()) errors::detail::throwError(errors::detail::kEmptyString, {"aliasName"});
}

}  // namespace

ClassInfo::ClassInfo(const std::type_info& type, std::function<std::shared_ptr<void>()> create,
                     utils::IExternalizable* (*asExternalizable)(void*))
    : type_(&type),
      typeName_(demangle(type.name())),
      create_(std::move(create)),
      externalizable_(asExternalizable) {}

void ClassInfo::addMember(MemberAccess member) {
  for (MemberAccess& m : members_) {
    if (m.name == member.name) {
      m = std::move(member);
      return;
    }
  }
  members_.push_back(std::move(member));
}

std::string ClassInfo::alias() const {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.aliasOf.find(this);
  return it == r.aliasOf.end() ? std::string() : it->second;
}

namespace detail {

ClassInfo& classInfoSlot(const std::type_info& type, std::function<std::shared_ptr<void>()> create,
                         utils::IExternalizable* (*externalizable)(void*)) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::unique_ptr<ClassInfo>& slot = r.classes[std::type_index(type)];
  if (!slot) slot = std::make_unique<ClassInfo>(type, std::move(create), externalizable);
  return *slot;
}

}  // namespace detail

void registerClassAlias(std::string_view alias, const ClassInfo& cls) {
  checkAlias(alias);
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.byAlias.find(alias);
  if (it != r.byAlias.end()) {
    // The class that had this alias keeps it only if it was registered under it last.
    auto old = r.aliasOf.find(it->second);
    if (old != r.aliasOf.end() && old->second == alias && it->second != &cls) r.aliasOf.erase(old);
    it->second = &cls;
  } else {
    r.byAlias.emplace(std::string(alias), &cls);
  }
  r.aliasOf[&cls] = std::string(alias);
  r.generation.fetch_add(1, std::memory_order_release);
}

const ClassInfo* findClassByAlias(std::string_view alias) noexcept {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.byAlias.find(alias);
  return it == r.byAlias.end() ? nullptr : it->second;
}

namespace detail {
std::uint64_t classAliasGeneration() noexcept {
  return registry().generation.load(std::memory_order_acquire);
}
}  // namespace detail

const ClassInfo& getClassByAlias(std::string_view alias) {
  checkAlias(alias);
  if (const ClassInfo* cls = findClassByAlias(alias)) return *cls;
  errors::detail::throwError(errors::detail::kClassNotFound, {alias});
}

}  // namespace as3::amf
