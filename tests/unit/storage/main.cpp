#define BOOST_TEST_MODULE dfp_storage
#include <boost/test/unit_test.hpp>
