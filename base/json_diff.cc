#include "base/json_diff.h"

#include <set>
#include <string>
#include <string_view>

namespace assent {
namespace {

namespace json = boost::json;

// One reference token of a JSON Pointer: '~' and '/' escaped (RFC 6901 section 3).
std::string Token(std::string_view text) {
  std::string token;
  for (char c : text) {
    if (c == '~') {
      token += "~0";
    } else if (c == '/') {
      token += "~1";
    } else {
      token += c;
    }
  }
  return token;
}

// The id of each element when every element is an object with a distinct string "id".
bool KeyedById(const json::array& array, std::vector<std::string_view>* ids) {
  std::set<std::string_view> seen;
  for (const json::value& element : array) {
    const json::value* id = element.is_object() ? element.as_object().if_contains("id") : nullptr;
    if (id == nullptr || !id->is_string() || !seen.insert(id->as_string()).second) return false;
    ids->push_back(id->as_string());
  }
  return true;
}

const json::value* FindById(const json::array& array, std::string_view id) {
  for (const json::value& element : array) {
    if (element.as_object().at("id").as_string() == id) return &element;
  }
  return nullptr;
}

class Differ {
 public:
  json::array Take() { return std::move(changes_); }

  void Compare(const std::string& path, const json::value& before, const json::value& after) {
    if (before == after) return;
    if (before.is_object() && after.is_object()) {
      return CompareObjects(path, before.as_object(), after.as_object());
    }
    if (before.is_array() && after.is_array()) {
      return CompareArrays(path, before.as_array(), after.as_array());
    }
    changes_.push_back(json::object{{"path", path}, {"op", "changed"}, {"before", before},
                                    {"after", after}});
  }

 private:
  void Added(const std::string& path, const json::value& after) {
    changes_.push_back(json::object{{"path", path}, {"op", "added"}, {"after", after}});
  }
  void Removed(const std::string& path, const json::value& before) {
    changes_.push_back(json::object{{"path", path}, {"op", "removed"}, {"before", before}});
  }

  void CompareObjects(const std::string& path, const json::object& before,
                      const json::object& after) {
    for (const auto& member : before) {
      std::string at = path + "/" + Token(member.key());
      if (const json::value* now = after.if_contains(member.key())) {
        Compare(at, member.value(), *now);
      } else {
        Removed(at, member.value());
      }
    }
    for (const auto& member : after) {
      if (!before.contains(member.key())) Added(path + "/" + Token(member.key()), member.value());
    }
  }

  void CompareArrays(const std::string& path, const json::array& before,
                     const json::array& after) {
    std::vector<std::string_view> before_ids, after_ids;
    if (KeyedById(before, &before_ids) && KeyedById(after, &after_ids)) {
      for (size_t i = 0; i < before.size(); ++i) {
        std::string at = path + "/" + Token(before_ids[i]);
        if (const json::value* now = FindById(after, before_ids[i])) {
          Compare(at, before[i], *now);
        } else {
          Removed(at, before[i]);
        }
      }
      for (size_t i = 0; i < after.size(); ++i) {
        if (FindById(before, after_ids[i]) == nullptr) {
          Added(path + "/" + Token(after_ids[i]), after[i]);
        }
      }
      return;
    }
    size_t common = std::min(before.size(), after.size());
    for (size_t i = 0; i < common; ++i) Compare(path + "/" + std::to_string(i), before[i], after[i]);
    for (size_t i = common; i < before.size(); ++i) Removed(path + "/" + std::to_string(i), before[i]);
    for (size_t i = common; i < after.size(); ++i) Added(path + "/" + std::to_string(i), after[i]);
  }

  json::array changes_;
};

}  // namespace

json::array JsonDiff(const json::value& before, const json::value& after) {
  Differ differ;
  differ.Compare("", before, after);
  return differ.Take();
}

}  // namespace assent
