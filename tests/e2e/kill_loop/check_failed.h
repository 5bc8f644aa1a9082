// CheckFailed: a check of the kill loop failed. Its message names the run, approval or request
// and what was expected; main prints it with the seed that replays the loop.
#pragma once

#include <stdexcept>
#include <string>

namespace assent::testing::kill_loop {

class CheckFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace assent::testing::kill_loop
