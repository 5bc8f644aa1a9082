// The main of a fuzz target in a build without libFuzzer: runs LLVMFuzzerTestOneInput once on
// every file named on the command line, or in a directory named there (not recursive). A
// property that fails aborts, as it would under the fuzzer, naming the input first.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// Runs one input from a heap buffer of exactly its size, so ASan sees a read past its end.
void RunInput(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::fprintf(stderr, "input %s (%zu bytes)\n", path.c_str(), bytes.size());
  auto data = std::make_unique<uint8_t[]>(bytes.size());
  std::copy(bytes.begin(), bytes.end(), data.get());
  LLVMFuzzerTestOneInput(data.get(), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  size_t inputs = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    if (!std::filesystem::is_directory(arg)) {
      RunInput(arg);
      ++inputs;
      continue;
    }
    for (const auto& entry : std::filesystem::directory_iterator(arg)) {
      if (!entry.is_regular_file()) continue;
      RunInput(entry.path());
      ++inputs;
    }
  }
  std::fprintf(stderr, "%zu inputs ran\n", inputs);
  // A corpus that went missing must not pass as an empty success.
  return inputs == 0 ? 1 : 0;
}
