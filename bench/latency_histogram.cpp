#include "bench/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace dfp::bench {
namespace {

// 128 buckets per power of two: values up to 2^(kSubBits+1) get a bucket each, above that a
// bucket covers 2^(exponent - kSubBits) values.
constexpr int kSubBits = 7;
constexpr std::uint64_t kSubCount = 1ULL << kSubBits;

}  // namespace

std::size_t LatencyHistogram::bucketOf(std::uint64_t value) {
    if (value < 2 * kSubCount) {
        return static_cast<std::size_t>(value);
    }
    const int exponent = std::bit_width(value) - 1;  // >= kSubBits + 1
    const int shift = exponent - kSubBits;
    const std::uint64_t mantissa = value >> shift;  // in [kSubCount, 2 * kSubCount)
    return static_cast<std::size_t>(static_cast<std::uint64_t>(shift) * kSubCount + mantissa);
}

std::uint64_t LatencyHistogram::bucketTop(std::size_t bucket) {
    if (bucket < 2 * kSubCount) {
        return bucket;
    }
    const std::uint64_t shift = (bucket - kSubCount) / kSubCount;
    const std::uint64_t mantissa = bucket - shift * kSubCount;
    const std::uint64_t low = mantissa << shift;
    return low + ((1ULL << shift) - 1);
}

void LatencyHistogram::record(std::uint64_t nanoseconds) {
    const std::size_t bucket = bucketOf(nanoseconds);
    if (bucket >= counts_.size()) {
        counts_.resize(bucket + 1, 0);
    }
    ++counts_[bucket];
    ++count_;
    max_ = std::max(max_, nanoseconds);
    min_ = std::min(min_, nanoseconds);
    sum_ += nanoseconds;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    if (other.counts_.size() > counts_.size()) {
        counts_.resize(other.counts_.size(), 0);
    }
    for (std::size_t i = 0; i < other.counts_.size(); ++i) {
        counts_[i] += other.counts_[i];
    }
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
    min_ = std::min(min_, other.min_);
    sum_ += other.sum_;
}

double LatencyHistogram::mean() const {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_ / count_);
}

std::uint64_t LatencyHistogram::percentile(double p) const {
    if (count_ == 0) {
        return 0;
    }
    p = std::clamp(p, 0.0, 100.0);
    if (p == 0.0) {
        return min_;
    }
    // ceil(p/100 * count), computed so that 99% of 100 is exactly 99 and not 99.00000001.
    const long double exact = static_cast<long double>(p) * count_ / 100.0L;
    auto rank = static_cast<std::uint64_t>(std::ceil(exact - 1e-9L));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t bucket = 0; bucket < counts_.size(); ++bucket) {
        seen += counts_[bucket];
        if (seen >= rank) {
            return std::clamp(bucketTop(bucket), min(), max_);
        }
    }
    return max_;
}

}  // namespace dfp::bench
