#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "storage/forum_store.h"
#include "support/storage_fixture.h"

using dfp::storage::describe;
using dfp::storage::MessageNumber;
using dfp::storage::StoreError;
using dfp::storage::ThreadEntry;
using dfp::test::outcome;
using dfp::test::StoreFixture;

namespace {

// A store with users Yoda and Luke and Yoda's thread "Topic".
struct TopicFixture : StoreFixture {
    TopicFixture() : store(open()) {
        BOOST_REQUIRE(store->createUser("Yoda", "pw"));
        BOOST_REQUIRE(store->createUser("Luke", "pw"));
        BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    }

    MessageNumber post(const std::string& author, const std::string& text,
                       const std::string& title = "Topic") {
        auto number = store->postMessage(title, author, text);
        BOOST_REQUIRE_EQUAL(outcome(number), "ok");
        return *number;
    }

    std::vector<MessageNumber> numbers(const std::string& title = "Topic") {
        auto view = dfp::test::readThread(*store, title);
        BOOST_REQUIRE(view);
        std::vector<MessageNumber> result;
        for (const auto& entry : view->entries) {
            result.push_back(entry.number);
        }
        return result;
    }

    std::unique_ptr<dfp::storage::ForumStore> store;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(messages)

BOOST_FIXTURE_TEST_CASE(numbers_messages_per_thread_from_one, TopicFixture) {
    BOOST_REQUIRE(store->createThread("Other", "Luke"));
    BOOST_CHECK_EQUAL(post("Yoda", "a"), 1);
    BOOST_CHECK_EQUAL(post("Luke", "b"), 2);
    BOOST_CHECK_EQUAL(post("Luke", "c", "Other"), 1);
    BOOST_CHECK_EQUAL(post("Yoda", "d"), 3);
    BOOST_CHECK_EQUAL(post("Yoda", "e", "Other"), 2);
}

BOOST_FIXTURE_TEST_CASE(never_reuses_the_number_of_a_deleted_last_message, TopicFixture) {
    BOOST_CHECK_EQUAL(post("Yoda", "one"), 1);
    BOOST_CHECK_EQUAL(post("Yoda", "two"), 2);
    BOOST_REQUIRE_EQUAL(outcome(store->deleteMessage("Topic", 2, "Yoda")), "ok");
    BOOST_CHECK_EQUAL(post("Yoda", "three"), 3);
    const std::vector<MessageNumber> expected{1, 3};
    const auto got = numbers();
    BOOST_CHECK_EQUAL_COLLECTIONS(got.begin(), got.end(), expected.begin(), expected.end());
}

BOOST_FIXTURE_TEST_CASE(never_reuses_numbers_even_after_every_message_is_deleted, TopicFixture) {
    BOOST_CHECK_EQUAL(post("Yoda", "one"), 1);
    BOOST_CHECK_EQUAL(post("Yoda", "two"), 2);
    BOOST_REQUIRE(store->deleteMessage("Topic", 1, "Yoda"));
    BOOST_REQUIRE(store->deleteMessage("Topic", 2, "Yoda"));
    BOOST_CHECK_EQUAL(post("Yoda", "three"), 3);
}

BOOST_FIXTURE_TEST_CASE(later_messages_keep_their_numbers_after_a_delete, TopicFixture) {
    post("Yoda", "one");
    post("Luke", "two");
    post("Yoda", "three");
    BOOST_REQUIRE(store->deleteMessage("Topic", 1, "Yoda"));
    auto view = dfp::test::readThread(*store, "Topic");
    BOOST_REQUIRE(view);
    BOOST_CHECK_EQUAL(view->announced, 2u);
    BOOST_REQUIRE_EQUAL(view->entries.size(), 2u);
    BOOST_CHECK_EQUAL(view->entries[0].number, 2);
    BOOST_CHECK_EQUAL(view->entries[0].text, "two");
    BOOST_CHECK_EQUAL(view->entries[1].number, 3);
    BOOST_CHECK_EQUAL(view->entries[1].text, "three");
    // The numbers still name the same messages for EDT.
    BOOST_REQUIRE(store->editMessage("Topic", 3, "Yoda", "three, edited"));
    view = dfp::test::readThread(*store, "Topic");
    BOOST_REQUIRE(view);
    BOOST_CHECK_EQUAL(view->entries[1].text, "three, edited");
}

BOOST_FIXTURE_TEST_CASE(edits_a_message_and_marks_it_edited, TopicFixture) {
    post("Yoda", "typo");
    post("Luke", "reply");
    BOOST_CHECK_EQUAL(outcome(store->editMessage("Topic", 1, "YODA", "fixed")), "ok");
    auto view = dfp::test::readThread(*store, "Topic");
    BOOST_REQUIRE(view);
    BOOST_REQUIRE_EQUAL(view->entries.size(), 2u);
    BOOST_CHECK_EQUAL(view->entries[0].text, "fixed");
    BOOST_CHECK(view->entries[0].edited);
    BOOST_CHECK_EQUAL(view->entries[0].author, "Yoda");
    BOOST_CHECK(!view->entries[1].edited);
}

BOOST_FIXTURE_TEST_CASE(keeps_message_text_byte_for_byte, TopicFixture) {
    const std::string text = "tab\there, UTF-8 \xC3\xA9\xE2\x82\xAC, quote ' and \"; DROP TABLE x";
    post("Yoda", text);
    auto view = dfp::test::readThread(*store, "Topic");
    BOOST_REQUIRE(view);
    BOOST_REQUIRE_EQUAL(view->entries.size(), 1u);
    BOOST_CHECK_EQUAL(view->entries[0].text, text);
}

BOOST_FIXTURE_TEST_CASE(refuses_to_edit_or_delete_someone_elses_message, TopicFixture) {
    post("Yoda", "mine");
    const auto before = dfp::test::diskState(*this);
    BOOST_CHECK_EQUAL(outcome(store->editMessage("Topic", 1, "Luke", "hijacked")),
                      describe(StoreError::NotAuthor));
    BOOST_CHECK_EQUAL(outcome(store->deleteMessage("Topic", 1, "Luke")),
                      describe(StoreError::NotAuthor));
    BOOST_CHECK_EQUAL(outcome(store->deleteMessage("Topic", 1, "Nobody")),
                      describe(StoreError::NotAuthor));
    dfp::test::checkUnchanged(before, *this);
}

BOOST_FIXTURE_TEST_CASE(refuses_numbers_that_name_no_message, TopicFixture) {
    post("Yoda", "one");
    post("Yoda", "two");
    BOOST_REQUIRE(store->deleteMessage("Topic", 2, "Yoda"));
    const auto before = dfp::test::diskState(*this);
    // 0, a deleted number, a number never given out, and one from another thread's range.
    for (MessageNumber number : {MessageNumber{0}, MessageNumber{2}, MessageNumber{3},
                                 MessageNumber{-1}, MessageNumber{999999999999999999}}) {
        BOOST_CHECK_EQUAL(outcome(store->editMessage("Topic", number, "Yoda", "x")),
                          describe(StoreError::MessageNotFound));
        BOOST_CHECK_EQUAL(outcome(store->deleteMessage("Topic", number, "Yoda")),
                          describe(StoreError::MessageNotFound));
    }
    dfp::test::checkUnchanged(before, *this);
}

BOOST_FIXTURE_TEST_CASE(refuses_messages_in_an_unknown_thread, TopicFixture) {
    post("Yoda", "one");
    const auto before = dfp::test::diskState(*this);
    BOOST_CHECK_EQUAL(outcome(store->postMessage("topic", "Yoda", "x")),
                      describe(StoreError::ThreadNotFound));
    BOOST_CHECK_EQUAL(outcome(store->editMessage("Nowhere", 1, "Yoda", "x")),
                      describe(StoreError::ThreadNotFound));
    BOOST_CHECK_EQUAL(outcome(store->deleteMessage("Nowhere", 1, "Yoda")),
                      describe(StoreError::ThreadNotFound));
    dfp::test::checkUnchanged(before, *this);
}

BOOST_FIXTURE_TEST_CASE(refuses_a_message_by_an_unknown_author, TopicFixture) {
    const auto before = dfp::test::diskState(*this);
    BOOST_CHECK_EQUAL(outcome(store->postMessage("Topic", "Nobody", "x")),
                      describe(StoreError::UserNotFound));
    dfp::test::checkUnchanged(before, *this);
    // The refused post took no number.
    BOOST_CHECK_EQUAL(post("Yoda", "first"), 1);
}

BOOST_AUTO_TEST_SUITE_END()
