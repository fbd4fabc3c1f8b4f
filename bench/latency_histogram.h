#pragma once

// Latencies in nanoseconds, kept as counts in log-linear buckets (as HdrHistogram does) so that
// a run of millions of operations needs a few KiB and histograms of many clients merge by
// adding counts. Values below 256 ns are kept exactly; above, a bucket spans 1/128 of its
// power of two, so a reported percentile is at most 0.8% above the true value, never below.
// Not thread-safe: one per client, merged after the clients have stopped.

#include <cstdint>
#include <vector>

namespace dfp::bench {

class LatencyHistogram {
public:
    void record(std::uint64_t nanoseconds);
    void merge(const LatencyHistogram& other);

    std::uint64_t count() const { return count_; }
    std::uint64_t max() const { return max_; }
    std::uint64_t min() const { return count_ == 0 ? 0 : min_; }
    double mean() const;

    // Nearest rank: the smallest recorded value v such that at least ceil(p/100 * count)
    // values are <= v, reported as the top of v's bucket (clamped to [min, max]).
    // 0 when empty; p is clamped to [0, 100], and p = 0 gives the minimum.
    std::uint64_t percentile(double p) const;

    // The bucket layout, exposed for tests.
    static std::size_t bucketOf(std::uint64_t value);
    static std::uint64_t bucketTop(std::size_t bucket);

private:
    std::vector<std::uint64_t> counts_;  // grown on demand to the largest bucket used
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    long double sum_ = 0;
};

}  // namespace dfp::bench
