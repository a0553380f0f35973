#include "proc_stats.hpp"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>

namespace bench {

namespace {
std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

double ticks_to_us(unsigned long long ticks) { return double(ticks) * 1e6 / double(sysconf(_SC_CLK_TCK)); }

// The number after "Key:" in a /proc file of "Key: value kB" lines.
double field_kb(const std::string& text, const std::string& key) {
  auto at = text.find("\n" + key + ":");
  if (at == std::string::npos) at = text.rfind(key + ":", 0) == 0 ? 0 : std::string::npos;
  if (at == std::string::npos) return 0;
  std::istringstream in(text.substr(text.find(':', at) + 1));
  double value = 0;
  in >> value;
  return value;
}
}  // namespace

double cpu_us(int pid) {
  std::string stat = read_file("/proc/" + (pid > 0 ? std::to_string(pid) : std::string("self")) + "/stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  return ticks_to_us(utime + stime);
}

Memory memory(int pid) {
  std::string text = read_file("/proc/" + std::to_string(pid) + "/smaps_rollup");
  return Memory{field_kb(text, "Rss"), field_kb(text, "Pss")};
}

double steal_us() {
  std::istringstream in(read_file("/proc/stat"));
  std::string cpu;
  unsigned long long v[8] = {};
  in >> cpu >> v[0] >> v[1] >> v[2] >> v[3] >> v[4] >> v[5] >> v[6] >> v[7];
  return ticks_to_us(v[7]);
}

}  // namespace bench
