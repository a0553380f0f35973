#pragma once
// Internal to engine/: limits per client address on handshakes, for every
// shard (MAX_CONNECTIONS_PER_IP, CONNECTION_RATE_PER_IP): the sessions an
// address has open, and a token bucket of its handshakes.
//
// Only handshakes touch it, never the message path, so one table for the
// whole server, split in 16 stripes with a lock each, is cheap and exact.
// An address has an entry only while it has a session open or a bucket not
// yet refilled: entries go at a count of 0 with a full bucket, so the table
// is bounded by the sessions open plus the addresses seen in the last
// burst/rate seconds.

#include <array>
#include <boost/unordered/unordered_flat_map.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>

namespace engine {

struct IpLimitOptions {
  std::uint32_t max_connections = 0;  // sessions per address at once; 0: no limit
  double rate = 0;                    // handshakes per second per address; 0: no limit
  std::uint32_t burst = 0;            // the bucket's size; 0: the rate, at least 1
  bool enabled() const { return max_connections > 0 || rate > 0; }
};

class IpLimits {
 public:
  using Clock = std::chrono::steady_clock;
  explicit IpLimits(IpLimitOptions options);

  enum class Verdict : std::uint8_t {
    admitted,
    too_many,  // max_connections sessions already open
    too_fast,  // no token left in the bucket
  };
  struct Decision {
    Verdict verdict = Verdict::admitted;
    bool counted = false;             // admitted and counted: release() it when the session ends
    std::uint32_t retry_after_s = 0;  // too_fast: seconds until the next token
  };
  // A handshake from `address` (IPv6 addresses count by their /64: one host
  // usually has the whole prefix). Takes a token, then counts a session; a
  // refused handshake keeps its token spent, so retrying does not help.
  Decision admit(std::string_view address, Clock::time_point now = Clock::now());
  // A counted session of `address` has ended.
  void release(std::string_view address, Clock::time_point now = Clock::now());
  // Addresses with an entry once the refilled ones are dropped (tests, stats).
  std::size_t tracked(Clock::time_point now = Clock::now());

 private:
  using Key = std::array<std::uint8_t, 16>;
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };
  struct Entry {
    std::uint32_t sessions = 0;
    float tokens = 0;
    Clock::time_point stamp;  // when tokens was last brought up to date
  };
  struct Stripe {
    mutable std::mutex mutex;
    boost::unordered_flat_map<Key, Entry, KeyHash> entries;
    Clock::time_point next_sweep;
  };

  static Key key_of(std::string_view address);
  void refill(Entry& entry, Clock::time_point now) const;
  bool idle(Entry& entry, Clock::time_point now) const;  // removable
  void sweep(Stripe& stripe, Clock::time_point now) const;

  IpLimitOptions options_;
  float burst_;
  std::array<Stripe, 16> stripes_;
};

}  // namespace engine
