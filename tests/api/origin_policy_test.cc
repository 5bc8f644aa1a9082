#include "api/origin_policy.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace assent::api {
namespace {

OriginPolicy Allowing(std::vector<std::string> origins) {
  Result<OriginPolicy> policy = OriginPolicy::Make(origins);
  EXPECT_TRUE(policy.ok()) << policy.status().ToString();
  return policy.ok() ? std::move(policy).value() : OriginPolicy();
}

TEST(OriginPolicyTest, RequestsWithoutOriginComeFromProgramsAndAreAllowed) {
  EXPECT_TRUE(OriginPolicy().Allows("", "assent.example"));
}

TEST(OriginPolicyTest, TheServersOwnOriginIsAllowedWithEitherScheme) {
  OriginPolicy none;
  EXPECT_TRUE(none.Allows("http://assent.example:8080", "assent.example:8080"));
  EXPECT_TRUE(none.Allows("https://Assent.Example", "assent.example:443"))
      << "case and default ports do not matter";
  EXPECT_FALSE(none.Allows("http://assent.example:8081", "assent.example:8080"));
  EXPECT_FALSE(none.Allows("http://evil.example", "assent.example"));
  EXPECT_FALSE(none.Allows("http://assent.example", "")) << "no Host: nothing is the server's";
}

TEST(OriginPolicyTest, ConfiguredOriginsAreAllowedAndNothingElse) {
  OriginPolicy policy = Allowing({"https://reviews.example", "http://localhost:3000"});
  EXPECT_TRUE(policy.Allows("https://reviews.example:443", "assent.internal"));
  EXPECT_TRUE(policy.Allows("http://LOCALHOST:3000", "assent.internal"));
  EXPECT_FALSE(policy.Allows("http://reviews.example", "assent.internal")) << "scheme counts";
  EXPECT_FALSE(policy.Allows("https://reviews.example.evil", "assent.internal"));
  EXPECT_FALSE(policy.Allows("null", "assent.internal")) << "a sandboxed page or a file";
  EXPECT_FALSE(policy.Allows("https://user@reviews.example", "assent.internal"));
}

TEST(OriginPolicyTest, MalformedConfiguredOriginsAreRefusedByName) {
  for (const char* bad : {"reviews.example", "ftp://reviews.example", "https://x.example/app",
                          "https://", "*"}) {
    Result<OriginPolicy> policy = OriginPolicy::Make({bad});
    ASSERT_FALSE(policy.ok()) << bad;
    EXPECT_NE(policy.status().message().find(bad), std::string::npos) << policy.status().message();
  }
}

}  // namespace
}  // namespace assent::api
