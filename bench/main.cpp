// dfp-bench: drives a DFP/1 server with concurrent clients and reports what it measured.
// Everything happens in runner.cpp; this file only wires arguments to it and the report out.

#include <cstdio>
#include <iostream>
#include <string_view>
#include <vector>

#include "bench/options.h"
#include "bench/report.h"
#include "bench/runner.h"

int main(int argc, char** argv) {
    using namespace dfp::bench;
    std::vector<std::string_view> args(argv + 1, argv + argc);
    const ParseResult parsed = parseOptions(args);
    if (parsed.help) {
        std::cout << usageText();
        return 0;
    }
    if (!parsed.options) {
        std::cerr << "dfp-bench: " << parsed.error << " (see dfp-bench --help)\n";
        return 2;
    }
    const Options& options = *parsed.options;
    try {
        const Report report = runBench(options);
        std::cout << (options.json ? formatJson(report) : formatText(report)) << std::flush;
        return report.errors() == 0 ? 0 : 1;
    } catch (const RunError& e) {
        std::cerr << "dfp-bench: " << e.what() << "\n";
        return 3;
    }
}
