#include "engine/internal/link_local.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>

namespace assent::engine {
namespace {

namespace ip = boost::asio::ip;

std::optional<std::string> V4Range(const ip::address_v4& address) {
  const uint32_t bits = address.to_uint();
  if ((bits & 0xFFFF0000u) == 0xA9FE0000u) return "link-local 169.254.0.0/16";
  if (bits == 0x646464C8u) return "cloud metadata 100.100.100.200";
  return std::nullopt;
}

// The IPv4 address an IPv6 address carries in its last 32 bits, when its first 96 say so.
std::optional<ip::address_v4> EmbeddedV4(const ip::address_v6& address) {
  const ip::address_v6::bytes_type bytes = address.to_bytes();
  static constexpr std::array<uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  static constexpr std::array<uint8_t, 12> kCompatible{};
  static constexpr std::array<uint8_t, 12> kNat64{0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0};
  for (const auto& prefix : {kMapped, kCompatible, kNat64}) {
    if (std::equal(prefix.begin(), prefix.end(), bytes.begin())) {
      return ip::address_v4({bytes[12], bytes[13], bytes[14], bytes[15]});
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> LinkLocalOrMetadataRange(const ip::address& address) {
  if (address.is_v4()) return V4Range(address.to_v4());
  const ip::address_v6 v6 = address.to_v6();
  if (v6.is_link_local()) return "link-local fe80::/10";
  static const ip::address_v6 kAwsMetadata = ip::make_address_v6("fd00:ec2::254");
  if (v6 == kAwsMetadata) return "cloud metadata fd00:ec2::254";
  if (std::optional<ip::address_v4> v4 = EmbeddedV4(v6)) {
    if (std::optional<std::string> range = V4Range(*v4)) return *range + " (inside IPv6)";
  }
  return std::nullopt;
}

}  // namespace assent::engine
