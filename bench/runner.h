#pragma once

// Runs what the options describe against the server and returns the report: the groups'
// setup, the idle sessions, the clients released together at one start latch, the greeting
// probe and the RSS watch, then every client's figures merged.

#include <stdexcept>

#include "bench/options.h"
#include "bench/report.h"

namespace dfp::bench {

// The run could not start: the server is unreachable, or refused the setup.
class RunError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

Report runBench(const Options& options);

// Raises the soft RLIMIT_NOFILE to the hard limit (10,000 idle sessions need as many
// descriptors); returns the limit now in force.
unsigned long raiseFileLimit();

}  // namespace dfp::bench
