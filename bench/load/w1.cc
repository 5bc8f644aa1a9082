#include "bench/load/w1.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace assent::bench {

boost::json::value W1Definition(std::string_view name, std::string_view editors_group,
                                std::string_view approval_timeout) {
  boost::json::value definition = boost::json::parse(R"json({"steps": [
    {"id": "extract", "type": "code", "lua": "return {amount = input.amount, vendor = input.vendor}"},
    {"id": "check", "type": "condition", "if": "steps.extract.amount > 5000", "then": "approval", "else": "pay"},
    {"id": "approval", "type": "approval", "message": "Pay {{steps.extract.amount}} to {{steps.extract.vendor}}?",
     "show": {"amount": "{{steps.extract.amount}}", "vendor": "{{steps.extract.vendor}}"}},
    {"id": "pay", "type": "code", "lua": "return {payment_id = 'pay-' .. input.invoice_id}"},
    {"id": "notify", "type": "code", "lua": "return {sent = true}"},
    {"id": "result", "type": "code",
     "lua": "return {payment_id = steps.pay.payment_id, approved_by = steps.approval and steps.approval.reviewer or 'auto'}"}
  ]})json");
  definition.as_object()["name"] = name;
  definition.as_object()["editors"] = boost::json::array{"group:" + std::string(editors_group)};
  if (!approval_timeout.empty()) {
    definition.at("steps").at(2).as_object()["timeout"] = approval_timeout;  // "approval"
  }
  return definition;
}

bool W1NeedsApproval(int index) { return index % 2 == 0; }

boost::json::object W1Input(int index) {
  // The same amounts as the peer driver's makeInput.
  int64_t spread = (int64_t{index} * 7919);
  int64_t amount = W1NeedsApproval(index) ? 5001 + spread % 95000 : 10 + spread % 4990;
  return {{"invoice_id", "inv-" + std::to_string(index)},
          {"amount", amount},
          {"vendor", "vendor-" + std::to_string(index % 97)}};
}

std::string CheckW1Output(int index, const boost::json::value& output, const std::string& reviewer) {
  boost::json::value expected = boost::json::object{
      {"payment_id", "pay-inv-" + std::to_string(index)},
      {"approved_by", W1NeedsApproval(index) ? reviewer : std::string("auto")}};
  if (output == expected) return {};
  return "run " + std::to_string(index) + ": expected " + boost::json::serialize(expected) +
         ", got " + boost::json::serialize(output);
}

}  // namespace assent::bench
