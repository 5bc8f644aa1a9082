// ChangeQueue: runs the changes of one log stream (the directory's) one at a time, in the order
// they were submitted: each is decided on the state all earlier ones left, appended (synced),
// applied, and only then answered, so a change never decides on state that is not durable and
// seqs never have gaps.
//
// Thread safety: Submit may be called from any thread. Deciders run on the submitting thread or
// on the log's commit thread, one at a time; so do `apply` and the answers. The destructor waits
// for every submitted change to be answered; the log must outlive the queue.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/event_log.h"

namespace assent::engine {

class ChangeQueue {
 public:
  // A decided change: its events (finished `assent.fb.Event` buffers of the stream, seqs
  // following the last applied one), and what to do once they are durable and applied (ok) or
  // failed to be written (the error; nothing applied). No events: refused, and already answered.
  struct Change {
    std::vector<std::string> events;
    std::function<void(Status)> answer;
  };
  using Decide = std::function<Change()>;
  // Folds one durable event into the state the deciders read.
  using ApplyEvent = std::function<void(const std::string& event)>;

  ChangeQueue(storage::EventLog& log, std::string stream_id, ApplyEvent apply);
  ~ChangeQueue();
  ChangeQueue(const ChangeQueue&) = delete;
  ChangeQueue& operator=(const ChangeQueue&) = delete;

  void Submit(Decide decide);

 private:
  // Decides queued changes until one has events to append (whose commit calls Pump again) or
  // the queue is empty. REQUIRES: this thread claimed the queue (busy_ set by it).
  void Pump();

  storage::EventLog& log_;
  const std::string stream_id_;
  const ApplyEvent apply_;
  std::mutex mu_;
  std::condition_variable idle_;
  std::deque<Decide> queue_;
  bool busy_ = false;  // a change is being decided or committed
};

}  // namespace assent::engine
