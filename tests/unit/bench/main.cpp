#define BOOST_TEST_MODULE dfp_bench
#include <boost/test/unit_test.hpp>
