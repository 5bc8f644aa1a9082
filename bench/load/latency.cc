#include "bench/load/latency.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace assent::bench {

double Latency::Percentile(double p) {
  if (samples_.empty()) return NAN;
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
  double rank = std::ceil(p / 100.0 * static_cast<double>(samples_.size()));
  size_t index = static_cast<size_t>(std::clamp(rank - 1, 0.0, double(samples_.size() - 1)));
  return samples_[index];
}

std::string Latency::Summary(std::initializer_list<double> percentiles) {
  std::string text;
  for (double p : percentiles) {
    char part[48];
    std::snprintf(part, sizeof(part), "%sp%g %.2f", text.empty() ? "" : " / ", p, Percentile(p));
    text += part;
  }
  return text + " ms";
}

}  // namespace assent::bench
