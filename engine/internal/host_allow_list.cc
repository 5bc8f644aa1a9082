#include "engine/internal/host_allow_list.h"

#include <string_view>

namespace assent::engine {

Result<HostAllowList> HostAllowList::Parse(const boost::json::value& entries) {
  const boost::json::array* array = entries.if_array();
  if (array == nullptr || array->empty()) {
    return Status::InvalidArgument("must be a non-empty array of \"host\" or \"host:port\"");
  }
  HostAllowList list;
  for (const boost::json::value& value : *array) {
    const boost::json::string* text = value.if_string();
    if (text == nullptr) return Status::InvalidArgument("entries must be strings");
    std::string_view entry(text->data(), text->size());
    Entry parsed;
    parsed.below = entry.starts_with("*.");
    Result<OutboundHost> host = ParseOutboundAuthority(parsed.below ? entry.substr(2) : entry);
    if (!host.ok()) {
      return Status::InvalidArgument("entry '" + std::string(entry) + "': " +
                                     host.status().message());
    }
    if (parsed.below && host->kind != OutboundHost::Kind::kName) {
      return Status::InvalidArgument("entry '" + std::string(entry) +
                                     "': '*.' goes before a name, not an address");
    }
    parsed.host = std::move(host).value();
    list.entries_.push_back(std::move(parsed));
  }
  return list;
}

bool HostAllowList::Allows(const OutboundHost& host) const {
  for (const Entry& entry : entries_) {
    if (entry.host.port != host.port || entry.host.kind != host.kind) continue;
    if (!entry.below) {
      if (entry.host.host == host.host) return true;
    } else if (host.host.size() > entry.host.host.size() + 1 &&
               host.host.ends_with(entry.host.host) &&
               host.host[host.host.size() - entry.host.host.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

}  // namespace assent::engine
