#include "engine/internal/lua_pattern.h"

#include <cctype>
#include <cstdio>
#include <cstring>

// The matcher backtracks recursively: Match(s, p) tries the pattern from item p against the
// subject from byte s, and calls itself wherever the manual's search order leaves a choice to
// come back to (each length a quantifier may take, an optional item, a capture boundary). Each
// such call is one level of kMaxPatternDepth. Positions are byte indices; kFail means no match
// (or that the search stopped: see stopped_).
namespace assent::engine::internal {
namespace {

// The class letters of §6.4.1, and %z (the NUL byte): the manual dropped it in 5.2, the stock
// library still knows it. An upper-case letter is the complement.
bool MatchClassLetter(unsigned char c, unsigned char letter, bool& known) {
  known = true;
  bool in = false;
  switch (std::tolower(letter)) {
    case 'a': in = std::isalpha(c) != 0; break;
    case 'c': in = std::iscntrl(c) != 0; break;
    case 'd': in = std::isdigit(c) != 0; break;
    case 'g': in = std::isgraph(c) != 0; break;
    case 'l': in = std::islower(c) != 0; break;
    case 'p': in = std::ispunct(c) != 0; break;
    case 's': in = std::isspace(c) != 0; break;
    case 'u': in = std::isupper(c) != 0; break;
    case 'w': in = std::isalnum(c) != 0; break;
    case 'x': in = std::isxdigit(c) != 0; break;
    case 'z': in = c == '\0'; break;
    default: known = false; return false;
  }
  return std::isupper(letter) ? !in : in;
}

// `%x`: a class letter, or else the character x itself.
bool MatchEscaped(unsigned char c, unsigned char escaped) {
  bool known = false;
  const bool in = MatchClassLetter(c, escaped, known);
  return known ? in : c == escaped;
}

}  // namespace

PatternMatcher::PatternMatcher(std::string_view subject, std::string_view pattern,
                               PatternMeter& meter)
    : subject_(subject), pattern_(pattern), meter_(meter) {}

PatternOutcome PatternMatcher::MatchAt(size_t at, size_t pattern_start) {
  level_ = 0;
  depth_left_ = kMaxPatternDepth;
  const ptrdiff_t end = Match(at, pattern_start);
  if (stopped_) return stop_reason_;
  if (end == kFail) return PatternOutcome::kNoMatch;
  end_ = static_cast<size_t>(end);
  return PatternOutcome::kMatch;
}

bool PatternMatcher::Step(size_t n) {
  if (stopped_) return false;
  while (n >= steps_until_check_) {
    n -= steps_until_check_;
    steps_until_check_ = kPatternStepsPerCheck;
    if (!meter_.MayContinue()) {
      stopped_ = true;
      stop_reason_ = PatternOutcome::kOutOfBudget;
      return false;
    }
  }
  steps_until_check_ -= static_cast<uint32_t>(n);
  return true;
}

ptrdiff_t PatternMatcher::Fail(const char* message) {
  if (!stopped_) {
    stopped_ = true;
    stop_reason_ = PatternOutcome::kError;
    error_ = message;
  }
  return kFail;
}

ptrdiff_t PatternMatcher::Match(size_t s, size_t p) {
  if (depth_left_ == 0) return Fail("pattern too complex");
  --depth_left_;
  const ptrdiff_t result = MatchSequence(s, p);
  ++depth_left_;
  return result;
}

ptrdiff_t PatternMatcher::MatchSequence(size_t s, size_t p) {
  const size_t n = pattern_.size();
  for (;;) {
    if (!Step()) return kFail;
    if (p == n) return static_cast<ptrdiff_t>(s);
    const char c = pattern_[p];
    if (c == '(') {
      if (p + 1 < n && pattern_[p + 1] == ')') {
        return OpenCapture(s, p + 2, PatternCapture::kPosition);
      }
      return OpenCapture(s, p + 1, PatternCapture::kOpen);
    }
    if (c == ')') return CloseCapture(s, p + 1);
    if (c == '$' && p + 1 == n) {
      return s == subject_.size() ? static_cast<ptrdiff_t>(s) : kFail;
    }
    if (c == '%' && p + 1 < n) {
      const char escaped = pattern_[p + 1];
      if (escaped == 'b') {
        const ptrdiff_t after = MatchBalance(s, p + 2);
        if (after == kFail) return kFail;
        s = static_cast<size_t>(after);
        p += 4;
        continue;
      }
      if (escaped == 'f') {
        p += 2;
        if (p >= n || pattern_[p] != '[') return Fail("missing '[' after '%f' in pattern");
        const size_t set_end = ClassEnd(p);
        if (set_end == 0) return kFail;
        // The subject is framed by '\0' on both sides.
        const unsigned char previous = s == 0 ? '\0' : static_cast<unsigned char>(subject_[s - 1]);
        const unsigned char current =
            s < subject_.size() ? static_cast<unsigned char>(subject_[s]) : '\0';
        if (MatchSet(previous, p, set_end - 1) || !MatchSet(current, p, set_end - 1)) {
          return kFail;
        }
        p = set_end;
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(escaped))) {
        const ptrdiff_t after = MatchBackReference(s, escaped);
        if (after == kFail) return kFail;
        s = static_cast<size_t>(after);
        p += 2;
        continue;
      }
    }
    // A single-character class, perhaps with a quantifier.
    const size_t item_end = ClassEnd(p);
    if (item_end == 0) return kFail;
    const char quantifier = item_end < n ? pattern_[item_end] : '\0';
    if (!SingleMatch(s, p, item_end)) {
      // Zero occurrences are allowed: go on with the rest, without a point to come back to.
      if (quantifier == '*' || quantifier == '?' || quantifier == '-') {
        p = item_end + 1;
        continue;
      }
      return kFail;
    }
    switch (quantifier) {
      case '?': {
        const ptrdiff_t with_one = Match(s + 1, item_end + 1);
        if (with_one != kFail || stopped_) return with_one;
        p = item_end + 1;
        continue;
      }
      case '+': return MaxExpand(s + 1, p, item_end);
      case '*': return MaxExpand(s, p, item_end);
      case '-': return MinExpand(s, p, item_end);
      default:
        ++s;
        p = item_end;
        continue;
    }
  }
}

ptrdiff_t PatternMatcher::MaxExpand(size_t s, size_t p, size_t item_end) {
  size_t count = 0;
  while (SingleMatch(s + count, p, item_end)) {
    if (!Step()) return kFail;
    ++count;
  }
  for (;;) {
    const ptrdiff_t rest = Match(s + count, item_end + 1);
    if (rest != kFail || stopped_) return rest;
    if (count == 0) return kFail;
    --count;
  }
}

ptrdiff_t PatternMatcher::MinExpand(size_t s, size_t p, size_t item_end) {
  for (;;) {
    const ptrdiff_t rest = Match(s, item_end + 1);
    if (rest != kFail || stopped_) return rest;
    if (!SingleMatch(s, p, item_end)) return kFail;
    ++s;
  }
}

ptrdiff_t PatternMatcher::OpenCapture(size_t s, size_t p, ptrdiff_t length) {
  if (level_ >= kMaxPatternCaptures) return Fail("too many captures");
  captures_[level_] = PatternCapture{.start = s, .length = length};
  ++level_;
  const ptrdiff_t result = Match(s, p);
  if (result == kFail) --level_;
  return result;
}

ptrdiff_t PatternMatcher::CloseCapture(size_t s, size_t p) {
  int open = level_ - 1;
  while (open >= 0 && captures_[open].length != PatternCapture::kOpen) --open;
  if (open < 0) return Fail("invalid pattern capture");
  captures_[open].length = static_cast<ptrdiff_t>(s - captures_[open].start);
  const ptrdiff_t result = Match(s, p);
  if (result == kFail) captures_[open].length = PatternCapture::kOpen;
  return result;
}

ptrdiff_t PatternMatcher::MatchBalance(size_t s, size_t p) {
  if (p + 1 >= pattern_.size()) return Fail("malformed pattern (missing arguments to '%b')");
  const char open = pattern_[p];
  const char close = pattern_[p + 1];
  if (s >= subject_.size() || subject_[s] != open) return kFail;
  int depth = 1;
  for (size_t i = s + 1; i < subject_.size(); ++i) {
    if (!Step()) return kFail;
    if (subject_[i] == close) {
      if (--depth == 0) return static_cast<ptrdiff_t>(i + 1);
    } else if (subject_[i] == open) {
      ++depth;
    }
  }
  return kFail;
}

ptrdiff_t PatternMatcher::MatchBackReference(size_t s, char digit) {
  const int index = digit - '1';
  if (index < 0 || index >= level_ || captures_[index].length == PatternCapture::kOpen) {
    std::snprintf(error_buffer_, sizeof(error_buffer_), "invalid capture index %%%d",
                  index + 1);
    return Fail(error_buffer_);
  }
  // A position capture holds no text, so nothing matches it.
  if (captures_[index].length == PatternCapture::kPosition) return kFail;
  const size_t length = static_cast<size_t>(captures_[index].length);
  if (subject_.size() - s < length || !Step(length)) return kFail;
  if (subject_.compare(s, length, subject_.substr(captures_[index].start, length)) != 0) {
    return kFail;
  }
  return static_cast<ptrdiff_t>(s + length);
}

size_t PatternMatcher::ClassEnd(size_t p) {
  const size_t n = pattern_.size();
  const char c = pattern_[p++];
  if (c == '%') {
    if (p >= n) {
      Fail("malformed pattern (ends with '%')");
      return 0;
    }
    return p + 1;
  }
  if (c == '[') {
    if (p < n && pattern_[p] == '^') ++p;
    // The first character of a set is never its end, so "[]]" is the set of ']'.
    do {
      if (p >= n) {
        Fail("malformed pattern (missing ']')");
        return 0;
      }
      const char member = pattern_[p++];
      if (member == '%' && p < n) ++p;
    } while (p >= n || pattern_[p] != ']');
    return p + 1;
  }
  return p;
}

bool PatternMatcher::SingleMatch(size_t s, size_t p, size_t item_end) const {
  if (s >= subject_.size()) return false;
  const auto c = static_cast<unsigned char>(subject_[s]);
  switch (pattern_[p]) {
    case '.': return true;
    case '%': return MatchEscaped(c, static_cast<unsigned char>(pattern_[p + 1]));
    case '[': return MatchSet(c, p, item_end - 1);
    default: return static_cast<unsigned char>(pattern_[p]) == c;
  }
}

// REQUIRES: open is the set's '[' and close its ']'.
bool PatternMatcher::MatchSet(unsigned char c, size_t open, size_t close) const {
  size_t p = open + 1;
  bool complement = false;
  if (pattern_[p] == '^') {
    complement = true;
    ++p;
  }
  while (p < close) {
    const auto member = static_cast<unsigned char>(pattern_[p]);
    if (member == '%') {
      if (MatchEscaped(c, static_cast<unsigned char>(pattern_[p + 1]))) return !complement;
      p += 2;
    } else if (pattern_[p + 1] == '-' && p + 2 < close) {
      // A range; a '-' first or last in the set is itself.
      if (member <= c && c <= static_cast<unsigned char>(pattern_[p + 2])) return !complement;
      p += 3;
    } else {
      if (member == c) return !complement;
      ++p;
    }
  }
  return complement;
}

bool HasNoPatternSpecials(std::string_view pattern) {
  return pattern.find_first_of(std::string_view("^$*+?.([%-")) == std::string_view::npos;
}

}  // namespace assent::engine::internal
