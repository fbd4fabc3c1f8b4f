// DeferredReply (src/server/deferred_reply.h): a MSG reply the store's writer thread finishes.
// Over a real socket pair: the finishing thread's send reaches the peer directly; what it
// cannot finish (a refusal, an exception, a socket that is full) waits for settle(), which
// writes it in its place, and the wake descriptor is readable exactly in between.

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "server/deferred_reply.h"
#include "server/session.h"
#include "support/string_sink.h"

using dfp::server::DeferredReply;
using dfp::storage::ForumStore;
using dfp::storage::StoreError;
using dfp::storage::StoreResult;

using dfp::test::StringSink;

namespace {

struct SocketPair {
    SocketPair() {
        int fds[2];
        BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
        session = fds[0];
        peer = fds[1];
    }
    ~SocketPair() {
        ::close(session);
        ::close(peer);
    }
    SocketPair(const SocketPair&) = delete;
    SocketPair& operator=(const SocketPair&) = delete;
    int session = -1;
    int peer = -1;
};

bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

// Everything the peer can read now, without waiting.
std::string readAvailable(int fd) {
    std::string out;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n <= 0) {
            return out;
        }
        out.append(buffer, static_cast<std::size_t>(n));
    }
}

std::string formatted(const ForumStore::PostedMessage& posted) {
    return "201 " + std::to_string(posted.number) + " message posted\n";
}

// Runs the callback as the store would: once, on a thread of its own.
void finishOnAnotherThread(const ForumStore::PostedCallback& done,
                           std::optional<StoreResult<ForumStore::PostedMessage>> result,
                           std::exception_ptr error = nullptr) {
    std::thread writer([&] { done(result ? &*result : nullptr, error); });
    writer.join();
}

void refuseNothing(StoreError error) {
    BOOST_ERROR("unexpected refusal " << dfp::storage::describe(error));
}

// The numbers of the messages whose follow-up (begin()'s then) settle() ran, in order.
struct FollowUps {
    DeferredReply::Then then() {
        return
            [this](const ForumStore::PostedMessage& posted) { numbers.push_back(posted.number); };
    }
    std::vector<dfp::storage::MessageNumber> numbers;
};

// A socket pair and a DeferredReply on its session end, with what the session side needs.
struct PendingReply {
    ForumStore::PostedCallback begin() { return reply.begin(formatted, followUps.then()); }

    SocketPair pair;
    FollowUps followUps;
    DeferredReply reply{pair.session};
    StringSink sink;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(deferred_reply)

// The follow-up (keeping the kept RDT reply warm, in the server) waits for settle(), on the
// session's thread, and runs once.
BOOST_FIXTURE_TEST_CASE(the_finishing_thread_sends_the_reply_and_leaves_only_the_follow_up,
                        PendingReply) {
    BOOST_CHECK(!reply.pending());
    const auto done = begin();
    BOOST_CHECK(reply.pending());
    BOOST_CHECK(!reply.handedBack());
    finishOnAnotherThread(done, ForumStore::PostedMessage{7, std::nullopt});
    BOOST_CHECK(!reply.pending());
    BOOST_CHECK(!reply.handedBack());
    BOOST_CHECK(!readable(reply.wakeFd()));
    BOOST_CHECK_EQUAL(readAvailable(pair.peer), "201 7 message posted\n");
    BOOST_CHECK(followUps.numbers.empty());
    reply.settle(sink, refuseNothing);
    BOOST_CHECK_EQUAL(sink.take(), "");
    reply.settle(sink, refuseNothing);
    BOOST_CHECK((followUps.numbers == std::vector<dfp::storage::MessageNumber>{7}));
}

BOOST_FIXTURE_TEST_CASE(a_refusal_is_handed_back_and_answered_by_the_session, PendingReply) {
    const auto done = begin();
    finishOnAnotherThread(done, StoreResult<ForumStore::PostedMessage>(StoreError::ThreadNotFound));
    BOOST_CHECK(reply.pending());
    BOOST_CHECK(reply.handedBack());
    BOOST_CHECK(readable(reply.wakeFd()));
    BOOST_CHECK_EQUAL(readAvailable(pair.peer), "");  // nothing sent by the finishing thread
    std::optional<StoreError> refused;
    reply.settle(sink, [&](StoreError error) { refused = error; });
    BOOST_CHECK(refused == StoreError::ThreadNotFound);
    BOOST_CHECK(!reply.pending());
    BOOST_CHECK(!reply.handedBack());
    BOOST_CHECK(!readable(reply.wakeFd()));  // drained: no wake-up left for the next reply
    BOOST_CHECK(followUps.numbers.empty());  // nothing was posted
}

BOOST_FIXTURE_TEST_CASE(settle_rethrows_the_exception_the_write_ended_with_once, PendingReply) {
    const auto done = begin();
    finishOnAnotherThread(done, std::nullopt,
                          std::make_exception_ptr(std::runtime_error("disk on fire")));
    BOOST_CHECK_EXCEPTION(
        reply.settle(sink, refuseNothing), std::runtime_error,
        [](const std::runtime_error& e) { return std::string(e.what()) == "disk on fire"; });
    BOOST_CHECK(!reply.pending());
    reply.settle(sink, refuseNothing);  // nothing left: no second throw
    BOOST_CHECK_EQUAL(sink.take(), "");
    BOOST_CHECK(followUps.numbers.empty());
}

// A client that does not read fills the socket; the finishing thread must not wait for it,
// so what it could not send goes back to the session, which sends it after what went before.
BOOST_FIXTURE_TEST_CASE(a_reply_the_full_socket_would_not_take_is_handed_back_whole_or_in_part,
                        PendingReply) {
    std::size_t filled = 0;
    const std::string chunk(4096, 'x');
    while (true) {
        const ssize_t n = ::send(pair.session, chunk.data(), chunk.size(), MSG_DONTWAIT);
        if (n <= 0) {
            break;
        }
        filled += static_cast<std::size_t>(n);
    }
    while (::send(pair.session, "x", 1, MSG_DONTWAIT) == 1) {
        ++filled;
    }
    BOOST_REQUIRE_GT(filled, 0u);
    const auto done = begin();
    finishOnAnotherThread(done, ForumStore::PostedMessage{3, std::nullopt});
    BOOST_CHECK(reply.pending());
    BOOST_CHECK(readable(reply.wakeFd()));
    reply.settle(sink, refuseNothing);
    BOOST_CHECK(!reply.pending());
    // The peer reads the filler, then any part of the line the finishing thread did send;
    // the session's sink holds the rest.
    const std::string received = readAvailable(pair.peer);
    BOOST_REQUIRE_GE(received.size(), filled);
    BOOST_CHECK_EQUAL(received.substr(0, filled), std::string(filled, 'x'));
    BOOST_CHECK_EQUAL(received.substr(filled) + sink.take(), "201 3 message posted\n");
    BOOST_CHECK((followUps.numbers == std::vector<dfp::storage::MessageNumber>{3}));
}

BOOST_FIXTURE_TEST_CASE(a_callback_never_queued_leaves_nothing_pending, PendingReply) {
    {
        const auto done = begin();
        reply.cancel();
    }
    BOOST_CHECK(!reply.pending());
    reply.settle(sink, refuseNothing);
    BOOST_CHECK_EQUAL(sink.take(), "");
    BOOST_CHECK(followUps.numbers.empty());
}

// The session's end waits for a reply still being finished: once the DeferredReply is gone,
// the finishing thread has sent the reply and let go of it.
BOOST_AUTO_TEST_CASE(its_end_waits_for_the_finishing_thread) {
    SocketPair pair;
    std::thread writer;
    {
        FollowUps followUps;
        DeferredReply reply(pair.session);
        writer = std::thread([done = reply.begin(formatted, followUps.then())] {
            const StoreResult<ForumStore::PostedMessage> result =
                ForumStore::PostedMessage{9, std::nullopt};
            done(&result, nullptr);
        });
    }
    BOOST_CHECK_EQUAL(readAvailable(pair.peer), "201 9 message posted\n");
    writer.join();
}

BOOST_AUTO_TEST_SUITE_END()
