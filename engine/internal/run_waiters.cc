#include "engine/internal/run_waiters.h"

#include <utility>

namespace assent::engine {

RunWaiters::RunWaiters(Mailbox& mailbox, AnswerCurrent answer_current)
    : mailbox_(mailbox), answer_current_(std::move(answer_current)) {}

void RunWaiters::Add(const std::string& run_id, std::chrono::milliseconds wait,
                     Callback<RunView> done) {
  uint64_t id = next_id_++;
  auto timer = std::make_unique<boost::asio::steady_timer>(mailbox_.executor(), wait);
  timer->async_wait(mailbox_.Guard([this, run_id, id](boost::system::error_code ec) {
    if (!ec) OnTimeout(run_id, id);  // otherwise cancelled: the waiter was answered
  }));
  waiters_[run_id].push_back(Waiter{id, std::move(done), std::move(timer)});
}

void RunWaiters::Finished(const RunState& state) {
  auto it = waiters_.find(state.run_id);
  if (it == waiters_.end()) return;
  std::vector<Waiter> waiting = std::move(it->second);
  waiters_.erase(it);
  RunView view = ToView(state);
  // Usually one waiter: the last one gets the view itself. The timers cancel as they go.
  for (size_t i = 0; i + 1 < waiting.size(); ++i) waiting[i].done(view);
  waiting.back().done(std::move(view));
}

void RunWaiters::AnswerAll() {
  auto all = std::exchange(waiters_, {});
  for (auto& [run_id, waiting] : all) {
    for (Waiter& waiter : waiting) answer_current_(run_id, std::move(waiter.done));
  }
}

void RunWaiters::OnTimeout(const std::string& run_id, uint64_t id) {
  auto it = waiters_.find(run_id);
  if (it == waiters_.end()) return;
  std::vector<Waiter>& waiting = it->second;
  for (auto waiter = waiting.begin(); waiter != waiting.end(); ++waiter) {
    if (waiter->id != id) continue;
    Callback<RunView> done = std::move(waiter->done);
    waiting.erase(waiter);
    if (waiting.empty()) waiters_.erase(it);
    return answer_current_(run_id, std::move(done));
  }
}

}  // namespace assent::engine
