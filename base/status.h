// Status and Result<T>: how every layer of Assent reports an expected failure.
// Storage and engine return these instead of throwing; api maps the codes to HTTP statuses.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace assent {

// Few, meaningful codes. A record that fails verification is kCorruption, never kNotFound.
enum class StatusCode {
  kOk,
  kNotFound,
  kInvalidArgument,
  kConflict,     // the request is valid but contradicts state (second decision, finished run)
  // The request contradicts an earlier one it claims to repeat (an Idempotency-Key reused with
  // another body): retrying it as it is can never succeed.
  kFailedPrecondition,
  kCorruption,
  kIOError,
  kUnavailable,  // shutting down or not ready; retrying later may succeed
  kTooLarge,     // over a documented size or count limit; the message names it and the size
  // The caller may see the item but may not do this to it (an item they may not see is
  // kNotFound, so that its existence does not leak).
  kPermissionDenied,
};

std::string_view ToString(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
  static Status InvalidArgument(std::string message) {
    return {StatusCode::kInvalidArgument, std::move(message)};
  }
  static Status Conflict(std::string message) { return {StatusCode::kConflict, std::move(message)}; }
  static Status FailedPrecondition(std::string message) {
    return {StatusCode::kFailedPrecondition, std::move(message)};
  }
  static Status Corruption(std::string message) {
    return {StatusCode::kCorruption, std::move(message)};
  }
  static Status IOError(std::string message) { return {StatusCode::kIOError, std::move(message)}; }
  static Status Unavailable(std::string message) {
    return {StatusCode::kUnavailable, std::move(message)};
  }
  static Status TooLarge(std::string message) { return {StatusCode::kTooLarge, std::move(message)}; }
  static Status PermissionDenied(std::string message) {
    return {StatusCode::kPermissionDenied, std::move(message)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "NotFound: run r1" — for logs and test failure messages.
  std::string ToString() const;

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "a Result without a value needs an error Status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok()
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace assent
