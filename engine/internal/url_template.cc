#include "engine/internal/url_template.h"

#include <vector>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "engine/internal/template.h"

namespace assent::engine {

Result<RenderedUrl> RenderUrlTemplate(std::string_view tmpl, const PlaceholderText& text_of) {
  Result<std::vector<TemplatePiece>> pieces = SplitTemplate(tmpl);
  if (!pieces.ok()) return pieces.status();
  constexpr std::string_view kSchemeEnd = "://";
  RenderedUrl rendered;
  bool in_origin = true;
  bool past_scheme = false;
  for (const TemplatePiece& piece : *pieces) {
    if (piece.is_placeholder) {
      Result<std::string> text = text_of(piece.text);
      if (!text.ok()) return text.status();
      if (in_origin) {
        rendered.dynamic_origin = true;
        rendered.url += *text;
      } else {
        rendered.url += boost::urls::encode(*text, boost::urls::unreserved_chars);
      }
      continue;
    }
    const std::string_view literal = piece.text;
    for (size_t i = 0; i < literal.size(); ++i) {
      if (in_origin && !past_scheme && literal.substr(i).starts_with(kSchemeEnd)) {
        past_scheme = true;
        rendered.url += kSchemeEnd;
        i += kSchemeEnd.size() - 1;
        continue;
      }
      const char c = literal[i];
      if (in_origin && (past_scheme || rendered.dynamic_origin) &&
          (c == '/' || c == '?' || c == '#')) {
        in_origin = false;
      }
      rendered.url += c;
    }
  }
  return rendered;
}

}  // namespace assent::engine
