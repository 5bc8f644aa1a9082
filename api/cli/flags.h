// A small command-line flag parser for the assent CLI: "--name value", "--name=value", boolean
// "--name", "--" to end flags, "-h" as "--help". Unknown flags are errors. Pure; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace assent::cli {

struct FlagSpec {
  std::string name;        // without the dashes
  bool takes_value = true;  // false: a boolean switch
  std::string help;
  std::string value_name = "VALUE";
};

struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;  // switches map to "true"; the last value given
  std::map<std::string, std::vector<std::string>> every_value;  // flags given more than once

  bool Has(const std::string& name) const { return values.count(name) > 0; }
  std::optional<std::string> Get(const std::string& name) const;
  // Every value of a repeatable flag, in order; empty when it was not given.
  std::vector<std::string> GetAll(const std::string& name) const;
};

// Parses `args` (without the program and subcommand names). "--help" is always accepted.
Result<ParsedArgs> ParseFlags(const std::vector<std::string>& args,
                              const std::vector<FlagSpec>& specs);

// One line per flag: "  --name VALUE   help".
std::string FlagUsage(const std::vector<FlagSpec>& specs);

}  // namespace assent::cli
