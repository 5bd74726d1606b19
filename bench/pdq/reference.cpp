// Times Meta's reference PDQ C++ alone, without Python: the ThreatExchange sources shipped in the
// PyPI pdqhash 0.2.8 sdist, built by tools/bench-venv.sh with pdqhash's own flags (-O3).
// Usage: pdq-reference-cpp RGBFILE WIDTH HEIGHT [RUNS]; prints one JSON line.
// A timed call is what a C++ caller pays: the reference's fillFloatLumaFromRGB, then
// pdqHash256FromFloatLuma (Jarosz filter, decimation, quality, DCT, median, bits).
#include <pdq/cpp/hashing/pdqhashing.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

using namespace facebook::pdq;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s RGBFILE WIDTH HEIGHT [RUNS]\n", argv[0]);
    return 2;
  }
  const int width = std::atoi(argv[2]);
  const int height = std::atoi(argv[3]);
  const int runs = argc > 4 ? std::atoi(argv[4]) : 7;
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> rgb((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (rgb.size() != size_t(width) * height * 3) {
    std::fprintf(stderr, "%s: %zu bytes, expected %d x %d x 3\n", argv[1], rgb.size(), width, height);
    return 1;
  }
  std::vector<float> buffer1(size_t(width) * height), buffer2(size_t(width) * height);
  static float buffer64x64[64][64], buffer16x64[16][64], buffer16x16[16][16];
  hashing::Hash256 hash;
  int quality = 0;
  auto once = [&] {
    hashing::fillFloatLumaFromRGB(&rgb[0], &rgb[1], &rgb[2], height, width, width * 3, 3, buffer1.data());
    hashing::pdqHash256FromFloatLuma(buffer1.data(), buffer2.data(), height, width, buffer64x64, buffer16x64,
                                     buffer16x16, hash, quality);
  };
  once();  // warm-up: page faults, caches
  std::vector<double> times;
  for (int i = 0; i < runs; i++) {
    auto start = std::chrono::steady_clock::now();
    once();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::printf("{\"impl\":\"Meta C++ (pdqhash 0.2.8 sources, g++ -O3)\",\"times_ms\":[");
  for (int i = 0; i < runs; i++) std::printf("%s%.3f", i ? "," : "", times[i]);
  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  std::printf("],\"median_ms\":%.3f,\"hash\":\"%s\",\"quality\":%d}\n", sorted[runs / 2], hash.format().c_str(), quality);
  return 0;
}
