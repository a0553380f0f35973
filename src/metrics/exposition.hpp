#pragma once
// The Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): every
// metric once, with its HELP and TYPE, then its samples.

#include <cstdint>
#include <string>
#include <string_view>

#include "metrics/counters.hpp"

namespace metrics {

inline constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

enum class Type { counter, gauge, histogram };

class TextWriter {
 public:
  // Starts a metric: its HELP and TYPE lines.
  void family(std::string_view name, Type type, std::string_view help);
  // One sample; `labels` is `key="value",...` already escaped (or empty).
  void sample(std::string_view name, std::string_view labels, double value);
  void sample(std::string_view name, std::string_view labels, std::uint64_t value);
  void sample(std::string_view name, std::string_view labels, std::int64_t value);
  // A metric with one sample.
  void single(std::string_view name, Type type, std::string_view help, double value);

  // Every counter of the blocks, the sockets per shard and the loop-lag histograms.
  void counters(const Snapshot& snapshot);

  std::string take() { return std::move(out_); }

 private:
  void begin(std::string_view name, std::string_view labels);
  std::string out_;
};

// `key="value"` with the value escaped as the format wants (\\, \", \n).
std::string label(std::string_view key, std::string_view value);

}  // namespace metrics
