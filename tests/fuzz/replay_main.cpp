// Deterministic stand-in for libFuzzer in ctest: runs the fuzz target over every corpus file
// given on the command line (as is, and behind a few first bytes), then over seeded mutations
// of them (bit flips, truncations, splices, inserted line ends).
// Usage: lemma_fuzz_replay [--mutations N] FILE...

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

std::string mutate(const std::string& seed, const std::vector<std::string>& corpus,
                   std::mt19937& rng) {
  std::string out = seed;
  const int edits = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < edits; ++i) {
    const std::size_t at = out.empty() ? 0 : rng() % out.size();
    switch (rng() % 6) {
      case 0:
        if (!out.empty()) out[at] = static_cast<char>(out[at] ^ (1u << (rng() % 8)));
        break;
      case 1: out.resize(at); break;
      case 2: out.insert(at, rng() % 2 ? "\r" : "\n"); break;
      case 3: {
        const std::string& other = corpus[rng() % corpus.size()];
        const std::size_t from = other.empty() ? 0 : rng() % other.size();
        out.insert(at, other.substr(from, rng() % 200));
        break;
      }
      case 4: out.insert(at, std::string(1 + rng() % 5000, static_cast<char>(rng() % 256))); break;
      default:
        if (!out.empty()) out.erase(at, rng() % 50);
        break;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int mutations = 2000;
  std::vector<std::string> corpus;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--mutations" && i + 1 < argc) {
      mutations = std::stoi(argv[++i]);
      continue;
    }
    std::ifstream in(arg, std::ios::binary);
    if (!in) {
      std::cerr << "cannot read " << arg << "\n";
      return 2;
    }
    std::ostringstream text;
    text << in.rdbuf();
    corpus.push_back(text.str());
  }
  if (corpus.empty()) {
    std::cerr << "usage: lemma_fuzz_replay [--mutations N] FILE...\n";
    return 2;
  }
  for (const auto& input : corpus) {
    run(input);  // as the fuzzer saved it (a finding replays exactly)
    for (char first : {'\x00', '\x01', '\x07', '\x3f'}) run(std::string(1, first) + input);
  }
  std::mt19937 rng(20261124);
  for (int i = 0; i < mutations; ++i) run(mutate(corpus[rng() % corpus.size()], corpus, rng));
  std::cout << "fuzz replay: " << corpus.size() << " corpus files and " << mutations
            << " mutations ran without a crash\n";
  return 0;
}
