#include "engine/internal/approval_record.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace assent::engine {
namespace {

namespace json = boost::json;

}  // namespace

std::string EncodeApprovalRecord(const ApprovalView& approval) {
  json::array decisions;
  for (const DecisionView& decision : approval.decisions) {
    decisions.push_back({{"decision", ToString(decision.decision)},
                         {"reviewer", decision.reviewer},
                         {"comment", decision.comment},
                         {"at", decision.at_ms}});
  }
  json::array comments;
  for (const CommentView& comment : approval.comments) {
    comments.push_back({{"author", comment.author}, {"text", comment.text}, {"at", comment.at_ms}});
  }
  return json::serialize(json::object{{"id", approval.id},
                                      {"run_id", approval.run_id},
                                      {"step_id", approval.step_id},
                                      {"status", ToString(approval.status)},
                                      {"message", approval.message},
                                      {"show", approval.show},
                                      {"decisions", std::move(decisions)},
                                      {"comments", std::move(comments)},
                                      {"requested_at", approval.requested_at_ms}});
}

Result<ApprovalView> DecodeApprovalRecord(std::string_view record) {
  boost::system::error_code ec;
  json::value value = json::parse(record, ec);
  auto corrupt = [&] { return Status::Corruption("approval index record does not decode"); };
  if (ec || !value.is_object()) return corrupt();
  try {
    const json::object& object = value.as_object();
    ApprovalView approval;
    approval.id = object.at("id").as_string();
    approval.run_id = object.at("run_id").as_string();
    approval.step_id = object.at("step_id").as_string();
    auto status = ParseApprovalStatus(object.at("status").as_string());
    if (!status) return corrupt();
    approval.status = *status;
    approval.message = object.at("message").as_string();
    approval.show = object.at("show").as_object();
    for (const json::value& entry : object.at("decisions").as_array()) {
      auto decision = ParseDecision(entry.at("decision").as_string());
      if (!decision) return corrupt();
      approval.decisions.push_back(DecisionView{*decision, std::string(entry.at("reviewer").as_string()),
                                                std::string(entry.at("comment").as_string()),
                                                entry.at("at").as_int64()});
    }
    for (const json::value& entry : object.at("comments").as_array()) {
      approval.comments.push_back(CommentView{std::string(entry.at("author").as_string()),
                                              std::string(entry.at("text").as_string()),
                                              entry.at("at").as_int64()});
    }
    approval.requested_at_ms = object.at("requested_at").as_int64();
    return approval;
  } catch (const std::exception&) {  // a missing field or a wrong type: Boost.JSON throws
    return corrupt();
  }
}

}  // namespace assent::engine
