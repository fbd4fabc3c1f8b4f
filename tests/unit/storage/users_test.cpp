#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/test/unit_test.hpp>

#include "storage/forum_store.h"
#include "support/storage_fixture.h"

using dfp::storage::describe;
using dfp::storage::PasswordCost;
using dfp::storage::StoreError;
using dfp::test::outcome;
using dfp::test::StoreFixture;

BOOST_AUTO_TEST_SUITE(users)

BOOST_AUTO_TEST_CASE(creates_a_user_and_finds_it_in_any_case) {
    StoreFixture fixture;
    auto store = fixture.open();
    auto created = store->createUser("Yoda", "do or do not");
    BOOST_REQUIRE_EQUAL(outcome(created), "ok");
    BOOST_CHECK_EQUAL(*created, "Yoda");
    for (const char* spelling : {"Yoda", "yoda", "YODA", "yOdA"}) {
        auto found = store->findUser(spelling);
        BOOST_REQUIRE_EQUAL(outcome(found), "ok");
        BOOST_CHECK_EQUAL(*found, "Yoda");
    }
}

BOOST_AUTO_TEST_CASE(refuses_a_name_taken_in_another_case_and_keeps_the_first_spelling) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "first"));
    const auto before = dfp::test::diskState(fixture);
    BOOST_CHECK_EQUAL(outcome(store->createUser("yoda", "second")),
                      describe(StoreError::AlreadyExists));
    BOOST_CHECK_EQUAL(outcome(store->createUser("Yoda", "second")),
                      describe(StoreError::AlreadyExists));
    dfp::test::checkUnchanged(before, fixture);
    BOOST_CHECK_EQUAL(*store->findUser("YODA"), "Yoda");
    // The first account's password still holds; the refused one never did.
    BOOST_CHECK_EQUAL(outcome(store->verifyUser("yoda", "first")), "ok");
    BOOST_CHECK_EQUAL(outcome(store->verifyUser("yoda", "second")),
                      describe(StoreError::WrongPassword));
}

BOOST_AUTO_TEST_CASE(verifies_a_password_and_returns_the_first_registered_spelling) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Obi-Wan", "hello there"));
    auto verified = store->verifyUser("OBI-WAN", "hello there");
    BOOST_REQUIRE_EQUAL(outcome(verified), "ok");
    BOOST_CHECK_EQUAL(*verified, "Obi-Wan");
}

BOOST_AUTO_TEST_CASE(refuses_a_wrong_password) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Obi-Wan", "hello there"));
    for (const char* wrong : {"", "hello", "hello there ", "Hello there", "hello there\n"}) {
        BOOST_CHECK_EQUAL(outcome(store->verifyUser("Obi-Wan", wrong)),
                          describe(StoreError::WrongPassword));
    }
}

BOOST_AUTO_TEST_CASE(reports_an_unknown_user) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_CHECK_EQUAL(outcome(store->findUser("Yod")), describe(StoreError::UserNotFound));
    BOOST_CHECK_EQUAL(outcome(store->verifyUser("Vader", "pw")),
                      describe(StoreError::UserNotFound));
}

BOOST_AUTO_TEST_CASE(stores_a_real_argon2id_hash_at_interactive_cost) {
    StoreFixture fixture;
    auto options = fixture.options();
    options.passwordCost = PasswordCost::Interactive;
    {
        auto store = fixture.open(options);
        BOOST_REQUIRE(store->createUser("Leia", "help me obi-wan"));
        BOOST_CHECK_EQUAL(outcome(store->verifyUser("leia", "help me obi-wan")), "ok");
        BOOST_CHECK_EQUAL(outcome(store->verifyUser("leia", "help me obi-wan!")),
                          describe(StoreError::WrongPassword));
    }
    SQLite::Database db(fixture.databaseFile(), SQLite::OPEN_READONLY);
    const std::string hash =
        db.execAndGet("SELECT password_hash FROM users WHERE name = 'Leia'").getString();
    BOOST_CHECK(hash.starts_with("$argon2id$"));
    // libsodium's INTERACTIVE limits: 64 MiB (m is in KiB) and 2 passes.
    BOOST_CHECK_NE(hash.find("m=65536,t=2"), std::string::npos);
    BOOST_CHECK(hash.find("help me obi-wan") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
