// Limits in bytes through the real server: requests over a limit get 413 with a JSON error
// naming the limit and the size, the server's flags set the limits, and comments grow the data
// dir by what they hold (each comment once rewrote every comment before it).
#include <filesystem>
#include <string>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::AllOf;
using ::testing::HasSubstr;

void ExpectTooLarge(const HttpReply& reply, const std::string& code,
                    const std::vector<std::string>& mentions) {
  EXPECT_EQ(reply.status, 413u) << reply.raw.substr(0, 300);
  ASSERT_TRUE(reply.body.is_object()) << "not a JSON error body: " << reply.raw.substr(0, 300);
  EXPECT_EQ(reply.body.at("error").at("code"), code.c_str());
  std::string message(reply.body.at("error").at("message").as_string());
  for (const std::string& mention : mentions) EXPECT_THAT(message, HasSubstr(mention));
}

uintmax_t DirBytes(const std::string& dir) {
  uintmax_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

class LimitsE2eTest : public E2eTest {
 protected:
  std::string WaitingApproval() {
    json::value run = AwaitRunStatus(StartInvoice(7200), "waiting");
    return std::string(run.at("pending_approvals").at(0).at("id").as_string());
  }
  HttpReply Comment(const std::string& approval_id, const std::string& text) {
    return api().Post("/v1/approvals/" + approval_id + "/comments", json::object{{"text", text}});
  }
};

TEST_F(LimitsE2eTest, RequestsOverALimitAre413NamingItAndTheSize) {
  // An input over 1 MiB in a body the HTTP limit still takes: the engine's limit answers.
  std::string blob((1u << 20) + 100, 'x');
  HttpReply input = api().Post("/v1/workflows/invoice-payment/runs",
                               json::object{{"input", {{"amount", 1}, {"blob", blob}}}});
  ExpectTooLarge(input, "too_large", {"max_input_bytes", "1048576", "1048698 bytes"});
  // A body over the HTTP limit is refused before it is read in full.
  HttpReply body = api().Post("/v1/workflows/invoice-payment/runs",
                              json::object{{"input", {{"blob", std::string(2u << 20, 'x')}}}});
  ExpectTooLarge(body, "body_too_large", {"limit", "1114112"});

  std::string approval_id = WaitingApproval();
  ExpectTooLarge(Comment(approval_id, std::string((64u << 10) + 1, 'c')), "too_large",
                 {"max_comment_bytes", "65537", "65536"});
  ExpectTooLarge(api().Post("/v1/approvals/" + approval_id + "/decision",
                            json::object{{"decision", "reject"},
                                         {"comment", std::string((64u << 10) + 1, 'r')}}),
                 "too_large", {"max_comment_bytes"});
  EXPECT_EQ(Comment(approval_id, std::string(64u << 10, 'c')).status, 201u) << "at the limit";
  EXPECT_EQ(api().Get("/v1/approvals/" + approval_id).body.at("status"), "pending");
}

TEST_F(LimitsE2eTest, ServeFlagsSetTheLimits) {
  server_.reset();
  client_.reset();
  server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
      "serve", "--data", data_.str(), "--listen", "127.0.0.1:0", "--admin-token", kToken,
      "--max-comments-per-approval", "2", "--max-input-bytes", "200"});
  ExpectTooLarge(api().Post("/v1/workflows/invoice-payment/runs",
                            json::object{{"input", {{"amount", 1}, {"pad", std::string(300, 'p')}}}}),
                 "too_large", {"max_input_bytes", "200"});
  std::string approval_id = WaitingApproval();
  EXPECT_EQ(Comment(approval_id, "one").status, 201u);
  EXPECT_EQ(Comment(approval_id, "two").status, 201u);
  ExpectTooLarge(Comment(approval_id, "three"), "too_large",
                 {"2 comments", "max_comments_per_approval"});

  // A limit a request could never reach is a usage error, not a server that misleads.
  CommandResult refused =
      RunAssent({"serve", "--data", data_.str(), "--max-input-bytes", "5000000"});
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("--max-input-bytes"));
}

// 60 comments of 64 KiB hold 3.8 MiB. Stored the old way (each rewrote the record holding all
// before it) they wrote ~120 MiB; now each is written with its event and its own entry.
TEST_F(LimitsE2eTest, CommentsGrowTheDataDirByWhatTheyHold) {
  std::string approval_id = WaitingApproval();
  uintmax_t before = DirBytes(data_.str());
  constexpr int kComments = 60;
  const std::string text(64u << 10, 'c');
  for (int i = 0; i < kComments; ++i) {
    HttpReply reply = Comment(approval_id, std::to_string(i) + text.substr(8));
    ASSERT_EQ(reply.status, 201u) << reply.raw.substr(0, 300);
  }
  uintmax_t grown = DirBytes(data_.str()) - before;
  EXPECT_LT(grown, 3u * 2 * kComments * text.size()) << "grew by " << grown << " bytes";
  json::value approval = api().Get("/v1/approvals/" + approval_id).body;
  ASSERT_EQ(approval.at("comments").as_array().size(), static_cast<size_t>(kComments));
  EXPECT_EQ(std::string_view(approval.at("comments").at(59).at("text").as_string()).substr(0, 2), "59");
}

}  // namespace
}  // namespace assent::testing
