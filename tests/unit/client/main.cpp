#define BOOST_TEST_MODULE dfp_client
#include <boost/test/unit_test.hpp>
