// Keeps dfp_client a non-empty library until its issue lands.
namespace dfp::client {
int placeholder() { return 0; }
}  // namespace dfp::client
