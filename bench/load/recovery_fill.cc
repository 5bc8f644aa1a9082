#include "bench/load/recovery_fill.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "bench/load/embedded_load.h"
#include "bench/load/process_stats.h"
#include "bench/load/w1.h"

namespace assent::bench {
namespace {

constexpr int kProgressEvery = 100'000;  // runs per fill chunk (one progress line each)

std::filesystem::path MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/assent-recovery-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
  return pattern;
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

BenchDir::BenchDir(const std::string& path, bool keep)
    : path_(path.empty() ? MakeTempDir() : std::filesystem::path(path)),
      keep_(keep || !path.empty()) {
  std::filesystem::create_directories(path_);
}

BenchDir::~BenchDir() {
  if (keep_) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::optional<FillRecord> BenchDir::ReadRecord() const {
  std::ifstream file(path_ / "fill.json");
  if (!file) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  boost::json::value record = boost::json::parse(text);
  const boost::json::value* timeout = record.as_object().if_contains("approval_timeout");
  return FillRecord{static_cast<int>(record.at("runs").to_number<int64_t>()),
                    static_cast<int>(record.at("waiting").to_number<int64_t>()),
                    timeout != nullptr ? std::string(timeout->as_string()) : ""};
}

void BenchDir::WriteRecord(const FillRecord& record) const {
  std::ofstream(path_ / "fill.json")
      << boost::json::serialize(boost::json::object{{"runs", record.runs},
                                                    {"waiting", record.waiting},
                                                    {"approval_timeout", record.approval_timeout}})
      << "\n";
}

FillReport FillLog(const std::string& data_dir, int runs, int concurrency,
                   const std::string& approval_timeout) {
  EmbeddedEngine embedded = EmbeddedEngine::Open(data_dir, approval_timeout);
  FillReport report;
  double begin = Now();
  for (int first = 0; first < runs; first += kProgressEvery) {
    int count = std::min(kProgressEvery, runs - first);
    PhaseReport phase =
        RunEmbeddedPhase(*embedded.engine, first, count, concurrency, /*decide=*/false);
    for (std::string& error : phase.errors) {
      if (report.errors.size() < 20) report.errors.push_back(std::move(error));
    }
    std::printf("  filled %d / %d runs (%.0f runs/s), RSS %.0f MiB\n", first + count, runs,
                count / phase.seconds, ResidentBytes(getpid()) / 1048576.0);
    std::fflush(stdout);
  }
  report.seconds = Now() - begin;
  report.rss_bytes = ResidentBytes(getpid());
  // Index i needs an approval when even: runs [0, runs) leave ceil(runs / 2) waiting.
  report.record = {runs, (runs + 1) / 2, approval_timeout};
  embedded.engine->Shutdown();
  return report;
}

}  // namespace assent::bench
