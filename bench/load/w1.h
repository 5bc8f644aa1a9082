// W1, the reference workload shared with the peer benchmarks (../shared/peers/restate):
// input {invoice_id, amount, vendor}, half the runs above 5000; extract (code), condition
// amount > 5000, an approval decided from outside, pay (code), notify (code); result
// {payment_id, approved_by}, checked for every run.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace assent::bench {

inline constexpr const char* kW1Name = "w1";
// The group W1's definition names as its editors: who may start its runs and decide them.
inline constexpr const char* kW1Editors = "w1-editors";
inline constexpr int kApprovalThreshold = 5000;

// The W1 definition document, named `name`, with the group `editors_group` as its editors and,
// unless empty, `approval_timeout` as the approval's "timeout" (a durable timer armed with
// every request and disarmed by its decision).
boost::json::value W1Definition(std::string_view name = kW1Name,
                                std::string_view editors_group = kW1Editors,
                                std::string_view approval_timeout = "");

// Input of run `index` (even indexes need an approval, as in the peer driver).
boost::json::object W1Input(int index);
bool W1NeedsApproval(int index);

// Empty when `output` is the result run `index` must produce with reviewer `reviewer`;
// otherwise what is wrong.
std::string CheckW1Output(int index, const boost::json::value& output, const std::string& reviewer);

}  // namespace assent::bench
