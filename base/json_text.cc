#include "base/json_text.h"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/value_stack.hpp>

#include "base/utf8.h"

namespace assent {
namespace {

namespace json = boost::json;
using json::error_code;
using json::string_view;

class JsonTextCategory : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "assent.json_text"; }
  std::string message(int value) const override {
    switch (static_cast<JsonTextError>(value)) {
      case JsonTextError::kNumberOutOfRange:
        return "number out of range (JSON numbers must fit a finite double)";
      case JsonTextError::kDuplicateKey:
        return "duplicate key";
    }
    return "unknown error";
  }
};

// Builds the value as boost::json::parser's own handler does (boost/json/detail/handler.hpp),
// except for floating-point numbers, and with duplicate keys refused when asked.
struct PreciseHandler {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;
  std::string number;  // the text of a number that arrived in parts
  std::string key;     // the text of a key that arrived in parts

  bool refuse_duplicate_keys = false;
  // The keys seen so far in each open object, innermost last; sets are kept for reuse.
  std::vector<std::unordered_set<std::string>> open_objects;
  std::size_t depth = 0;
  std::string offending;  // the duplicate key or the number's text, for the message

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) {
    if (!refuse_duplicate_keys) return true;
    if (open_objects.size() == depth) open_objects.emplace_back();
    open_objects[depth++].clear();
    return true;
  }
  bool on_object_end(std::size_t n, error_code&) {
    if (refuse_duplicate_keys) --depth;
    st.push_object(n);
    return true;
  }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t n, error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(string_view s, std::size_t, error_code&) {
    if (refuse_duplicate_keys) key.append(s.data(), s.size());
    st.push_chars(s);
    return true;
  }
  bool on_key(string_view s, std::size_t, error_code& ec) {
    if (refuse_duplicate_keys) {
      key.append(s.data(), s.size());
      if (!open_objects[depth - 1].insert(key).second) {
        offending = std::move(key);
        key.clear();
        ec = JsonTextError::kDuplicateKey;
        return false;
      }
      key.clear();
    }
    st.push_key(s);
    return true;
  }
  bool on_string_part(string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(string_view s, std::size_t, error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(string_view s, error_code&) {
    number.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, string_view, error_code&) {
    number.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, string_view, error_code&) {
    number.clear();
    st.push_uint64(u);
    return true;
  }
  // `d` is Boost's approximation; the text, converted by from_chars, is the exact value. When
  // from_chars finds it out of range, Boost's answer stands if it is finite (a tiny number
  // rounded to zero) and the number is refused if not.
  bool on_double(double d, string_view s, error_code& ec) {
    number.append(s.data(), s.size());
    double exact = 0;
    auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), exact);
    if (error == std::errc() && end == number.data() + number.size()) d = exact;
    if (!std::isfinite(d)) {
      offending = std::move(number);
      number.clear();
      ec = JsonTextError::kNumberOutOfRange;
      return false;
    }
    number.clear();
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }
};

json::value Parse(std::string_view text, boost::system::error_code& ec,
                  const json::parse_options& options, bool refuse_duplicate_keys,
                  std::string* offending) {
  json::basic_parser<PreciseHandler> parser(options);
  parser.handler().st.reset();
  parser.handler().refuse_duplicate_keys = refuse_duplicate_keys;
  std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = json::error::extra_data;
  if (ec) {
    if (offending != nullptr) *offending = std::move(parser.handler().offending);
    return nullptr;
  }
  return parser.handler().st.release();
}

// `text` as it may be shown in a message: at most 64 bytes, valid UTF-8.
std::string Shortened(std::string_view text) {
  constexpr std::size_t kShown = 64;
  return ToValidUtf8(text.substr(0, kShown)) + (text.size() > kShown ? "..." : "");
}

std::string Quoted(std::string_view text) { return "\"" + Shortened(text) + "\""; }

// InvalidArgument: `path` (cut short) `problem`.
Status Refused(const std::string& path, std::string_view problem) {
  return Status::InvalidArgument(Shortened(path) + " " + std::string(problem));
}

// CheckJsonWritable's walk; `path` names what is checked, `depth_left` how many more levels of
// arrays and objects may open.
Status CheckWritable(const json::value& value, std::string& path, std::size_t depth_left);

Status CheckWritableObject(const json::object& object, std::string& path,
                           std::size_t depth_left) {
  if (depth_left == 0) return Refused(path, "is nested too deeply");
  std::size_t length = path.size();
  for (const json::key_value_pair& entry : object) {
    if (!IsValidUtf8(entry.key())) return Refused(path, "has a key that is not valid UTF-8");
    path += "." + std::string(entry.key());
    if (Status checked = CheckWritable(entry.value(), path, depth_left - 1); !checked.ok()) {
      return checked;
    }
    path.resize(length);
  }
  return Status::Ok();
}

Status CheckWritable(const json::value& value, std::string& path, std::size_t depth_left) {
  switch (value.kind()) {
    case json::kind::double_:
      if (std::isfinite(value.get_double())) return Status::Ok();
      return Refused(path, "is not a finite number");
    case json::kind::string:
      if (IsValidUtf8(value.get_string())) return Status::Ok();
      return Refused(path, "is not valid UTF-8");
    case json::kind::object:
      return CheckWritableObject(value.get_object(), path, depth_left);
    case json::kind::array:
      break;
    default:
      return Status::Ok();
  }
  if (depth_left == 0) return Refused(path, "is nested too deeply");
  const json::array& array = value.get_array();
  std::size_t length = path.size();
  for (std::size_t i = 0; i < array.size(); ++i) {
    path += "[" + std::to_string(i) + "]";
    if (Status checked = CheckWritable(array[i], path, depth_left - 1); !checked.ok()) {
      return checked;
    }
    path.resize(length);
  }
  return Status::Ok();
}

}  // namespace

Status CheckJsonWritable(const json::value& value, std::string_view what, std::size_t max_depth) {
  std::string path(what);
  return CheckWritable(value, path, max_depth);
}

Status CheckJsonWritable(const json::object& object, std::string_view what,
                         std::size_t max_depth) {
  std::string path(what);
  return CheckWritableObject(object, path, max_depth);
}

boost::system::error_code make_error_code(JsonTextError error) {
  static const JsonTextCategory category;
  return {static_cast<int>(error), category};
}

json::value ParseJsonText(std::string_view text, boost::system::error_code& ec,
                          const json::parse_options& options) {
  return Parse(text, ec, options, /*refuse_duplicate_keys=*/false, nullptr);
}

UntrustedJson ParseUntrustedJson(std::string_view text, const json::parse_options& options) {
  UntrustedJson parsed;
  std::string offending;
  parsed.value = Parse(text, parsed.ec, options, /*refuse_duplicate_keys=*/true, &offending);
  if (parsed.ec == JsonTextError::kDuplicateKey) {
    parsed.why =
        "has the key " + Quoted(offending) + " twice in one object (each key may appear once)";
  } else if (parsed.ec == JsonTextError::kNumberOutOfRange) {
    parsed.why = "holds the number " + Quoted(offending) +
                 ", out of range (JSON numbers must fit a finite double)";
  } else if (parsed.ec == json::error::too_deep) {
    // Boost.JSON's own message ("too deep") does not say which limit was hit.
    parsed.why = "is nested too deeply: at most " + std::to_string(options.max_depth) +
                 " levels of arrays and objects";
  } else if (parsed.ec) {
    parsed.why = "is not valid JSON: " + parsed.ec.message();
  }
  return parsed;
}

}  // namespace assent
