#include "metrics/process.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace metrics {

namespace {

// The fields of /proc/self/stat after the command name (which may hold spaces).
bool read_stat(std::vector<std::string>& fields) {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(line.substr(close + 1));
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields.size() > 22;
}

double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double t = 0;
      in >> t;
      return t;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

long open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return -1;
  long n = 0;
  while (auto* e = readdir(dir))
    if (e->d_name[0] != '.') ++n;
  closedir(dir);
  return n - 1;  // the directory's own descriptor
}

}  // namespace

void write_process_metrics(TextWriter& out) {
  std::vector<std::string> f;  // f[0] is field 3 (state) of proc(5)
  if (read_stat(f)) {
    double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    out.single("process_cpu_seconds_total", Type::counter, "User and system CPU time spent, in seconds.",
               (std::stod(f[11]) + std::stod(f[12])) / ticks);
    out.single("process_threads", Type::gauge, "Threads of the process.", std::stod(f[17]));
    if (double boot = boot_time_seconds(); boot > 0)
      out.single("process_start_time_seconds", Type::gauge, "Start time of the process since the Unix epoch, in seconds.",
                 boot + std::stod(f[19]) / ticks);
    out.single("process_virtual_memory_bytes", Type::gauge, "Virtual memory size, in bytes.", std::stod(f[20]));
    out.single("process_resident_memory_bytes", Type::gauge, "Resident memory size, in bytes.", std::stod(f[21]) * page);
  }
  if (long fds = open_fds(); fds >= 0)
    out.single("process_open_fds", Type::gauge, "Open file descriptors.", static_cast<double>(fds));
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    out.single("process_max_fds", Type::gauge, "The limit of open file descriptors.", static_cast<double>(limit.rlim_cur));
}

}  // namespace metrics
