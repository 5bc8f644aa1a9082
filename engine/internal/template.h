// Templates in definitions: `{{path}}` placeholders such as `{{steps.extract.amount}}` or
// `{{input.vendor}}`, resolved against a context object {"input": {...}, "steps": {...}}.
// Paths are dot-separated keys; a numeric segment indexes an array (`steps.items.0.name`).
// Whitespace inside the braces is ignored. A path that does not resolve is an error naming it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "base/status.h"

namespace assent::engine {

// Interpolates every placeholder as text: strings verbatim, other values as compact JSON.
Result<std::string> RenderString(std::string_view tmpl, const boost::json::object& context);

// Renders every string inside `tmpl` (objects and arrays recursively, keys untouched). A string
// that is exactly one placeholder yields the referenced value with its JSON type kept, so
// {"amount": "{{steps.extract.amount}}"} renders to {"amount": 7200}.
Result<boost::json::value> RenderValue(const boost::json::value& tmpl,
                                       const boost::json::object& context);

// A template's pieces in order, for renderers that treat literal text and values differently
// (an http step's URL): literal text, and the path of each placeholder.
struct TemplatePiece {
  bool is_placeholder = false;
  std::string_view text;  // literal text, or the placeholder's path (whitespace trimmed)
};
Result<std::vector<TemplatePiece>> SplitTemplate(std::string_view tmpl);

// The text the placeholder `path` inserts, as RenderString inserts it.
Result<std::string> ResolveText(std::string_view path, const boost::json::object& context);

// Syntax only (unclosed `{{`, empty path), for validating definitions.
Status CheckTemplate(std::string_view tmpl);
Status CheckTemplateValue(const boost::json::value& tmpl);

}  // namespace assent::engine
