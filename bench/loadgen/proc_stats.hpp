#pragma once
// What /proc says about a process: CPU time and memory. Used by the load
// generator to measure the server under test from outside.

#include <string>

namespace bench {

// utime + stime of a process (0 = this one), in microseconds.
double cpu_us(int pid);

struct Memory {
  double rss_kb = 0;  // resident set
  double pss_kb = 0;  // proportional set: shared pages divided among their users
};
Memory memory(int pid);

// Steal time of the whole machine so far, in microseconds (from /proc/stat).
double steal_us();

}  // namespace bench
