#define BOOST_TEST_MODULE dfp_integration
#include <boost/test/unit_test.hpp>
