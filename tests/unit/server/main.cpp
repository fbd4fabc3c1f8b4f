#define BOOST_TEST_MODULE dfp_server
#include <boost/test/unit_test.hpp>
