// Keeps dfp_admin a non-empty library until its issue lands.
namespace dfp::admin {
int placeholder() {
    return 0;
}
}  // namespace dfp::admin
