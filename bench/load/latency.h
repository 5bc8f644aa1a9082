// Latency samples in milliseconds and their percentiles.
#pragma once

#include <string>
#include <vector>

namespace assent::bench {

class Latency {
 public:
  void Add(double ms) { samples_.push_back(ms); }
  size_t count() const { return samples_.size(); }
  const std::vector<double>& samples() const { return samples_; }
  // The p-th percentile (nearest rank, as the peer driver computes it); NaN when empty.
  double Percentile(double p);
  // "p50 1.23 / p90 ... / p99 ... ms" for the given percentiles.
  std::string Summary(std::initializer_list<double> percentiles);

 private:
  std::vector<double> samples_;
  bool sorted_ = false;
};

}  // namespace assent::bench
