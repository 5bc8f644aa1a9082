#include "engine/internal/link_local.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace assent::engine {
namespace {

using ::testing::HasSubstr;

std::string RangeOf(const char* address) {
  return LinkLocalOrMetadataRange(boost::asio::ip::make_address(address)).value_or("(allowed)");
}

TEST(LinkLocalTest, RefusesLinkLocalAndMetadataAddressesInEveryForm) {
  EXPECT_THAT(RangeOf("169.254.169.254"), HasSubstr("link-local 169.254.0.0/16"));
  EXPECT_THAT(RangeOf("169.254.0.1"), HasSubstr("169.254.0.0/16"));
  EXPECT_THAT(RangeOf("169.254.255.255"), HasSubstr("169.254.0.0/16"));
  EXPECT_THAT(RangeOf("100.100.100.200"), HasSubstr("cloud metadata 100.100.100.200"));
  EXPECT_THAT(RangeOf("fe80::1"), HasSubstr("link-local fe80::/10"));
  EXPECT_THAT(RangeOf("febf:ffff::1"), HasSubstr("fe80::/10"));
  EXPECT_THAT(RangeOf("fd00:ec2::254"), HasSubstr("cloud metadata fd00:ec2::254"));
  EXPECT_THAT(RangeOf("::ffff:169.254.169.254"), HasSubstr("169.254.0.0/16 (inside IPv6)"));
  EXPECT_THAT(RangeOf("::169.254.169.254"), HasSubstr("(inside IPv6)"));
  EXPECT_THAT(RangeOf("64:ff9b::169.254.169.254"), HasSubstr("(inside IPv6)"));
  EXPECT_THAT(RangeOf("::ffff:100.100.100.200"), HasSubstr("cloud metadata"));
}

TEST(LinkLocalTest, LetsEverythingElseThrough) {
  for (const char* address : {"127.0.0.1", "::1", "10.0.0.1", "169.253.255.255", "169.255.0.0",
                              "100.100.100.201", "fec0::1", "fd00:ec2::253", "::ffff:127.0.0.1",
                              "::", "0.0.0.0", "2001:db8::1", "64:ff9b::10.0.0.1"}) {
    EXPECT_EQ(RangeOf(address), "(allowed)") << address;
  }
}

}  // namespace
}  // namespace assent::engine
