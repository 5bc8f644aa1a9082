// The query of GET /v1/audit (api/audit_route.h ParseAuditQuery, with api/protocol/audit_time.h
// for since and until), from an arbitrary query string.
// Properties: an accepted query has a limit from 1 to 1000; an accepted since or until written
// as an RFC 3339 date-time is the same instant when printed as the API prints times and read
// again; every refusal is kInvalidArgument naming a parameter.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "api/audit_route.h"
#include "api/json_views.h"
#include "api/protocol/audit_time.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace assent;

constexpr int64_t kNowMs = 1'800'000'000'000;

// A time the API printed must read back as the same instant.
void CheckPrintedTimeReadsBack(int64_t at_ms) {
  if (at_ms < 0 || at_ms > 253'402'300'799'999) return;  // FormatTime's years 0000-9999
  Result<int64_t> again = api::ParseAuditTime(api::FormatTime(at_ms), "since", kNowMs);
  FUZZ_CHECK(again.ok() && *again == at_ms);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The router's own path: the request target parsed as origin-form, then its params.
  // (boost::urls::parse_query of Boost 1.81 reads past the end of a view that is not
  // NUL-terminated, which the server never calls.)
  std::string target = "/v1/audit?" + std::string(reinterpret_cast<const char*>(data), size);
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return 0;
  Result<engine::AuditQuery> query = api::ParseAuditQuery(url->params(), kNowMs);
  if (!query.ok()) {
    FUZZ_CHECK(query.status().code() == StatusCode::kInvalidArgument);
    FUZZ_CHECK(!query.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(query->limit >= 1 && query->limit <= engine::kMaxAuditLimit);
  if (query->since_ms) CheckPrintedTimeReadsBack(*query->since_ms);
  if (query->until_ms) CheckPrintedTimeReadsBack(*query->until_ms);
  return 0;
}
