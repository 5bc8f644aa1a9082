// The dashboard's files (api/dashboard_files.h): what is served where, with which headers,
// from the compiled-in set and from a folder.
#include "api/dashboard_files.h"

#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace assent::api {
namespace {

namespace http = boost::beast::http;

Request Get(std::string target, http::verb method = http::verb::get) {
  Request request{method, target, 11};
  request.keep_alive(true);
  return request;
}

std::string SourceFile(const std::string& name) {
  std::ifstream in(std::string(ASSENT_SOURCE_DIR) + "/api/dashboard/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void ExpectSecurityHeaders(const Response& response) {
  std::string policy(response["Content-Security-Policy"]);
  EXPECT_NE(policy.find("script-src 'self'"), std::string::npos) << policy;
  EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << policy;
  EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos) << policy;
  EXPECT_EQ(policy.find("unsafe-eval"), std::string::npos) << policy;
  EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
}

TEST(DashboardTargetTest, EverythingOutsideTheApiIsTheDashboards) {
  EXPECT_TRUE(IsDashboardTarget("/"));
  EXPECT_TRUE(IsDashboardTarget("/app.js"));
  EXPECT_TRUE(IsDashboardTarget("/approvals/ap-1?x=1"));
  EXPECT_FALSE(IsDashboardTarget("/v1/approvals"));
  EXPECT_FALSE(IsDashboardTarget("/v1"));
  EXPECT_FALSE(IsDashboardTarget("/healthz"));
  EXPECT_FALSE(IsDashboardTarget("not origin form"));
}

TEST(DashboardFilesTest, TheRootIsTheCompiledInIndexWithItsSecurityHeaders) {
  Response response = DashboardFiles().Serve(Get("/"));
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(response.body(), SourceFile("index.html"));
  ExpectSecurityHeaders(response);
}

TEST(DashboardFilesTest, EveryFileOfTheFolderIsCompiledInWithItsType) {
  Response script = DashboardFiles().Serve(Get("/app.js"));
  EXPECT_EQ(script.result(), http::status::ok);
  EXPECT_EQ(script[http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(script.body(), SourceFile("app.js"));
  Response style = DashboardFiles().Serve(Get("/style.css"));
  EXPECT_EQ(style[http::field::content_type], "text/css; charset=utf-8");
  EXPECT_EQ(style.body(), SourceFile("style.css"));
  ExpectSecurityHeaders(style);
}

TEST(DashboardFilesTest, PageRoutesGetTheIndexSoEveryApprovalAndRunHasAUrl) {
  std::string index = SourceFile("index.html");
  for (std::string route : {"/approvals/ap-00000000000000000001", "/runs/r-1", "/runs", "/x/y",
                            "/approvals/run_01a22b45306258c6cfb64fe9b27e.4"}) {
    Response response = DashboardFiles().Serve(Get(route));
    EXPECT_EQ(response.result(), http::status::ok) << route;
    EXPECT_EQ(response.body(), index) << route;
  }
}

TEST(DashboardFilesTest, AMissingFileIs404WithAJsonError) {
  Response response = DashboardFiles().Serve(Get("/missing.js"));
  EXPECT_EQ(response.result(), http::status::not_found);
  EXPECT_NE(response.body().find("\"not_found\""), std::string::npos) << response.body();
  ExpectSecurityHeaders(response);
}

TEST(DashboardFilesTest, AnUnchangedFileIsAnswered304) {
  Response first = DashboardFiles().Serve(Get("/app.js"));
  ASSERT_FALSE(first[http::field::etag].empty());
  Request again = Get("/app.js");
  again.set(http::field::if_none_match, first[http::field::etag]);
  Response second = DashboardFiles().Serve(again);
  EXPECT_EQ(second.result(), http::status::not_modified);
  EXPECT_TRUE(second.body().empty());
  Request stale = Get("/app.js");
  stale.set(http::field::if_none_match, "\"something-else\"");
  EXPECT_EQ(DashboardFiles().Serve(stale).result(), http::status::ok);
}

TEST(DashboardFilesTest, HeadHasTheHeadersOnlyAndOtherMethodsAre405) {
  Response head = DashboardFiles().Serve(Get("/app.js", http::verb::head));
  EXPECT_EQ(head.result(), http::status::ok);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(head[http::field::content_length], std::to_string(SourceFile("app.js").size()));
  Response post = DashboardFiles().Serve(Get("/", http::verb::post));
  EXPECT_EQ(post.result(), http::status::method_not_allowed);
  EXPECT_EQ(post[http::field::allow], "GET, HEAD");
}

TEST(DashboardFilesTest, AFolderIsReadOnEveryRequestAndNothingOutsideItIsServed) {
  testing::TempDir root;
  std::filesystem::create_directories(root.path() / "page" / "js");
  std::ofstream(root.path() / "page" / "index.html") << "<p>one</p>";
  std::ofstream(root.path() / "page" / "js" / "view.js") << "export {};";
  std::ofstream(root.path() / "secret.txt") << "outside";
  DashboardFiles files(root.path() / "page");

  EXPECT_EQ(files.Serve(Get("/")).body(), "<p>one</p>");
  Response nested = files.Serve(Get("/js/view.js"));
  EXPECT_EQ(nested.body(), "export {};");
  EXPECT_EQ(nested[http::field::cache_control], "no-store");
  std::ofstream(root.path() / "page" / "index.html") << "<p>two</p>";
  EXPECT_EQ(files.Serve(Get("/approvals/a")).body(), "<p>two</p>");

  for (std::string escape : {"/../secret.txt", "/%2e%2e/secret.txt", "/js/..%2f..%2fsecret.txt",
                             "/js%2f..%2f..%2fsecret.txt"}) {
    Response response = files.Serve(Get(escape));
    EXPECT_EQ(response.result(), http::status::not_found) << escape;
    EXPECT_EQ(response.body().find("outside"), std::string::npos) << escape;
  }
  EXPECT_EQ(files.Serve(Get("/js")).result(), http::status::ok);  // a folder: the page route
}

}  // namespace
}  // namespace assent::api
