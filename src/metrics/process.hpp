#pragma once
// The process' own figures, as Prometheus' client libraries name them
// (process_cpu_seconds_total, process_resident_memory_bytes, ...), read from
// /proc/self at each scrape.

#include "metrics/exposition.hpp"

namespace metrics {

// Writes CPU time, resident and virtual memory, open and maximum file
// descriptors, start time and thread count. A figure /proc cannot give is left out.
void write_process_metrics(TextWriter& out);

}  // namespace metrics
