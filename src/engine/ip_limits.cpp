#include "engine/ip_limits.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cmath>
#include <cstring>
#include <string>

namespace engine {

namespace {
// How often a stripe drops the entries whose buckets have refilled.
constexpr auto kSweepInterval = std::chrono::seconds(1);
}  // namespace

IpLimits::IpLimits(IpLimitOptions options)
    : options_(options),
      burst_(options.burst ? static_cast<float>(options.burst) : std::max(1.0f, static_cast<float>(options.rate))) {}

std::size_t IpLimits::KeyHash::operator()(const Key& key) const {
  std::uint64_t a, b;
  std::memcpy(&a, key.data(), 8);
  std::memcpy(&b, key.data() + 8, 8);
  std::uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
  return static_cast<std::size_t>(h ^ (h >> 31));
}

IpLimits::Key IpLimits::key_of(std::string_view address) {
  Key key{};
  boost::system::error_code ec;
  auto parsed = boost::asio::ip::make_address(std::string(address), ec);
  if (ec) return key;  // not an address (a Unix socket, a test): all such clients share one entry
  if (parsed.is_v4()) {
    // As the IPv4-mapped IPv6 address: one key space for both families.
    key[10] = key[11] = 0xff;
    auto bytes = parsed.to_v4().to_bytes();
    std::copy(bytes.begin(), bytes.end(), key.begin() + 12);
    return key;
  }
  auto v6 = parsed.to_v6();
  auto bytes = v6.to_bytes();
  if (v6.is_v4_mapped()) {
    std::copy(bytes.begin(), bytes.end(), key.begin());
    return key;
  }
  std::copy(bytes.begin(), bytes.begin() + 8, key.begin());  // the /64
  return key;
}

void IpLimits::refill(Entry& entry, Clock::time_point now) const {
  if (options_.rate <= 0 || now <= entry.stamp) return;
  double elapsed = std::chrono::duration<double>(now - entry.stamp).count();
  entry.tokens = static_cast<float>(std::min<double>(burst_, entry.tokens + elapsed * options_.rate));
  entry.stamp = now;
}

bool IpLimits::idle(Entry& entry, Clock::time_point now) const {
  if (entry.sessions > 0) return false;
  if (options_.rate <= 0) return true;
  refill(entry, now);
  return entry.tokens >= burst_;
}

void IpLimits::sweep(Stripe& stripe, Clock::time_point now) const {
  stripe.next_sweep = now + kSweepInterval;
  boost::unordered::erase_if(stripe.entries, [&](auto& item) { return idle(item.second, now); });
}

IpLimits::Decision IpLimits::admit(std::string_view address, Clock::time_point now) {
  Decision decision;
  if (!options_.enabled()) return decision;
  Key key = key_of(address);
  Stripe& stripe = stripes_[KeyHash{}(key) % stripes_.size()];
  std::lock_guard lock(stripe.mutex);
  if (now >= stripe.next_sweep) sweep(stripe, now);
  auto [it, inserted] = stripe.entries.try_emplace(key);
  Entry& entry = it->second;
  if (inserted) {
    entry.tokens = burst_;
    entry.stamp = now;
  }
  if (options_.rate > 0) {
    refill(entry, now);
    if (entry.tokens < 1.0f) {
      decision.verdict = Verdict::too_fast;
      decision.retry_after_s =
          static_cast<std::uint32_t>(std::max(1.0, std::ceil((1.0 - entry.tokens) / options_.rate)));
      return decision;  // the entry stays: its bucket is not full
    }
    entry.tokens -= 1.0f;
  }
  if (options_.max_connections > 0) {
    if (entry.sessions >= options_.max_connections) {
      decision.verdict = Verdict::too_many;
      return decision;  // sessions > 0: the entry stays
    }
    ++entry.sessions;
    decision.counted = true;
  } else if (idle(entry, now)) {
    stripe.entries.erase(it);
  }
  return decision;
}

void IpLimits::release(std::string_view address, Clock::time_point now) {
  Key key = key_of(address);
  Stripe& stripe = stripes_[KeyHash{}(key) % stripes_.size()];
  std::lock_guard lock(stripe.mutex);
  auto it = stripe.entries.find(key);
  if (it == stripe.entries.end()) return;
  if (it->second.sessions > 0) --it->second.sessions;
  if (idle(it->second, now)) stripe.entries.erase(it);
}

std::size_t IpLimits::tracked(Clock::time_point now) {
  std::size_t n = 0;
  for (auto& stripe : stripes_) {
    std::lock_guard lock(stripe.mutex);
    sweep(stripe, now);
    n += stripe.entries.size();
  }
  return n;
}

}  // namespace engine
