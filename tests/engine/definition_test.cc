#include "engine/internal/definition.h"

#include "engine/internal/duration_text.h"
#include "engine/internal/time_text.h"

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace assent::engine {
namespace {

using ::testing::HasSubstr;

constexpr const char* kInvoice = R"({"name": "invoice-payment",
 "steps": [
  {"id": "extract", "type": "code", "lua": "return {amount = input.amount, vendor = input.vendor}"},
  {"id": "check", "type": "condition", "if": "steps.extract.amount > 5000", "then": "review", "else": "pay"},
  {"id": "review", "type": "approval", "message": "Pay {{steps.extract.amount}} to {{steps.extract.vendor}}?",
   "show": {"amount": "{{steps.extract.amount}}", "vendor": "{{steps.extract.vendor}}"}},
  {"id": "pay", "type": "http", "method": "POST", "url": "http://127.0.0.1:9999/payments",
   "body": {"amount": "{{steps.extract.amount}}", "vendor": "{{steps.extract.vendor}}"}},
  {"id": "done", "type": "code", "lua": "return {payment = steps.pay}"}
 ]})";

Status ParseError(const std::string& document, std::string_view name = "wf") {
  auto parsed = ParseDefinition(name, boost::json::parse(document));
  return parsed.ok() ? Status::Ok() : parsed.status();
}

TEST(DefinitionTest, AcceptsTheInvoiceExample) {
  auto parsed = ParseDefinition("invoice-payment", boost::json::parse(kInvoice));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const WorkflowDefinition& definition = **parsed;
  ASSERT_EQ(definition.steps.size(), 5u);
  EXPECT_EQ(definition.Find("check")->then_step, "review");
  EXPECT_EQ(definition.NextAfter(*definition.Find("extract")), "check");
  EXPECT_EQ(definition.NextAfter(*definition.Find("done")), kEndStep);
  EXPECT_EQ(definition.Find("pay")->method, "POST");
}

std::string ApprovalWith(const std::string& fields) {
  return R"({"steps": [{"id": "review", "type": "approval", "message": "ok?", )" + fields + "}]}";
}

TEST(DefinitionTest, ReadsApprovalTimeouts) {
  auto parsed = ParseDefinition(
      "wf", boost::json::parse(ApprovalWith(R"("timeout": "1d2h", "on_timeout": "approve")")));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ((*parsed)->steps[0].approval_timeout_ms, 26 * 3'600'000);
  EXPECT_EQ((*parsed)->steps[0].on_timeout, OnTimeout::kApprove);
  auto plain = ParseDefinition("wf", boost::json::parse(ApprovalWith(R"("timeout": "90s")")));
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ((*plain)->steps[0].approval_timeout_ms, 90'000);
  EXPECT_EQ((*plain)->steps[0].on_timeout, OnTimeout::kFail) << "the default";
}

TEST(DefinitionTest, RejectsBadTimeoutsNamingTheStepAndField) {
  struct Case {
    std::string fields;
    std::string says;
  };
  const Case cases[] = {
      {R"("timeout": "soon")", "step 'review': 'timeout': \"soon\" is not a duration"},
      {R"("timeout": "10")", "each number needs a unit"},
      {R"("timeout": "1m1h")", "from largest to smallest"},
      {R"("timeout": 60)", "step 'review': 'timeout' must be a string"},
      {R"("timeout": "500ms")", "step 'review': 'timeout' must be from 1s to 366d"},
      {R"("timeout": "400d")", "must be from 1s to 366d"},
      {R"("timeout": "99999999999999999999d")", "a number is too large"},
      {R"("on_timeout": "approve")", "step 'review': 'on_timeout' needs a 'timeout'"},
      {R"("timeout": "1h", "on_timeout": "escalate")",
       "step 'review': 'on_timeout' must be \"fail\", \"approve\" or \"reject\""},
  };
  for (const Case& c : cases) {
    Status status = ParseError(ApprovalWith(c.fields));
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.fields;
    EXPECT_THAT(status.message(), HasSubstr(c.says)) << c.fields;
  }
  EXPECT_THAT(ParseError(R"({"steps": [{"id": "a", "type": "code", "lua": "return 1", "timeout": "1h"}]})")
                  .message(),
              HasSubstr("unknown field 'timeout' for a code step"));
}

TEST(DurationTextTest, ReadsEveryUnitAndWritesTheShortestFormBack) {
  EXPECT_EQ(ParseDuration("7d").value(), 7 * 86'400'000);
  EXPECT_EQ(ParseDuration("1h30m").value(), 5'400'000);
  EXPECT_EQ(ParseDuration("2m500ms").value(), 120'500);
  EXPECT_EQ(FormatDuration(5'400'000), "1h30m");
  EXPECT_EQ(FormatDuration(90'000), "1m30s");
  EXPECT_EQ(FormatDuration(0), "0s");
  for (int64_t ms : {1, 999, 1'000, 61'001, 86'400'000, 123'456'789}) {
    EXPECT_EQ(ParseDuration(FormatDuration(ms)).value(), ms) << ms;
  }
  for (const char* bad : {"", "h", "1", "1x", "-1s", "1s1s", "1 s", "1.5h", "1hh"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(DefinitionTest, ReadsWaitStepsAndRefusesBadOnes) {
  auto parsed = ParseDefinition(
      "wf", boost::json::parse(R"({"steps": [{"id": "w", "type": "wait", "for": "1h30m"},
                                             {"id": "u", "type": "wait", "until": "{{input.at}}"}]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ((*parsed)->steps[0].wait_for_ms, 5'400'000);
  EXPECT_EQ((*parsed)->steps[1].wait_until, "{{input.at}}");
  struct Case {
    std::string step;
    std::string says;
  };
  const Case cases[] = {
      {R"({"id": "w", "type": "wait"})", "step 'w': a wait step takes either 'for' (a duration) or 'until' (a time), not both"},
      {R"({"id": "w", "type": "wait", "for": "1h", "until": "{{input.at}}"})", "not both"},
      {R"({"id": "w", "type": "wait", "for": "soon"})", "step 'w': 'for': \"soon\" is not a duration"},
      {R"({"id": "w", "type": "wait", "for": "400d"})", "step 'w': 'for' must be from 1ms to 366d"},
      {R"({"id": "w", "type": "wait", "until": "{{input.at"})", "step 'w': 'until':"},
      {R"({"id": "w", "type": "wait", "for": "1h", "lua": "return 1"})", "unknown field 'lua' for a wait step"},
  };
  for (const Case& c : cases) {
    Status status = ParseError(R"({"steps": [)" + c.step + "]}");
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.step;
    EXPECT_THAT(status.message(), HasSubstr(c.says)) << c.step;
  }
}

TEST(TimeTextTest, ReadsRfc3339WithFractionsAndOffsets) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:01.5Z").value(), 1'500);
  EXPECT_EQ(ParseRfc3339("1970-01-01T01:00:00.123456+01:00").value(), 123);
  EXPECT_EQ(ParseRfc3339("1969-12-31T23:00:00-01:00").value(), 0);
  EXPECT_FALSE(ParseRfc3339("1969-12-31T23:59:59Z").ok()) << "before 1970";
  EXPECT_EQ(ParseRfc3339("9999-12-31T23:59:59.999Z").value(), 253'402'300'799'999);
  EXPECT_FALSE(ParseRfc3339("9999-12-31T23:59:59-00:01").ok()) << "after 9999";
  EXPECT_EQ(ParseRfc3339("2024-02-29T12:00:00z").value(), 1'709'208'000'000);
  EXPECT_EQ(FormatRfc3339(1'709'208'000'123), "2024-02-29T12:00:00.123Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
  for (const char* bad : {"", "2026-12-01", "2026-12-01T09:00:00", "2026-12-01 09:00:00Z",
                          "2026-02-30T09:00:00Z", "2026-13-01T09:00:00Z", "2026-12-01T25:00:00Z",
                          "2026-12-01T09:00:00.Z", "2026-12-01T09:00:00+1:00",
                          "2026-12-01T09:00:00+24:00", "2026-12-01T09:00:00Zjunk"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
  EXPECT_EQ(TimeOf(boost::json::value(1234)).value(), 1234);
  EXPECT_FALSE(TimeOf(boost::json::value(1.5)).ok());
}

TEST(DefinitionTest, RejectsUnknownStepTypeNamingTheStep) {
  Status status = ParseError(R"({"steps": [{"id": "a", "type": "teleport"}]})");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("step 'a'"));
  EXPECT_THAT(status.message(), HasSubstr("unknown type 'teleport'"));
}

TEST(DefinitionTest, RejectsDanglingNext) {
  Status status = ParseError(
      R"({"steps": [{"id": "a", "type": "code", "lua": "return 1", "next": "nowhere"}]})");
  EXPECT_THAT(status.message(), HasSubstr("step 'a': 'next' names unknown step 'nowhere'"));
}

TEST(DefinitionTest, RejectsDanglingThenAndElse) {
  Status then_status = ParseError(
      R"({"steps": [{"id": "c", "type": "condition", "if": "true", "then": "revew", "else": "end"}]})");
  EXPECT_THAT(then_status.message(), HasSubstr("step 'c': 'then' names unknown step 'revew'"));
  Status else_status = ParseError(
      R"({"steps": [{"id": "c", "type": "condition", "if": "true", "then": "end", "else": "x"}]})");
  EXPECT_THAT(else_status.message(), HasSubstr("step 'c': 'else' names unknown step 'x'"));
}

TEST(DefinitionTest, RejectsDuplicateIds) {
  Status status = ParseError(R"({"steps": [{"id": "a", "type": "code", "lua": "return 1"},
                                           {"id": "a", "type": "code", "lua": "return 2"}]})");
  EXPECT_THAT(status.message(), HasSubstr("step 'a': duplicate id"));
}

TEST(DefinitionTest, RejectsLuaSyntaxErrorsInCodeAndConditions) {
  Status code = ParseError(R"({"steps": [{"id": "x", "type": "code", "lua": "return {"}]})");
  EXPECT_EQ(code.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(code.message(), HasSubstr("step 'x': 'lua'"));
  Status condition = ParseError(
      R"({"steps": [{"id": "c", "type": "condition", "if": "amount >", "then": "end", "else": "end"}]})");
  EXPECT_THAT(condition.message(), HasSubstr("step 'c': 'if'"));
}

TEST(DefinitionTest, RejectsMissingFieldsAndUnknownFields) {
  EXPECT_THAT(ParseError(R"({"steps": [{"id": "x", "type": "code"}]})").message(),
              HasSubstr("step 'x': missing required field 'lua'"));
  EXPECT_THAT(
      ParseError(R"({"steps": [{"id": "x", "type": "code", "lua": "return 1", "luaa": ""}]})")
          .message(),
      HasSubstr("step 'x': unknown field 'luaa'"));
  EXPECT_THAT(ParseError(R"({"steps": [{"type": "code", "lua": "return 1"}]})").message(),
              HasSubstr("step #1: missing required field 'id'"));
}

TEST(DefinitionTest, RejectsBadTemplatesAndUrls) {
  EXPECT_THAT(
      ParseError(R"({"steps": [{"id": "r", "type": "approval", "message": "Pay {{steps.x"}]})")
          .message(),
      HasSubstr("step 'r': 'message'"));
  EXPECT_THAT(ParseError(R"({"steps": [{"id": "p", "type": "http", "url": "not a url"}]})")
                  .message(),
              HasSubstr("step 'p': 'url' is not an absolute URL"));
  EXPECT_THAT(
      ParseError(R"({"steps": [{"id": "p", "type": "http", "url": "ftp://example.com/x"}]})")
          .message(),
      HasSubstr("'url' must use http:// or https://"));
  EXPECT_THAT(ParseError(R"({"steps": [{"id": "p", "type": "http", "url": "https://example.com/x",
                                         "ca_file": "ca.pem"}]})")
                  .message(),
              HasSubstr("step 'p': 'ca_file': must be an absolute path"));
  EXPECT_THAT(ParseError(R"({"steps": [{"id": "p", "type": "http", "method": "FETCH",
                                         "url": "http://127.0.0.1/x"}]})")
                  .message(),
              HasSubstr("'method' must be one of"));
}

TEST(DefinitionTest, ReadsHttpsUrlsWithACaFile) {
  auto parsed = ParseDefinition("wf", boost::json::parse(R"({"steps": [{"id": "p", "type": "http",
      "url": "https://api.example.com/pay", "ca_file": "/etc/assent/ca.pem"}]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ((*parsed)->steps[0].ca_file, "/etc/assent/ca.pem");
}

TEST(DefinitionTest, ReadsAnHttpStepsConnectionBoundAndRefusesBadOnes) {
  auto parsed = ParseDefinition("wf", boost::json::parse(R"({"steps": [{"id": "p", "type": "http",
      "url": "http://127.0.0.1:9/pay", "max_connections": 4}]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ((*parsed)->steps[0].max_connections, 4u);
  for (const char* bad : {"0", "1001", "\"4\"", "2.5"}) {
    Status status = ParseError(std::string(R"({"steps": [{"id": "p", "type": "http",
        "url": "http://127.0.0.1:9/pay", "max_connections": )") + bad + "}]}");
    EXPECT_THAT(status.message(),
                HasSubstr("step 'p': 'max_connections' must be an integer from 1 to 1000"))
        << bad;
  }
}

TEST(DefinitionTest, ReadsAnHttpStepsRetryTimeoutAndOnError) {
  auto parsed = ParseDefinition("wf", boost::json::parse(R"({"steps": [{"id": "p", "type": "http",
      "url": "http://127.0.0.1:9/pay", "timeout": "30s", "on_error": "tell",
      "retry": {"max_attempts": 20, "backoff": "500ms", "max_backoff": "2m", "jitter": 0.5,
                "retry_on": [503, 429], "give_up_after": "6h"}},
      {"id": "tell", "type": "code", "lua": "return steps.p.error"}]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const StepDefinition& step = (*parsed)->steps[0];
  EXPECT_EQ(step.timeout_ms, 30'000u);
  EXPECT_EQ(step.on_error, "tell");
  EXPECT_EQ(step.retry, (HttpRetrySpec{.max_attempts = 20,
                                       .backoff_ms = 500,
                                       .max_backoff_ms = 120'000,
                                       .jitter = 0.5,
                                       .retry_on = std::vector<unsigned>{503, 429},
                                       .give_up_after_ms = 6 * 3'600'000}));
  // The older spellings still read; what a step leaves out stays the server's.
  auto older = ParseDefinition("wf", boost::json::parse(R"({"steps": [{"id": "p", "type": "http",
      "url": "http://127.0.0.1:9/pay", "max_attempts": 5, "timeout_ms": 2000,
      "retry": {"jitter": true}}]})"));
  ASSERT_TRUE(older.ok()) << older.status().ToString();
  EXPECT_EQ((*older)->steps[0].timeout_ms, 2'000u);
  EXPECT_EQ((*older)->steps[0].retry, (HttpRetrySpec{.max_attempts = 5, .jitter = 0.2}));
}

TEST(DefinitionTest, RefusesBadRetriesNamingTheStepAndField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"("retry": 3)", "step 'p': 'retry' must be an object"},
      {R"("retry": {"tries": 3})", "step 'p': 'retry': unknown field 'tries'"},
      {R"("retry": {"max_attempts": 0})",
       "step 'p': 'retry': 'max_attempts' must be an integer from 1 to 10000"},
      {R"("retry": {"backoff": "soon"})",
       "step 'p': 'retry': 'backoff' \"soon\" is not a duration"},
      {R"("retry": {"backoff": "2d"})", "step 'p': 'retry': 'backoff' must be from 1ms to 24h"},
      {R"("retry": {"backoff": "10s", "max_backoff": "1s"})",
       "step 'p': 'retry': 'backoff' must not be longer than 'max_backoff'"},
      {R"("retry": {"give_up_after": "500ms"})",
       "step 'p': 'retry': 'give_up_after' must be from 1s to 366d"},
      {R"("retry": {"jitter": 1.5})",
       "step 'p': 'retry': 'jitter' must be true, false or a fraction from 0 to 1"},
      {R"("retry": {"retry_on": [503, "429"]})",
       "step 'p': 'retry': 'retry_on' must be a list of up to 100 HTTP status codes"},
      {R"("retry": {"retry_on": [99]})", "step 'p': 'retry': 'retry_on' must be a list"},
      {R"("max_attempts": 3, "retry": {"max_attempts": 4})",
       "step 'p': 'max_attempts' is given twice, on the step and in 'retry': give one"},
      {R"("timeout": "30s", "timeout_ms": 30000)",
       "step 'p': 'timeout' and 'timeout_ms' say the same: give one"},
      {R"("timeout": "11m")", "step 'p': 'timeout' must be from 1ms to 10m"},
      {R"("on_error": "nowhere")", "step 'p': 'on_error' names unknown step 'nowhere'"},
      {R"("retry": {}, "on_reject": "p")", "step 'p': 'on_reject' needs 'require_approval'"},
  };
  for (const auto& [fields, error] : cases) {
    Status status = ParseError(std::string(R"({"steps": [{"id": "p", "type": "http",
        "url": "http://127.0.0.1:9/pay", )") + fields + "}]}");
    EXPECT_THAT(status.message(), HasSubstr(error)) << fields;
  }
}

TEST(DefinitionTest, ReadsAllowHosts) {
  auto parsed = ParseDefinition("wf", boost::json::parse(R"({"steps": [{"id": "p", "type": "http",
      "url": "http://{{input.host}}/x", "allow_hosts": ["api.example.com", "127.0.0.1:8080"]}]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_FALSE((*parsed)->steps[0].allow_hosts.empty());
  EXPECT_TRUE(CheckNewDefinition(**parsed).ok());
  EXPECT_THAT(ParseError(R"({"steps": [{"id": "p", "type": "http", "url": "http://h/",
                                         "allow_hosts": ["h", "a b"]}]})")
                  .message(),
              HasSubstr("step 'p': 'allow_hosts': entry 'a b'"));
  EXPECT_THAT(ParseError(R"({"steps": [{"id": "p", "type": "code", "lua": "return 1",
                                         "allow_hosts": ["h"]}]})")
                  .message(),
              HasSubstr("unknown field 'allow_hosts'"));
}

TEST(DefinitionTest, NewDefinitionsMeetTheHttpStepRulesStoredOnesNeedNot) {
  // Stored before the origin rule: it parses (runs pinned to it continue) but is not applied.
  auto parsed = ParseDefinition("wf", boost::json::parse(R"({"steps": [{"id": "p", "type": "http",
      "url": "http://{{input.host}}/x"}]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_THAT(CheckNewDefinition(**parsed).message(),
              HasSubstr("step 'p': url: the scheme, host and port must be literal"));
}

TEST(DefinitionTest, RejectsBadDocumentShapes) {
  EXPECT_THAT(ParseError(R"([])").message(), HasSubstr("must be a JSON object"));
  EXPECT_THAT(ParseError(R"({"steps": []})").message(), HasSubstr("non-empty array"));
  EXPECT_THAT(ParseError(R"({"name": "other", "steps": [{"id": "a", "type": "code", "lua": "return 1"}]})")
                  .message(),
              HasSubstr("'name' in the document must be \"wf\""));
  EXPECT_THAT(ParseError(R"({"steps": [{"id": "a", "type": "code", "lua": "return 1"}]})",
                         "bad name!")
                  .message(),
              HasSubstr("workflow name"));
  EXPECT_THAT(ParseError(R"({"steps": [{"id": "end", "type": "code", "lua": "return 1"}]})")
                  .message(),
              HasSubstr("reserved"));
}

TEST(DefinitionTest, ReadsAccessListsAndTheirApprovers) {
  auto parsed = ParseDefinition("wf", boost::json::parse(R"({
    "viewers": ["bob", "group:audit"], "editors": ["group:ops"], "starters": ["*"],
    "steps": [{"id": "r", "type": "approval", "message": "ok?", "approvers": ["erin@example.com"],
               "self_approval": false},
              {"id": "s", "type": "approval", "message": "ok?"}]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const WorkflowDefinition& definition = **parsed;
  Principal bob{.id = "bob"};
  Principal auditor{.id = "x", .groups = {"audit"}};
  Principal erin{.id = "erin@example.com"};
  EXPECT_TRUE(definition.access.viewers.Admits(bob));
  EXPECT_TRUE(definition.access.viewers.Admits(auditor));
  EXPECT_FALSE(definition.access.editors.Admits(bob));
  EXPECT_TRUE(definition.access.starters.Admits(Principal{.id = "anyone"}));
  EXPECT_TRUE(definition.access.approvers.Admits(erin)) << "the union of the steps' approvers";
  EXPECT_TRUE(definition.Find("r")->approvers.Admits(erin));
  EXPECT_FALSE(definition.Find("r")->self_approval);
  EXPECT_TRUE(definition.Find("s")->approvers.empty());
  EXPECT_TRUE(definition.Find("s")->self_approval);
}

TEST(DefinitionTest, RejectsMalformedAccessLists) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"viewers": [], "steps": [{"id": "a", "type": "code", "lua": "return 1"}]})",
       "'viewers': must be a non-empty array of user ids, \"group:<name>\" or \"*\""},
      {R"({"editors": "bob", "steps": [{"id": "a", "type": "code", "lua": "return 1"}]})",
       "'editors': must be a non-empty array"},
      {R"({"starters": ["bob", 7], "steps": [{"id": "a", "type": "code", "lua": "return 1"}]})",
       "'starters': entry 2 must be a user id"},
      {R"({"viewers": ["group:"], "steps": [{"id": "a", "type": "code", "lua": "return 1"}]})",
       "'viewers': entry 1: group name must be"},
      {R"({"viewers": ["a b"], "steps": [{"id": "a", "type": "code", "lua": "return 1"}]})",
       "'viewers': entry 1: 'a b' is not a user id"},
      {R"({"owners": ["bob"], "steps": [{"id": "a", "type": "code", "lua": "return 1"}]})",
       "unknown field 'owners'"},
      {R"({"steps": [{"id": "r", "type": "approval", "message": "m", "approvers": ["*", ""]}]})",
       "step 'r': 'approvers': entry 2"},
      {R"({"steps": [{"id": "r", "type": "approval", "message": "m", "self_approval": 0}]})",
       "step 'r': 'self_approval' must be true or false"},
      {R"({"steps": [{"id": "c", "type": "code", "lua": "return 1", "approvers": ["bob"]}]})",
       "step 'c': unknown field 'approvers' for a code step"},
  };
  for (const auto& [document, expected] : cases) {
    Status status = ParseError(document);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << document;
    EXPECT_NE(status.message().find(expected), std::string::npos)
        << document << "\n  gave: " << status.message();
  }
}

}  // namespace
}  // namespace assent::engine
