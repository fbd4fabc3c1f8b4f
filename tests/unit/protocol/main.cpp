#define BOOST_TEST_MODULE dfp_protocol
#include <boost/test/unit_test.hpp>
