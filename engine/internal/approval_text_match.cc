#include "engine/internal/approval_text_match.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace assent::engine {
namespace {

char FoldAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool Contains(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char a, char b) { return FoldAscii(a) == FoldAscii(b); }) !=
         haystack.end();
}

bool AnyValueContains(const boost::json::value& value, std::string_view needle) {
  switch (value.kind()) {
    case boost::json::kind::string:
      return Contains(value.get_string(), needle);
    case boost::json::kind::array:
      return std::any_of(value.get_array().begin(), value.get_array().end(),
                         [&](const boost::json::value& item) {
                           return AnyValueContains(item, needle);
                         });
    case boost::json::kind::object:
      return std::any_of(value.get_object().begin(), value.get_object().end(),
                         [&](const boost::json::key_value_pair& field) {
                           return AnyValueContains(field.value(), needle);
                         });
    case boost::json::kind::bool_:
      return Contains(value.get_bool() ? "true" : "false", needle);
    case boost::json::kind::int64:
      return Contains(std::to_string(value.get_int64()), needle);
    case boost::json::kind::uint64:
      return Contains(std::to_string(value.get_uint64()), needle);
    case boost::json::kind::double_: {
      // The shortest text that reads back as the number, as people write it ("7200.5", not
      // boost::json's "7.2005E3").
      char text[32];
      auto written = std::to_chars(text, text + sizeof(text), value.get_double());
      return Contains(std::string_view(text, written.ptr - text), needle);
    }
    case boost::json::kind::null:
      return false;
  }
  return false;
}

}  // namespace

bool ApprovalMentions(const ApprovalView& approval, std::string_view needle) {
  if (needle.empty()) return true;
  if (Contains(approval.message, needle) || Contains(approval.workflow, needle) ||
      Contains(approval.title, needle)) {
    return true;
  }
  return std::any_of(approval.show.begin(), approval.show.end(),
                     [&](const boost::json::key_value_pair& field) {
                       return AnyValueContains(field.value(), needle);
                     });
}

}  // namespace assent::engine
