// placeholder until the protocol sources land
namespace dfp::protocol { int placeholder() { return 0; } }
