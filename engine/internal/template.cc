#include "engine/internal/template.h"

#include <boost/json/serialize.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace assent::engine {
namespace {

namespace json = boost::json;

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";

struct Placeholder {
  size_t begin = 0;  // offset of "{{"
  size_t end = 0;    // offset just past "}}"
  std::string_view path;
};

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// Finds the first placeholder at or after `from`; nullopt when there is none. Syntax errors
// (unclosed braces, empty path or segment) are reported here so rendering and checking agree.
Status NextPlaceholder(std::string_view tmpl, size_t from, std::optional<Placeholder>* out) {
  out->reset();
  const size_t open = tmpl.find(kOpen, from);
  if (open == std::string_view::npos) return Status::Ok();
  const size_t close = tmpl.find(kClose, open + kOpen.size());
  if (close == std::string_view::npos) {
    return Status::InvalidArgument("template: unclosed '{{' at offset " + std::to_string(open));
  }
  const std::string_view path = Trim(tmpl.substr(open + kOpen.size(), close - open - kOpen.size()));
  if (path.empty()) {
    return Status::InvalidArgument("template: empty placeholder at offset " + std::to_string(open));
  }
  if (path.find(kOpen) != std::string_view::npos) {
    return Status::InvalidArgument("template: '{{' inside the placeholder at offset " +
                                   std::to_string(open));
  }
  if (path.front() == '.' || path.back() == '.' || path.find("..") != std::string_view::npos) {
    return Status::InvalidArgument("template: empty segment in path '" + std::string(path) + "'");
  }
  *out = Placeholder{open, close + kClose.size(), path};
  return Status::Ok();
}

std::optional<size_t> ParseIndex(std::string_view segment) {
  if (segment.empty() || segment.size() > 18) return std::nullopt;  // 18 digits cannot overflow
  size_t index = 0;
  for (char c : segment) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + static_cast<size_t>(c - '0');
  }
  return index;
}

// One step down: an object by key, an array by a decimal index.
const json::value* Step(const json::value& current, std::string_view segment) {
  if (const json::object* object = current.if_object()) return object->if_contains(segment);
  if (const json::array* array = current.if_array()) {
    const std::optional<size_t> index = ParseIndex(segment);
    if (index.has_value() && *index < array->size()) return &(*array)[*index];
  }
  return nullptr;
}

Result<const json::value*> Resolve(std::string_view path, const json::object& context) {
  size_t dot = path.find('.');
  const json::value* current = context.if_contains(path.substr(0, dot));
  while (current != nullptr && dot != std::string_view::npos) {
    const size_t start = dot + 1;
    dot = path.find('.', start);
    // With dot == npos, npos - start is still past the end: the last segment.
    current = Step(*current, path.substr(start, dot - start));
  }
  if (current == nullptr) {
    return Status::InvalidArgument("template: '" + std::string(path) + "' not found");
  }
  return current;
}

void AppendText(const json::value& value, std::string& out) {
  if (const json::string* s = value.if_string()) {
    out.append(s->data(), s->size());
  } else {
    out += json::serialize(value);
  }
}

Result<json::value> RenderStringValue(const json::string& tmpl, const json::object& context) {
  const std::string_view text(tmpl.data(), tmpl.size());
  std::optional<Placeholder> first;
  if (Status status = NextPlaceholder(text, 0, &first); !status.ok()) return status;
  if (!first.has_value()) return json::value(tmpl);
  // Exactly one placeholder and nothing around it: keep the value's JSON type.
  if (first->begin == 0 && first->end == text.size()) {
    Result<const json::value*> value = Resolve(first->path, context);
    if (!value.ok()) return value.status();
    return **value;
  }
  Result<std::string> rendered = RenderString(text, context);
  if (!rendered.ok()) return rendered.status();
  return json::value(json::string(*rendered));
}

}  // namespace

Result<std::vector<TemplatePiece>> SplitTemplate(std::string_view tmpl) {
  std::vector<TemplatePiece> pieces;
  size_t from = 0;
  while (true) {
    std::optional<Placeholder> placeholder;
    if (Status status = NextPlaceholder(tmpl, from, &placeholder); !status.ok()) return status;
    const size_t text_end = placeholder.has_value() ? placeholder->begin : tmpl.size();
    if (text_end > from) pieces.push_back({false, tmpl.substr(from, text_end - from)});
    if (!placeholder.has_value()) return pieces;
    pieces.push_back({true, placeholder->path});
    from = placeholder->end;
  }
}

Result<std::string> ResolveText(std::string_view path, const json::object& context) {
  Result<const json::value*> value = Resolve(path, context);
  if (!value.ok()) return value.status();
  std::string text;
  AppendText(**value, text);
  return text;
}

Result<std::string> RenderString(std::string_view tmpl, const json::object& context) {
  Result<std::vector<TemplatePiece>> pieces = SplitTemplate(tmpl);
  if (!pieces.ok()) return pieces.status();
  std::string out;
  for (const TemplatePiece& piece : *pieces) {
    if (!piece.is_placeholder) {
      out.append(piece.text);
      continue;
    }
    Result<const json::value*> value = Resolve(piece.text, context);
    if (!value.ok()) return value.status();
    AppendText(**value, out);
  }
  return out;
}

Result<json::value> RenderValue(const json::value& tmpl, const json::object& context) {
  switch (tmpl.kind()) {
    case json::kind::string:
      return RenderStringValue(tmpl.get_string(), context);
    case json::kind::array: {
      json::array out;
      out.reserve(tmpl.get_array().size());
      for (const json::value& element : tmpl.get_array()) {
        Result<json::value> rendered = RenderValue(element, context);
        if (!rendered.ok()) return rendered.status();
        out.push_back(std::move(*rendered));
      }
      return json::value(std::move(out));
    }
    case json::kind::object: {
      json::object out;
      out.reserve(tmpl.get_object().size());
      for (const json::key_value_pair& member : tmpl.get_object()) {
        Result<json::value> rendered = RenderValue(member.value(), context);
        if (!rendered.ok()) return rendered.status();
        out.emplace(member.key(), std::move(*rendered));
      }
      return json::value(std::move(out));
    }
    case json::kind::null:
    case json::kind::bool_:
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return tmpl;
  }
  return tmpl;  // unreachable: the switch covers every kind
}

Status CheckTemplate(std::string_view tmpl) { return SplitTemplate(tmpl).status(); }

Status CheckTemplateValue(const json::value& tmpl) {
  if (const json::string* s = tmpl.if_string()) {
    return CheckTemplate(std::string_view(s->data(), s->size()));
  }
  if (const json::array* array = tmpl.if_array()) {
    for (const json::value& element : *array) {
      if (Status status = CheckTemplateValue(element); !status.ok()) return status;
    }
  }
  if (const json::object* object = tmpl.if_object()) {
    for (const json::key_value_pair& member : *object) {
      if (Status status = CheckTemplateValue(member.value()); !status.ok()) return status;
    }
  }
  return Status::Ok();
}

}  // namespace assent::engine
