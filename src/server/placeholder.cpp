// Keeps dfp_server a non-empty library until its issue lands.
namespace dfp::server {
int placeholder() { return 0; }
}  // namespace dfp::server
