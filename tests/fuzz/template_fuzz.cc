// Templates (engine/internal/template.h): the input is a template, a newline, and the context
// as JSON ({"input": ..., "steps": ...}; a default one when it is not an object). Properties:
// - checking and rendering agree: a template that fails CheckTemplate never renders, and one
//   that renders passes CheckTemplate;
// - text without "{{" renders as itself;
// - rendering a string value agrees with rendering the text: the same text, or, for a string
//   that is exactly one placeholder, the value it names.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>

#include "engine/internal/template.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace json = boost::json;

json::object Context(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (!ec && value.is_object()) return std::move(value.get_object());
  return json::parse(R"({"input": {"amount": 7200, "vendor": "ACME", "tags": ["a", "b"]},
                         "steps": {"extract": {"amount": 7200, "items": [{"name": "x"}]}}})")
      .as_object();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string_view tmpl = input.substr(0, newline);
  json::object context =
      Context(newline == std::string_view::npos ? "" : input.substr(newline + 1));

  const bool checks = assent::engine::CheckTemplate(tmpl).ok();
  auto text = assent::engine::RenderString(tmpl, context);
  FUZZ_CHECK(checks || !text.ok());
  if (tmpl.find("{{") == std::string_view::npos) {
    FUZZ_CHECK(text.ok() && *text == tmpl);
  }

  auto value = assent::engine::RenderValue(json::string(tmpl), context);
  FUZZ_CHECK(value.ok() == text.ok());
  if (value.ok() && value->is_string() && text.ok()) {
    // A lone placeholder naming a string renders as that string, the same as the text.
    FUZZ_CHECK(value->get_string() == *text);
  }
  FUZZ_CHECK(assent::engine::CheckTemplateValue(json::string(tmpl)).ok() == checks);
  return 0;
}
