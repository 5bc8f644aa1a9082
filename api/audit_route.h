// GET /v1/audit: the request's query as an engine::AuditQuery, and a page of the audit as the
// answer's JSON. The route itself (router.cc) calls these around Engine::ListAudit.
//
//   ?workflow=W &actor=A &run=R &approval=P   filters (each must match)
//   &since=T &until=T                          RFC 3339 or a duration back from now (24h)
//   &after=C                                   a page's "next"
//   &limit=N                                   1 to 1000, default 100
// Anything else, or a parameter named twice, is refused: a misspelt filter must not widen an
// audit query silently. Pure functions; thread-safe.
#pragma once

#include <cstdint>

#include <boost/json/object.hpp>
#include <boost/url/params_view.hpp>

#include "base/status.h"
#include "engine/audit.h"

namespace assent::api {

// kInvalidArgument naming the parameter. Durations count back from `now_ms`.
Result<engine::AuditQuery> ParseAuditQuery(const boost::urls::params_view& params,
                                           int64_t now_ms);

// {"entries": [...], "next": "..."}; next is absent on the last page.
boost::json::object ToJson(const engine::AuditPage& page);

}  // namespace assent::api
