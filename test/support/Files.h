// Small file helpers the tests share.
#ifndef AS3NET_TEST_SUPPORT_FILES_H_
#define AS3NET_TEST_SUPPORT_FILES_H_

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "Json.h"  // the as3net tool's JSON reader

namespace test {

/// readFile is the whole file at `path`, "" when it cannot be read.
inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// jsonStrings is the member `key` of `object` when it is an array of strings, else empty.
inline std::vector<std::string> jsonStrings(const as3net_tool::json::Value& object,
                                            std::string_view key) {
  std::vector<std::string> out;
  if (const auto* member = object.find(key); member && member->isArray())
    for (const auto& item : member->asArray())
      if (item.isString()) out.push_back(item.asString());
  return out;
}

}  // namespace test

#endif  // AS3NET_TEST_SUPPORT_FILES_H_
