// A matcher for Lua 5.4 patterns (Lua 5.4 manual §6.4.1) whose work is metered, so that the
// sandbox's string.find, match, gmatch and gsub can stop a pattern that backtracks for ever
// (`string.find(string.rep('a', 1e5), '.-.-.-.-b')` runs for hours in the stock library, inside
// one C call that no instruction hook sees).
//
// Written from the manual, not from lstrlib.c, with the search order the manual implies (longest
// first for `*` and `+`, shortest first for `-`, one before none for `?`, leftmost start first),
// so every valid pattern gives what the stock library gives; tests/engine/lua_pattern_test.cc and
// tests/fuzz/lua_pattern_fuzz.cc compare the two. Malformed patterns fail with the stock
// library's messages, and nesting deeper than the stock library allows is "pattern too complex"
// as there.
//
// Pure C++ over two byte strings: no Lua state, no allocation, nothing with a destructor, so a
// caller may raise a Lua error (a longjmp) with a matcher on its stack.
// Thread safety: one matcher per call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace assent::engine::internal {

inline constexpr int kMaxPatternCaptures = 32;  // as LUA_MAXCAPTURES
inline constexpr int kMaxPatternDepth = 200;    // nested backtracking points, as MAXCCALLS

// Asked every kPatternStepsPerCheck steps (a step is one subject byte or pattern item looked
// at) whether the matcher may go on.
inline constexpr uint32_t kPatternStepsPerCheck = 4096;
class PatternMeter {
 public:
  virtual bool MayContinue() = 0;

 protected:
  ~PatternMeter() = default;
};

struct PatternCapture {
  static constexpr ptrdiff_t kOpen = -1;      // `(` seen, `)` not yet
  static constexpr ptrdiff_t kPosition = -2;  // `()`: captures the position `start`
  size_t start = 0;
  ptrdiff_t length = kOpen;
};

enum class PatternOutcome { kMatch, kNoMatch, kError, kOutOfBudget };

class PatternMatcher {
 public:
  // REQUIRES: subject, pattern and meter outlive the matcher.
  PatternMatcher(std::string_view subject, std::string_view pattern, PatternMeter& meter);
  PatternMatcher(const PatternMatcher&) = delete;
  PatternMatcher& operator=(const PatternMatcher&) = delete;

  // Whether the pattern from byte `pattern_start` on (past a `^` the caller treats as an
  // anchor) matches the subject starting exactly at byte `at`. On kMatch, end() and the
  // captures describe the match; on kError, error() says why.
  PatternOutcome MatchAt(size_t at, size_t pattern_start);

  size_t end() const { return end_; }
  int capture_count() const { return level_; }
  const PatternCapture& capture(int i) const { return captures_[i]; }
  const char* error() const { return error_; }

 private:
  static constexpr ptrdiff_t kFail = -1;

  ptrdiff_t Match(size_t s, size_t p);
  ptrdiff_t MatchSequence(size_t s, size_t p);
  ptrdiff_t MaxExpand(size_t s, size_t p, size_t item_end);
  ptrdiff_t MinExpand(size_t s, size_t p, size_t item_end);
  ptrdiff_t OpenCapture(size_t s, size_t p, ptrdiff_t length);
  ptrdiff_t CloseCapture(size_t s, size_t p);
  ptrdiff_t MatchBalance(size_t s, size_t p);
  ptrdiff_t MatchBackReference(size_t s, char digit);
  // The index just past the single-character class starting at p, or 0 after an error.
  size_t ClassEnd(size_t p);
  bool SingleMatch(size_t s, size_t p, size_t item_end) const;
  bool MatchSet(unsigned char c, size_t open, size_t close) const;

  bool Step(size_t n = 1);
  ptrdiff_t Fail(const char* message);

  std::string_view subject_;
  std::string_view pattern_;
  PatternMeter& meter_;
  uint32_t steps_until_check_ = kPatternStepsPerCheck;
  int depth_left_ = kMaxPatternDepth;
  bool stopped_ = false;  // an error or the meter ended the search
  PatternOutcome stop_reason_ = PatternOutcome::kError;
  const char* error_ = "";
  char error_buffer_[64] = {};
  size_t end_ = 0;
  int level_ = 0;
  PatternCapture captures_[kMaxPatternCaptures];
};

// Whether `pattern` has none of the characters that make a pattern more than a plain string
// (then string.find may search for it as bytes).
bool HasNoPatternSpecials(std::string_view pattern);

}  // namespace assent::engine::internal
