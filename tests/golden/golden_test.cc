// Data written by earlier versions must still read. tests/golden/v<N> holds the bytes the code
// of format version N wrote for the golden runs (golden_runs.h): the events column family's
// entries (keys and chunks), the index entries, and a snapshot of each run. Each is decoded
// with today's codecs and compared with what today's code builds for the same runs.
//   v1  approval records and snapshots hold their approvals' comments inline
//   v2  each comment is an approval-comments index entry; records and snapshots count them
//   v3  the audit index: an entry per start, decision, comment and cancel in each scope
//   v4  approval records name the run's version and starter (who may decide, without a fold)
//   v5  the approval language: due times, quorums, reminders and escalations (with the timers
//       index), votes with edits, tool-level gates, run retries, outside agents' gates (title
//       and approvers); with golden runs d, e and f, which the older versions do not have
//
// The files are never rewritten: a change that cannot read them breaks existing data dirs.
// A new format version adds tests/golden/v<N+1> next to the others (ASSENT_WRITE_GOLDEN=<dir>
// writes the files of today's code into <dir>), and all stay.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "engine/internal/approval_record.h"
#include "engine/internal/audit_index.h"
#include "engine/internal/index_keys.h"
#include "engine/internal/run_commands.h"
#include "engine/internal/run_snapshot.h"
#include "schemas/event_generated.h"
#include "storage/internal/chunks.h"
#include "storage/internal/keys.h"
#include "storage/internal/records.h"
#include "tests/engine/kept_comments.h"
#include "tests/engine/run_state_printer.h"
#include "tests/golden/golden_file.h"
#include "tests/golden/golden_runs.h"

namespace assent::golden {
namespace {

using engine::RunState;

std::string GoldenDir(std::string_view version) {
  return std::string(ASSENT_SOURCE_DIR) + "/tests/golden/" + std::string(version);
}

// What today's code stores for the golden runs, entry by entry.
struct Stored {
  Entries events;     // events key -> chunk
  Entries indexes;    // index number byte + key -> value (the index as the commits left it)
  Entries snapshots;  // "<run id>@<seq>" -> snapshot of the run after each commit
};

// The format version a test runs against, as a number: "v3" -> 3.
int FormatVersion(std::string_view name) { return std::stoi(std::string(name.substr(1))); }

std::string SnapshotName(const RunState& state) {
  return state.run_id + "@" + std::to_string(state.last_seq);
}

Stored StoreToday(const GoldenRuns& runs) {
  Stored stored;
  std::map<std::string, std::string> index;
  for (const storage::AppendBatch& commit : runs.commits) {
    for (const auto& chunk : storage::internal::EncodeChunks(commit.records)) {
      stored.events.emplace_back(chunk.key, chunk.value);
    }
    for (const storage::IndexOp& op : commit.index_ops) {
      std::string key = std::string(1, static_cast<char>(op.index)) + op.key;
      if (op.value) {
        index[key] = *op.value;
      } else {
        index.erase(key);
      }
    }
  }
  stored.indexes.assign(index.begin(), index.end());
  // Mid-run states too: running, waiting, a step in flight, a retry pending, no output yet.
  for (const RunState& state : runs.states_after_commits) {
    stored.snapshots.emplace_back(SnapshotName(state), engine::EncodeSnapshot(state));
  }
  return stored;
}

// Folds each run of the events column family's entries, reading them as ReadRun does.
std::map<std::string, RunState> FoldEvents(const Entries& events) {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> chunks_by_run;
  for (const auto& [key, value] : events) {
    std::string_view run_id;
    uint64_t seq = 0;
    EXPECT_TRUE(storage::internal::DecodeEventKey(key, &run_id, &seq)) << "events key";
    chunks_by_run[std::string(run_id)].emplace_back(key, value);
  }
  std::map<std::string, RunState> states;
  for (auto& [run_id, chunks] : chunks_by_run) {
    std::sort(chunks.begin(), chunks.end());  // key order, as a scan reads them
    std::vector<std::string> records;
    storage::internal::RunReader reader(run_id, 1, &records);
    for (const auto& [key, value] : chunks) {
      Status added = reader.Add(key, value);
      EXPECT_TRUE(added.ok()) << added.ToString();
    }
    RunState& state = states[run_id];
    for (const std::string& record : records) engine::Apply(state, *fb::GetEvent(record.data()));
  }
  return states;
}

// Each test runs against every format version: the parameter names its directory.
class GoldenTest : public ::testing::TestWithParam<const char*> {
 protected:
  static void SetUpTestSuite() {
    if (const char* dir = std::getenv("ASSENT_WRITE_GOLDEN")) {
      Stored stored = StoreToday(BuildGoldenRuns(kNewestGoldenFormat));
      WriteEntries(std::string(dir) + "/events.bin", stored.events);
      WriteEntries(std::string(dir) + "/indexes.bin", stored.indexes);
      WriteEntries(std::string(dir) + "/snapshots.bin", stored.snapshots);
    }
  }

  void SetUp() override {
    kDir = GoldenDir(GetParam());
    // The approval-comments index as the golden runs leave it (v1 files have none: the
    // decoders then read comments inline, or from what the log holds).
    for (const auto& [run_id, state] : today_.final_states) comments_.Keep(state);
  }

  GoldenRuns today_ = BuildGoldenRuns(FormatVersion(GetParam()));
  std::string kDir;
  engine::KeptComments comments_;
};

TEST_P(GoldenTest, EventsFoldToTodaysStates) {
  std::map<std::string, RunState> folded = FoldEvents(ReadEntries(kDir + "/events.bin"));
  ASSERT_EQ(folded.size(), today_.final_states.size());
  for (const auto& [run_id, state] : today_.final_states) EXPECT_EQ(folded[run_id], state);

  // The meaning, pinned by hand as well: the fold of old events must not drift either.
  const RunState& a = folded["run_golden_a"];
  EXPECT_EQ(a.status, engine::RunStatus::kCancelled);
  EXPECT_EQ(a.error, "cancelled by bob: duplicate");
  EXPECT_EQ(a.last_seq, 12u);
  ASSERT_EQ(a.approvals.size(), 2u);
  EXPECT_EQ(a.approvals[0].status, engine::ApprovalStatus::kApproved);
  EXPECT_EQ(a.approvals[0].comments.at(0).text, "looks fine");
  EXPECT_EQ(a.approvals[1].status, engine::ApprovalStatus::kCancelled);
  EXPECT_EQ(a.approvals[0].show.at("note"), "caf\u00e9 \u2713");
  EXPECT_EQ(folded["run_golden_b"].status, engine::RunStatus::kFailed);
  EXPECT_EQ(folded["run_golden_b"].approvals.at(0).decisions.at(0).decision,
            engine::Decision::kReject);
  EXPECT_EQ(folded["run_golden_c"].status, engine::RunStatus::kCompleted);
  EXPECT_EQ(*folded["run_golden_c"].output, boost::json::parse(R"({"amount":10})"));
  if (FormatVersion(GetParam()) < 5) return;

  const engine::ApprovalView& voted = folded["run_golden_d"].approvals.at(0);
  EXPECT_EQ(voted.status, engine::ApprovalStatus::kPending);  // one vote of a quorum of two
  EXPECT_EQ(voted.quorum, 2u);
  EXPECT_EQ(voted.decisions.size(), 1u);
  EXPECT_EQ(voted.rung, 1u);
  EXPECT_EQ(voted.due_at_ms, 1764000000000 + 3'603'000 + 7'200'000);
  EXPECT_EQ(voted.remind_at_ms, 1764000000000 + 3'603'000 + 3'600'000);  // rung 1's reminder
  const engine::ApprovalView& gate = folded["run_golden_e"].approvals.at(0);
  EXPECT_TRUE(gate.IsAgentGate());
  EXPECT_EQ(gate.title, "Refund A-1001");
  EXPECT_EQ(gate.approvers, (std::vector<std::string>{"group:support-leads", "lead"}));
  EXPECT_EQ(gate.status, engine::ApprovalStatus::kTimedOut);
  EXPECT_EQ(folded["run_golden_e"].status, engine::RunStatus::kFailed);
  const RunState& retried = folded["run_golden_f"];
  EXPECT_EQ(retried.status, engine::RunStatus::kRunning);
  EXPECT_GT(retried.wake_at_ms, 0);
}

TEST_P(GoldenTest, SnapshotsDecodeToTodaysStates) {
  Entries snapshots = ReadEntries(kDir + "/snapshots.bin");
  ASSERT_EQ(snapshots.size(), today_.states_after_commits.size());
  for (size_t i = 0; i < snapshots.size(); ++i) {
    const auto& [name, bytes] = snapshots[i];
    const RunState& expected = today_.states_after_commits[i];
    EXPECT_EQ(name, SnapshotName(expected));
    Result<RunState> decoded = engine::DecodeSnapshot(bytes, comments_.Source());
    ASSERT_TRUE(decoded.ok()) << name << ": " << decoded.status().ToString();
    EXPECT_EQ(*decoded, expected);
  }
  // Among them every field away from its default at least once, so a field read from the wrong
  // place cannot pass by reading a default.
  auto any = [&](auto predicate) {
    return std::any_of(today_.states_after_commits.begin(), today_.states_after_commits.end(),
                       predicate);
  };
  EXPECT_TRUE(any([](const RunState& s) { return s.step_in_flight; }));
  EXPECT_TRUE(any([](const RunState& s) { return s.retry_pending; }));
  EXPECT_TRUE(any([](const RunState& s) { return s.failures > 0 && s.attempt > 0; }));
  EXPECT_TRUE(any([](const RunState& s) { return s.status == engine::RunStatus::kWaiting; }));
  EXPECT_TRUE(any([](const RunState& s) { return s.status == engine::RunStatus::kRunning; }));
  EXPECT_TRUE(any([](const RunState& s) { return !s.output.has_value(); }));
  EXPECT_TRUE(any([](const RunState& s) { return s.output.has_value(); }));
}

TEST_P(GoldenTest, IndexEntriesDecodeToTodaysEntries) {
  Entries golden = ReadEntries(kDir + "/indexes.bin");
  Entries today;
  for (auto& entry : StoreToday(today_).indexes) {
    // Only the indexes the version had: v1 had no approval-comments index, v1 and v2 no audit.
    auto index = static_cast<storage::Index>(entry.first[0]);
    if (index == storage::Index::kApprovalComments && GetParam() == std::string_view("v1")) {
      continue;
    }
    if (index == storage::Index::kAudit && FormatVersion(GetParam()) < 3) continue;
    today.push_back(std::move(entry));
  }
  ASSERT_EQ(golden.size(), today.size());
  std::set<storage::Index> seen;
  std::set<std::string> audited;  // "actor kind run@seq", once per event whatever its scopes
  std::set<std::string> timed;    // "timer id@due time"
  for (size_t i = 0; i < golden.size(); ++i) {
    const auto& [key, value] = golden[i];
    ASSERT_GE(key.size(), 2u);
    auto index = static_cast<storage::Index>(key[0]);
    std::string_view index_key = std::string_view(key).substr(1);
    seen.insert(index);
    EXPECT_EQ(key, today[i].first) << "index keys are built the same way";
    switch (index) {
      case storage::Index::kRunsByStatus: {
        auto entry = engine::DecodeRunsByStatusKey(index_key);
        ASSERT_TRUE(entry.has_value());
        const RunState& run = today_.final_states.at(std::string(entry->id));
        EXPECT_EQ(entry->status, run.status);
        EXPECT_EQ(value, run.workflow);
        break;
      }
      case storage::Index::kApprovalsByStatus: {
        auto entry = engine::DecodeApprovalsByStatusKey(index_key);
        ASSERT_TRUE(entry.has_value());
        Result<engine::ApprovalView> approval =
            engine::DecodeApprovalRecord(value, comments_.Source());
        ASSERT_TRUE(approval.ok()) << approval.status().ToString();
        const RunState& run = today_.final_states.at(approval->run_id);
        const engine::ApprovalView* expected = run.FindApproval(entry->id);
        ASSERT_NE(expected, nullptr) << entry->id;
        // Records from before v0.9 do not name the workflow (queries fold the run for it),
        // those from before v0.10 neither the version nor the starter.
        if (FormatVersion(GetParam()) < 3) {
          EXPECT_EQ(approval->workflow, "");
          approval->workflow = expected->workflow;
        }
        if (FormatVersion(GetParam()) < 4) {
          EXPECT_EQ(approval->version, 0u);
          approval->version = expected->version;
          approval->started_by = expected->started_by;
        } else {
          EXPECT_NE(approval->version, 0u);
        }
        EXPECT_EQ(*approval, *expected);
        EXPECT_EQ(entry->status, expected->status);
        break;
      }
      case storage::Index::kStartKeys: {
        auto parts = engine::DecodeStartKey(index_key);
        ASSERT_TRUE(parts.has_value());
        const RunState& run = today_.final_states.at(value);
        EXPECT_EQ(parts->workflow, run.workflow);
        EXPECT_EQ(parts->idempotency_key, run.idempotency_key);
        break;
      }
      case storage::Index::kRunSnapshots:
        ADD_FAILURE() << "the golden runs are too short for a snapshot";
        break;
      case storage::Index::kApprovalComments: {
        auto parts = engine::DecodeApprovalCommentKey(index_key);
        ASSERT_TRUE(parts.has_value());
        Result<engine::CommentView> comment = engine::DecodeCommentRecord(value);
        ASSERT_TRUE(comment.ok()) << comment.status().ToString();
        std::string_view run_id = engine::RunIdOfApproval(parts->approval_id);
        const engine::ApprovalView* approval =
            today_.final_states.at(std::string(run_id)).FindApproval(parts->approval_id);
        ASSERT_NE(approval, nullptr) << parts->approval_id;
        EXPECT_EQ(*comment, approval->comments.at(parts->ordinal));
        break;
      }
      case storage::Index::kNotifyOutbox:
        // The golden runs' workflows name no notify targets: tests/golden/notify holds entries.
        ADD_FAILURE() << "the golden runs notify no one";
        break;
      case storage::Index::kTimers: {
        // From v5: run d's pending approval, due when its escalation rung runs out and
        // reminded before, and run f's wait step, due when it wakes.
        EXPECT_GE(FormatVersion(GetParam()), 5) << "the golden runs before v5 time nothing out";
        auto parts = engine::DecodeTimerKey(index_key);
        ASSERT_TRUE(parts.has_value());
        const RunState& run = today_.final_states.at(value);
        std::string_view timer_id = parts->timer_id;
        const bool reminder = timer_id.ends_with("/remind");
        if (reminder) timer_id.remove_suffix(std::string_view("/remind").size());
        if (const auto* approval = run.FindApproval(std::string(timer_id))) {
          EXPECT_EQ(approval->status, engine::ApprovalStatus::kPending);
          EXPECT_EQ(reminder ? approval->remind_at_ms : approval->due_at_ms, parts->due_at_ms);
        } else {
          EXPECT_EQ(run.wake_at_ms, parts->due_at_ms) << parts->timer_id;
        }
        timed.insert(std::string(parts->timer_id) + "@" + std::to_string(parts->due_at_ms));
        break;
      }
      case storage::Index::kSchedules:
        // Written beside the runs, by no run: schedules_test.cc covers them.
        ADD_FAILURE() << "the golden workflows have no schedule";
        break;
      case storage::Index::kAudit: {
        auto parts = engine::DecodeAuditKey(index_key);
        ASSERT_TRUE(parts.has_value());
        auto position = engine::DecodeAuditPosition(parts->position);
        Result<engine::AuditFacts> facts = engine::DecodeAuditRecord(value);
        ASSERT_TRUE(facts.ok()) << facts.status().ToString();
        const RunState& run = today_.final_states.at(position->run_id);
        EXPECT_EQ(facts->workflow, run.workflow);
        EXPECT_EQ(engine::DecodeAuditRecord(today[i].second).value(), *facts);
        audited.insert(facts->actor + " " + fb::EnumNameBody(facts->kind) + " " +
                       position->run_id + "@" + std::to_string(position->seq));
        break;
      }
    }
  }
  std::set<storage::Index> expected = {storage::Index::kRunsByStatus,
                                       storage::Index::kApprovalsByStatus,
                                       storage::Index::kStartKeys};
  if (GetParam() != std::string_view("v1")) expected.insert(storage::Index::kApprovalComments);
  if (FormatVersion(GetParam()) >= 3) {
    expected.insert(storage::Index::kAudit);
    // The golden runs' starts name no one (written as before identities); their decisions,
    // comments and cancels do.
    std::set<std::string> expected_audit = {
        " RunStarted run_golden_a@1", " RunStarted run_golden_b@1",
        " RunStarted run_golden_c@1", "carol CommentAdded run_golden_a@8",
        "alice ApprovalDecided run_golden_a@9", "bob RunCancelled run_golden_a@12",
        "alice ApprovalDecided run_golden_b@3"};
    if (FormatVersion(GetParam()) >= 5) {
      // Timeouts and escalations are audited with no actor: nobody decided them.
      expected_audit.insert({" RunStarted run_golden_d@1", "alice ApprovalDecided run_golden_d@3",
                             " ApprovalEscalated run_golden_d@5", "agent RunStarted run_golden_e@1",
                             " ApprovalTimedOut run_golden_e@3", " RunStarted run_golden_f@1",
                             "alice ApprovalDecided run_golden_f@3",
                             "alice RunRetried run_golden_f@7"});
    }
    EXPECT_EQ(audited, expected_audit);
  }
  if (FormatVersion(GetParam()) >= 5) {
    expected.insert(storage::Index::kTimers);
    EXPECT_EQ(timed, (std::set<std::string>{
                         "run_golden_d.2@" + std::to_string(1764000000000 + 3'603'000 + 7'200'000),
                         "run_golden_d.2/remind@" +
                             std::to_string(1764000000000 + 3'603'000 + 3'600'000),
                         "run_golden_f.10@" + std::to_string(1764000000000 + 5400 + 86'400'000)}));
  }
  EXPECT_EQ(seen, expected);
}

INSTANTIATE_TEST_SUITE_P(FormatVersions, GoldenTest, ::testing::Values("v1", "v2", "v3", "v4", "v5"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace assent::golden
