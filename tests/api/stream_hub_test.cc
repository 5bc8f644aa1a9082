// StreamHub's replay buffer and visibility, without sockets: notifications come from the fake
// engine, and a joining reviewer's replay is read from what Join returns.
#include "api/stream_hub.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>

#include "tests/api/fake_engine.h"

namespace assent::api {
namespace {

namespace json = boost::json;
using testing::FakeEngine;

const engine::Principal kAdmin{.id = "admin", .groups = {}, .admin = true};

engine::ApprovalNotification Notification(uint64_t cursor, std::string step = "review") {
  engine::ApprovalNotification notification{engine::ApprovalNotification::Kind::kRequested,
                                            testing::SampleApproval("ap-" + std::to_string(cursor)),
                                            cursor};
  notification.approval.step_id = std::move(step);
  return notification;
}

// The messages in `frames`, batches unpacked.
std::vector<json::value> Messages(const std::vector<std::shared_ptr<const std::string>>& frames) {
  std::vector<json::value> messages;
  for (const auto& frame : frames) {
    json::value parsed = json::parse(*frame);
    if (parsed.at("type") == "batch") {
      for (const json::value& message : parsed.at("messages").as_array()) {
        messages.push_back(message);
      }
    } else {
      messages.push_back(std::move(parsed));
    }
  }
  return messages;
}

// The cursors of the messages in `frames`, batches unpacked.
std::vector<uint64_t> Cursors(const std::vector<std::shared_ptr<const std::string>>& frames) {
  std::vector<uint64_t> cursors;
  for (const json::value& message : Messages(frames)) {
    cursors.push_back(message.at("cursor").to_number<uint64_t>());
  }
  return cursors;
}

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> range;
  for (uint64_t cursor = first; cursor <= last; ++cursor) range.push_back(cursor);
  return range;
}

// Stand-in rule: admins see everything; a user sees approvals of the steps named like one of
// their groups.
bool StepInGroups(const engine::Principal& who, const engine::ApprovalView& approval) {
  if (who.admin) return true;
  return std::find(who.groups.begin(), who.groups.end(), approval.step_id) != who.groups.end();
}

// A reviewer stand-in: keeps what it is handed.
class RecordingSink final : public StreamSink {
 public:
  void Deliver(std::shared_ptr<const std::string> frame) override {
    std::lock_guard lock(mu_);
    frames_.push_back(std::move(frame));
    messages_ += Cursors({frames_.back()}).size();
    changed_.notify_all();
  }
  // Waits (bounded) until `count` messages have come; false if they do not.
  bool WaitFor(size_t count) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return messages_ >= count; });
  }
  std::vector<std::shared_ptr<const std::string>> frames() {
    std::lock_guard lock(mu_);
    return frames_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::shared_ptr<const std::string>> frames_;
  size_t messages_ = 0;
};

class StreamHubTest : public ::testing::Test {
 protected:
  void StartHub(StreamHubOptions options) {
    hub_ = std::make_unique<StreamHub>(engine_, std::move(options));
    hub_->Start();
  }
  void Publish(uint64_t first, uint64_t last, std::string step = "review") {
    for (uint64_t cursor = first; cursor <= last; ++cursor) {
      engine_.Publish(Notification(cursor, step));
    }
  }
  StreamHub::Joined Join(std::optional<uint64_t> since, const engine::Principal& who = kAdmin) {
    StreamHub::Joined joined = hub_->Join({}, who, since);
    hub_->Leave(joined.id);
    return joined;
  }

  FakeEngine engine_;
  std::unique_ptr<StreamHub> hub_;
};

TEST_F(StreamHubTest, ReplaysEveryMessageAfterTheCursorInOrder) {
  StartHub({.history = 100});
  Publish(1, 10);
  StreamHub::Joined joined = Join(4);
  EXPECT_FALSE(joined.reset);
  EXPECT_EQ(Cursors(joined.replay), Range(5, 10));
  EXPECT_EQ(joined.cursor, 10u);
  EXPECT_TRUE(Join(10).replay.empty()) << "up to date: nothing to replay";
  EXPECT_FALSE(Join(10).reset);
}

TEST_F(StreamHubTest, ACursorTheHistoryNoLongerCoversIsReset) {
  StartHub({.history = 5});
  Publish(1, 10);
  EXPECT_TRUE(Join(4).reset) << "6..10 are kept: 5 is lost";
  EXPECT_FALSE(Join(5).reset);
  EXPECT_EQ(Cursors(Join(5).replay), Range(6, 10));
  EXPECT_TRUE(Join(11).reset) << "a cursor this server never issued";
}

TEST_F(StreamHubTest, WithoutHistoryOnlyAnUpToDateCursorIsServed) {
  StartHub({.history = 0});
  Publish(1, 3);
  EXPECT_TRUE(Join(2).reset);
  EXPECT_FALSE(Join(3).reset);
  EXPECT_TRUE(Join(3).replay.empty());
}

TEST_F(StreamHubTest, CursorsCommittedBeforeTheHubStartedCannotBeServed) {
  engine_.last_cursor = 7;  // a restart: 1..7 were committed by an earlier process
  StartHub({.history = 100});
  EXPECT_TRUE(Join(6).reset) << "whether 7 reached the client is unknown";
  EXPECT_FALSE(Join(7).reset) << "nothing after 7 has happened: nothing was missed";
  Publish(8, 9);
  EXPECT_EQ(Cursors(Join(7).replay), Range(8, 9));
}

TEST_F(StreamHubTest, ReplayIsFramedInBatchesOfBoundedSize) {
  StartHub({.history = 1000});
  Publish(1, 600);
  StreamHub::Joined joined = Join(0);
  ASSERT_EQ(joined.replay.size(), 3u);
  EXPECT_EQ(Cursors({joined.replay[0]}).size(), StreamHub::kReplayFrameMessages);
  EXPECT_EQ(Cursors(joined.replay), Range(1, 600));
}

TEST_F(StreamHubTest, ReplayCarriesOnlyWhatThePrincipalMaySee) {
  // Stand-in rule: a user sees approvals of the steps named like one of their groups.
  StartHub({.history = 100, .visible = StepInGroups});
  Publish(1, 3, "finance");
  Publish(4, 6, "legal");
  engine::Principal finance{.id = "fin", .groups = {"finance"}};
  EXPECT_EQ(Cursors(Join(0, finance).replay), Range(1, 3));
  EXPECT_EQ(Cursors(Join(0, kAdmin).replay), Range(1, 6));
  EXPECT_TRUE(hub_->Visible(finance, Notification(1, "finance").approval));
  EXPECT_FALSE(hub_->Visible(finance, Notification(1, "legal").approval));
}

TEST_F(StreamHubTest, LiveMessagesReachOnlyWhoMaySeeThemAndAlikeReviewersShareFrames) {
  StartHub({.history = 100, .visible = StepInGroups});
  engine::Principal finance{.id = "fin", .groups = {"finance"}};
  engine::Principal legal{.id = "law", .groups = {"legal"}};
  auto laptop = std::make_shared<RecordingSink>();
  auto phone = std::make_shared<RecordingSink>();  // the same reviewer, a second connection
  auto lawyer = std::make_shared<RecordingSink>();
  hub_->Join(laptop, finance, std::nullopt);
  hub_->Join(phone, finance, std::nullopt);
  hub_->Join(lawyer, legal, std::nullopt);
  Publish(1, 2, "finance");
  Publish(3, 3, "legal");
  ASSERT_TRUE(laptop->WaitFor(2) && phone->WaitFor(2) && lawyer->WaitFor(1));
  EXPECT_EQ(Cursors(laptop->frames()), Range(1, 2));
  EXPECT_EQ(Cursors(lawyer->frames()), Range(3, 3));
  ASSERT_EQ(laptop->frames().size(), phone->frames().size());
  for (size_t i = 0; i < laptop->frames().size(); ++i) {
    EXPECT_EQ(laptop->frames()[i], phone->frames()[i]) << "one encoded frame per group";
  }
}

TEST_F(StreamHubTest, AThousandReviewersInGroupsGetExactlyTheirShare) {
  StartHub({.history = 100, .visible = StepInGroups});
  constexpr int kReviewers = 1000, kGroups = 10, kNotifications = 500;
  std::vector<std::shared_ptr<RecordingSink>> sinks;
  for (int r = 0; r < kReviewers; ++r) {
    sinks.push_back(std::make_shared<RecordingSink>());
    engine::Principal who{.id = "user" + std::to_string(r),
                          .groups = {"g" + std::to_string(r % kGroups)}};
    hub_->Join(sinks.back(), who, std::nullopt);
  }
  for (int n = 1; n <= kNotifications; ++n) {
    engine_.Publish(Notification(n, "g" + std::to_string(n % kGroups)));
  }
  for (int r = 0; r < kReviewers; ++r) {
    ASSERT_TRUE(sinks[r]->WaitFor(kNotifications / kGroups)) << "reviewer " << r;
    std::vector<uint64_t> expected;
    for (int n = 1; n <= kNotifications; ++n) {
      if (n % kGroups == r % kGroups) expected.push_back(n);
    }
    EXPECT_EQ(Cursors(sinks[r]->frames()), expected) << "reviewer " << r;
  }
}

// Stand-in deciders: approvers as a definition would write them; a user may decide approvals of
// steps named like one of their groups, while pending.
engine::DecidersView StepGroupDecides(const engine::Principal& who,
                                      const engine::ApprovalView& approval) {
  return {{"group:" + approval.step_id},
          approval.status == engine::ApprovalStatus::kPending && !who.admin &&
              StepInGroups(who, approval)};
}

// Each group gets the message its principal's answer picks, live and replayed: frames stay
// shared within a group, and the approvers ride along for everyone.
TEST_F(StreamHubTest, MessagesSayWhetherEachReviewerMayDecide) {
  StartHub({.history = 100, .visible = nullptr, .deciders = StepGroupDecides});
  engine::Principal finance{.id = "fin", .groups = {"finance"}};
  engine::Principal legal{.id = "law", .groups = {"legal"}};
  auto decider = std::make_shared<RecordingSink>();
  auto onlooker = std::make_shared<RecordingSink>();
  hub_->Join(decider, finance, std::nullopt);
  hub_->Join(onlooker, legal, std::nullopt);
  Publish(1, 1, "finance");
  engine::ApprovalNotification decided = Notification(2, "finance");
  decided.kind = engine::ApprovalNotification::Kind::kDecided;
  decided.approval.status = engine::ApprovalStatus::kApproved;
  engine_.Publish(decided);
  ASSERT_TRUE(decider->WaitFor(2) && onlooker->WaitFor(2));
  auto can_decide = [](const std::vector<std::shared_ptr<const std::string>>& frames) {
    std::vector<bool> answers;
    for (const json::value& message : Messages(frames)) {
      EXPECT_EQ(message.at("approval").at("approvers").at(0), "group:finance") << message;
      answers.push_back(message.at("approval").at("can_decide").as_bool());
    }
    return answers;
  };
  EXPECT_EQ(can_decide(decider->frames()), (std::vector<bool>{true, false}))
      << "pending, then decided";
  EXPECT_EQ(can_decide(onlooker->frames()), (std::vector<bool>{false, false}));
  EXPECT_EQ(can_decide(Join(0, finance).replay), (std::vector<bool>{true, false}))
      << "a replay answers the same";
}

TEST_F(StreamHubTest, VisibilityKeysGroupAlikePrincipals) {
  engine::Principal a{.id = "alice", .groups = {"x", "y"}};
  engine::Principal a_reordered{.id = "alice", .groups = {"y", "x"}};
  engine::Principal b{.id = "bob", .groups = {"x", "y"}};
  EXPECT_EQ(StreamHub::VisibilityKey(a), StreamHub::VisibilityKey(a_reordered));
  EXPECT_NE(StreamHub::VisibilityKey(a), StreamHub::VisibilityKey(b))
      << "rules may name users: two users never share frames";
  EXPECT_EQ(StreamHub::VisibilityKey(kAdmin),
            StreamHub::VisibilityKey({.id = kAdmin.id, .groups = {"x"}, .admin = true}))
      << "admins see everything, whatever their groups";
  EXPECT_NE(StreamHub::VisibilityKey(kAdmin),
            StreamHub::VisibilityKey({.id = "root", .groups = {}, .admin = true}))
      << "\"self_approval\": false tells two admins apart";
}

}  // namespace
}  // namespace assent::api
