// Times Meta's MIH (pdq/cpp/index/mih.h, MIH256) on the matcher benchmark's data, for
// bench/match-bench.mjs: the ThreatExchange sources shipped in the PyPI pdqhash 0.2.8 sdist, built
// by tools/bench-venv.sh with the flags of the PDQ benchmark's C++ (-O3).
// Usage: meta-mih HASHES QUERIES COUNT SECONDS BRUTE OUTDIR; prints one JSON line.
// Reads HASHES and QUERIES (32 bytes a hash, the hex form's order: word 15 first, big-endian),
// builds an MIH256<int> over all of HASHES with insertAll (the int is the hash's slot), then runs
// queryAll at distance 31 on the first COUNT queries or as many as SECONDS allow, and
// bruteForceQueryAll (Meta's linear search) on the first BRUTE queries. Writes the slots each
// returns, ascending, one line a query, to OUTDIR/meta.txt and OUTDIR/meta-brute.txt.
#include <pdq/cpp/index/mih.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

using facebook::pdq::hashing::Hash256;
using facebook::pdq::index::MIH256;
using Clock = std::chrono::steady_clock;

static std::vector<Hash256> readHashes(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", path);
    std::exit(1);
  }
  in.seekg(0, std::ios::end);
  std::vector<Hash256> hashes;
  hashes.reserve(static_cast<size_t>(in.tellg()) / 32);
  in.seekg(0);
  unsigned char bytes[32];
  while (in.read(reinterpret_cast<char*>(bytes), 32)) {
    Hash256 h;
    for (int n = 0; n < 16; n++) {
      h.w[15 - n] = static_cast<uint16_t>(bytes[2 * n] << 8 | bytes[2 * n + 1]);
    }
    hashes.push_back(h);
  }
  return hashes;
}

// A field of /proc/self/status in bytes (VmRSS: resident now; VmHWM: its peak so far).
static long long statusBytes(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line, name = std::string(field) + ":";
  while (std::getline(status, line)) {
    if (line.compare(0, name.size(), name) == 0) return std::atoll(line.c_str() + name.size()) * 1024;
  }
  return -1;
}

static double seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

static double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Writes one line per query: the slots of its matches, ascending.
static void writeSlots(FILE* out, std::vector<std::pair<Hash256, int>>& matches) {
  std::vector<int> slots;
  for (auto& m : matches) slots.push_back(m.second);
  std::sort(slots.begin(), slots.end());
  for (size_t i = 0; i < slots.size(); i++) std::fprintf(out, i ? " %d" : "%d", slots[i]);
  std::fprintf(out, "\n");
}

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s HASHES QUERIES COUNT SECONDS BRUTE OUTDIR\n", argv[0]);
    return 2;
  }
  const int threshold = 31;
  const size_t count = std::atol(argv[3]);
  const double budget = std::atof(argv[4]);
  const size_t brute = std::atol(argv[5]);
  const std::string outdir = argv[6];

  const long long rssStart = statusBytes("VmRSS");
  // insertAll's argument: (hash, slot) pairs. Made from the hashes read, which are then freed.
  std::vector<std::pair<Hash256, int>> pairs;
  {
    std::vector<Hash256> hashes = readHashes(argv[1]);
    pairs.reserve(hashes.size());
    for (size_t i = 0; i < hashes.size(); i++) pairs.emplace_back(hashes[i], static_cast<int>(i));
  }
  const std::vector<Hash256> queries = readHashes(argv[2]);
  const long long rssLoaded = statusBytes("VmRSS");
  const size_t n = pairs.size();

  MIH256<int> mih;
  auto start = Clock::now();
  mih.insertAll(pairs);
  const double buildS = seconds(start);
  const long long peakRss = statusBytes("VmHWM");
  // The index keeps its own copy of every pair: free the input so VmRSS shows what it holds.
  std::vector<std::pair<Hash256, int>>().swap(pairs);
  const long long rssBuilt = statusBytes("VmRSS");

  std::vector<std::pair<Hash256, int>> matches;
  std::vector<double> queryUs;
  FILE* out = std::fopen((outdir + "/meta.txt").c_str(), "w");
  size_t done = 0, found = 0;
  double totalS = 0;
  for (; done < std::min(count, queries.size()) && totalS < budget; done++) {
    matches.clear();
    auto t = Clock::now();
    mih.queryAll(queries[done], threshold, matches);
    const double s = seconds(t);
    totalS += s;
    queryUs.push_back(s * 1e6);
    found += matches.size();
    writeSlots(out, matches);
  }
  std::fclose(out);

  std::vector<double> bruteUs;
  out = std::fopen((outdir + "/meta-brute.txt").c_str(), "w");
  double bruteS = 0;
  for (size_t i = 0; i < std::min(brute, queries.size()); i++) {
    matches.clear();
    auto t = Clock::now();
    mih.bruteForceQueryAll(queries[i], threshold, matches);
    const double s = seconds(t);
    bruteS += s;
    bruteUs.push_back(s * 1e6);
    writeSlots(out, matches);
  }
  std::fclose(out);

  std::printf(
      "{\"impl\":\"Meta MIH256 (pdq/cpp/index/mih.h)\",\"hashes\":%zu,\"threshold\":%d,\"build_s\":%.3f,"
      "\"rss_start\":%lld,\"rss_loaded\":%lld,\"peak_rss\":%lld,\"rss_built\":%lld,\"queries\":%zu,"
      "\"query_s\":%.3f,\"qps\":%.2f,\"median_us\":%.1f,\"matches\":%zu,\"brute_queries\":%zu,"
      "\"brute_qps\":%.2f,\"brute_median_us\":%.1f}\n",
      n, threshold, buildS, rssStart, rssLoaded, peakRss, rssBuilt, done, totalS,
      totalS > 0 ? done / totalS : 0.0, median(queryUs), found, bruteUs.size(),
      bruteS > 0 ? bruteUs.size() / bruteS : 0.0, median(bruteUs));
  return 0;
}
