#include "api/cli/flags.h"

#include <algorithm>

namespace assent::cli {

std::vector<std::string> ParsedArgs::GetAll(const std::string& name) const {
  auto it = every_value.find(name);
  return it == every_value.end() ? std::vector<std::string>() : it->second;
}

std::optional<std::string> ParsedArgs::Get(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

Result<ParsedArgs> ParseFlags(const std::vector<std::string>& args,
                              const std::vector<FlagSpec>& specs) {
  ParsedArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      parsed.positional.insert(parsed.positional.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (arg == "-h" || arg == "--help") {
      parsed.values["help"] = "true";
      continue;
    }
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      if (arg.size() > 1 && arg[0] == '-') return Status::InvalidArgument("unknown flag " + arg);
      parsed.positional.push_back(arg);
      continue;
    }
    size_t equals = arg.find('=');
    std::string name = arg.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
    auto spec = std::find_if(specs.begin(), specs.end(),
                             [&](const FlagSpec& candidate) { return candidate.name == name; });
    if (spec == specs.end()) return Status::InvalidArgument("unknown flag --" + name);
    if (!spec->takes_value) {
      if (equals != std::string::npos) {
        return Status::InvalidArgument("--" + name + " takes no value");
      }
      parsed.values[name] = "true";
    } else if (equals != std::string::npos || i + 1 < args.size()) {
      std::string value = equals != std::string::npos ? arg.substr(equals + 1) : args[++i];
      parsed.every_value[name].push_back(value);
      parsed.values[name] = std::move(value);
    } else {
      return Status::InvalidArgument("--" + name + " needs a value");
    }
  }
  return parsed;
}

std::string FlagUsage(const std::vector<FlagSpec>& specs) {
  std::vector<std::string> left;
  size_t width = 0;
  for (const FlagSpec& spec : specs) {
    left.push_back("--" + spec.name + (spec.takes_value ? " " + spec.value_name : ""));
    width = std::max(width, left.back().size());
  }
  std::string out;
  for (size_t i = 0; i < specs.size(); ++i) {
    out += "  " + left[i] + std::string(width - left[i].size() + 3, ' ') + specs[i].help + "\n";
  }
  return out;
}

}  // namespace assent::cli
