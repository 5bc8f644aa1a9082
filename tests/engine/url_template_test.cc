#include "engine/internal/url_template.h"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace assent::engine {
namespace {

using ::testing::HasSubstr;

// Renders with values from `values`, by placeholder path.
Result<RenderedUrl> Render(std::string_view tmpl, const std::map<std::string, std::string>& values) {
  return RenderUrlTemplate(tmpl, [&](std::string_view path) -> Result<std::string> {
    auto it = values.find(std::string(path));
    if (it == values.end()) return Status::InvalidArgument("no " + std::string(path));
    return it->second;
  });
}

TEST(UrlTemplateTest, ValuesAfterTheOriginAreEncodedAsOneComponent) {
  auto url = Render("http://127.0.0.1:8080/users/{{id}}?q={{q}}&n=1#{{f}}",
                    {{"id", "../admin/x y"}, {"q", "a&b=c\r\nX-Injected: yes"}, {"f", "#?/"}});
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_FALSE(url->dynamic_origin);
  EXPECT_EQ(url->url,
            "http://127.0.0.1:8080/users/..%2Fadmin%2Fx%20y"
            "?q=a%26b%3Dc%0D%0AX-Injected%3A%20yes&n=1#%23%3F%2F");
}

TEST(UrlTemplateTest, UnreservedCharactersAndUtf8) {
  auto url = Render("http://h/{{v}}", {{"v", "AZaz09-._~\xC3\xA9%"}});
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->url, "http://h/AZaz09-._~%C3%A9%25");
}

TEST(UrlTemplateTest, TheOriginEndsAtTheFirstSeparatorAfterTheScheme) {
  EXPECT_FALSE(Render("http://h?x={{v}}", {{"v", "/"}})->dynamic_origin);
  EXPECT_EQ(Render("http://h?x={{v}}", {{"v", "/"}})->url, "http://h?x=%2F");
  EXPECT_FALSE(Render("http://h#{{v}}", {{"v", "a"}})->dynamic_origin);
  EXPECT_FALSE(Render("http://h", {})->dynamic_origin);
  for (const char* tmpl : {"http://{{v}}/x", "http://h:{{v}}/x", "{{v}}://h/x", "http://h{{v}}",
                           "{{v}}", "http://u@{{v}}", "{{v}}/x/{{v}}"}) {
    EXPECT_TRUE(Render(tmpl, {{"v", "a"}})->dynamic_origin) << tmpl;
  }
}

TEST(UrlTemplateTest, ValuesInADynamicOriginGoInAsTheyAreAndThoseAfterItEncoded) {
  auto url = Render("{{base}}/users/{{id}}", {{"base", "http://127.0.0.1:8080"}, {"id", "a/b"}});
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->dynamic_origin);
  EXPECT_EQ(url->url, "http://127.0.0.1:8080/users/a%2Fb");
  url = Render("http://{{host}}/x/{{id}}", {{"host", "evil.example/?"}, {"id", "?"}});
  EXPECT_EQ(url->url, "http://evil.example/?/x/%3F");  // the host is checked once parsed
  url = Render("{{scheme}}://{{host}}/{{id}}", {{"scheme", "http"}, {"host", "h:1"}, {"id", ":"}});
  EXPECT_EQ(url->url, "http://h:1/%3A");
}

TEST(UrlTemplateTest, ReportsTemplateErrors) {
  EXPECT_THAT(Render("http://h/{{id", {}).status().message(), HasSubstr("unclosed"));
  EXPECT_THAT(Render("http://h/{{id}}", {}).status().message(), HasSubstr("no id"));
}

}  // namespace
}  // namespace assent::engine
