#include "bench/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace dfp::bench {
namespace {

// The nearest-rank percentile of exact values: what the histogram approximates from above.
std::uint64_t exactPercentile(std::vector<std::uint64_t> values, double p) {
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * values.size() - 1e-9));
    return values[std::max<std::size_t>(rank, 1) - 1];
}

}  // namespace

BOOST_AUTO_TEST_SUITE(latency_histogram)

BOOST_AUTO_TEST_CASE(reports_zero_for_an_empty_histogram) {
    LatencyHistogram h;
    BOOST_TEST(h.count() == 0u);
    BOOST_TEST(h.percentile(50) == 0u);
    BOOST_TEST(h.percentile(99) == 0u);
    BOOST_TEST(h.max() == 0u);
    BOOST_TEST(h.min() == 0u);
    BOOST_TEST(h.mean() == 0.0);
}

BOOST_AUTO_TEST_CASE(gives_nearest_rank_percentiles_of_one_to_a_hundred) {
    // Values below 256 ns have a bucket each, so these are exact: with 100 values the p-th
    // percentile is the p-th smallest.
    LatencyHistogram h;
    for (std::uint64_t v = 100; v >= 1; --v) {
        h.record(v);
    }
    BOOST_TEST(h.count() == 100u);
    BOOST_TEST(h.percentile(50) == 50u);
    BOOST_TEST(h.percentile(95) == 95u);
    BOOST_TEST(h.percentile(99) == 99u);
    BOOST_TEST(h.percentile(100) == 100u);
    BOOST_TEST(h.percentile(0) == 1u);
    BOOST_TEST(h.max() == 100u);
    BOOST_TEST(h.min() == 1u);
    BOOST_TEST(h.mean() == 50.5);
}

BOOST_AUTO_TEST_CASE(rounds_the_rank_up) {
    // Ten values 10..100: p50 is rank ceil(5) = 5 -> 50; p51 is rank ceil(5.1) = 6 -> 60;
    // p95 and p99 are rank 10 -> 100; p10 is rank 1 -> 10; p10.5 is rank 2 -> 20.
    LatencyHistogram h;
    for (std::uint64_t v = 10; v <= 100; v += 10) {
        h.record(v);
    }
    BOOST_TEST(h.percentile(50) == 50u);
    BOOST_TEST(h.percentile(51) == 60u);
    BOOST_TEST(h.percentile(95) == 100u);
    BOOST_TEST(h.percentile(99) == 100u);
    BOOST_TEST(h.percentile(10) == 10u);
    BOOST_TEST(h.percentile(10.5) == 20u);
}

BOOST_AUTO_TEST_CASE(keeps_a_single_value_exact_at_every_percentile) {
    LatencyHistogram h;
    h.record(123'456'789);
    BOOST_TEST(h.percentile(1) == 123'456'789u);
    BOOST_TEST(h.percentile(50) == 123'456'789u);
    BOOST_TEST(h.percentile(99.9) == 123'456'789u);
}

BOOST_AUTO_TEST_CASE(lays_out_buckets_log_linearly) {
    // Exact below 256; then 128 buckets per power of two. 1000 = 0b1111101000: exponent 9,
    // shift 2, mantissa 1000 >> 2 = 250, bucket 2 * 128 + 250 = 506, covering 1000..1003.
    BOOST_TEST(LatencyHistogram::bucketOf(0) == 0u);
    BOOST_TEST(LatencyHistogram::bucketOf(255) == 255u);
    BOOST_TEST(LatencyHistogram::bucketOf(256) == 256u);
    BOOST_TEST(LatencyHistogram::bucketOf(257) == 256u);
    BOOST_TEST(LatencyHistogram::bucketTop(256) == 257u);
    BOOST_TEST(LatencyHistogram::bucketOf(511) == 383u);
    BOOST_TEST(LatencyHistogram::bucketOf(512) == 384u);
    BOOST_TEST(LatencyHistogram::bucketOf(1000) == 506u);
    BOOST_TEST(LatencyHistogram::bucketOf(1003) == 506u);
    BOOST_TEST(LatencyHistogram::bucketOf(1004) == 507u);
    BOOST_TEST(LatencyHistogram::bucketTop(506) == 1003u);
    for (std::uint64_t v : {300ULL, 4095ULL, 4096ULL, 1'000'000ULL, 2'000'000'000ULL}) {
        BOOST_TEST_CONTEXT("value " << v) {
            const std::size_t bucket = LatencyHistogram::bucketOf(v);
            BOOST_TEST(LatencyHistogram::bucketTop(bucket) >= v);
            BOOST_TEST(LatencyHistogram::bucketOf(LatencyHistogram::bucketTop(bucket)) == bucket);
            BOOST_TEST(LatencyHistogram::bucketOf(LatencyHistogram::bucketTop(bucket) + 1) ==
                       bucket + 1);
        }
    }
}

BOOST_AUTO_TEST_CASE(reports_the_top_of_the_bucket_clamped_to_what_was_seen) {
    // 1000 and 1001 share bucket 1000..1003: p50 (rank 2) reports its top, 1003; the
    // minimum and maximum stay exact.
    LatencyHistogram h;
    h.record(1000);
    h.record(1001);
    h.record(5000);
    BOOST_TEST(h.percentile(50) == 1003u);
    BOOST_TEST(h.percentile(0) == 1000u);
    BOOST_TEST(h.percentile(100) == 5000u);
    BOOST_TEST(h.percentile(99) == 5000u);
    BOOST_TEST(h.max() == 5000u);
    // A lone value in its bucket is reported as itself: the top is clamped to the maximum.
    LatencyHistogram one;
    one.record(1000);
    BOOST_TEST(one.percentile(50) == 1000u);
}

BOOST_AUTO_TEST_CASE(stays_within_one_part_in_128_above_the_exact_percentile) {
    std::mt19937_64 random(42);
    std::lognormal_distribution<double> latency(std::log(200'000.0), 1.0);  // ns, around 0.2 ms
    std::vector<std::uint64_t> values;
    LatencyHistogram h;
    for (int i = 0; i < 20'000; ++i) {
        const auto v = static_cast<std::uint64_t>(latency(random));
        values.push_back(v);
        h.record(v);
    }
    for (double p : {1.0, 25.0, 50.0, 90.0, 95.0, 99.0, 99.9, 100.0}) {
        BOOST_TEST_CONTEXT("p" << p) {
            const std::uint64_t exact = exactPercentile(values, p);
            const std::uint64_t reported = h.percentile(p);
            BOOST_TEST(reported >= exact);
            BOOST_TEST(static_cast<double>(reported) <= exact * (1.0 + 1.0 / 128));
        }
    }
}

BOOST_AUTO_TEST_CASE(merges_as_if_every_value_went_into_one) {
    LatencyHistogram a;
    LatencyHistogram b;
    LatencyHistogram all;
    for (std::uint64_t v = 1; v <= 1000; ++v) {
        (v % 3 == 0 ? a : b).record(v * 997);
        all.record(v * 997);
    }
    a.merge(b);
    BOOST_TEST(a.count() == all.count());
    BOOST_TEST(a.max() == all.max());
    BOOST_TEST(a.min() == all.min());
    BOOST_TEST(a.mean() == all.mean());
    for (double p : {50.0, 95.0, 99.0}) {
        BOOST_TEST(a.percentile(p) == all.percentile(p));
    }
    LatencyHistogram empty;
    empty.merge(all);
    BOOST_TEST(empty.percentile(99) == all.percentile(99));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dfp::bench
