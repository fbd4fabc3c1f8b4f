#define BOOST_TEST_MODULE dfp_admin
#include <boost/test/unit_test.hpp>
