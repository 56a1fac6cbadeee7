#pragma once
// A private network namespace for benchmarking an SFU that will not use loopback addresses (Janus
// puts no ICE candidate on 127.0.0.1): `ip netns add`, then a veth pair with BOTH ends inside the
// namespace (this kernel has no dummy driver), one private address on each end, lo and both ends
// up. Nothing is routed out: the namespace has no route but the two /prefix subnets, so every
// packet sent in it stays in it. Between the two (both local) addresses the kernel delivers
// through lo, except what libnice sends: Janus's packets leave through the interface ICE gathered
// on (sy-server; seen as an INCOMPLETE neighbour entry of 10.77.0.2 on sy-server) and cross the
// veth, which needs accept_local=1 and rp_filter=0 on both ends (set here; without them ARP for
// the other end never resolves and Janus's packets sit in its socket's send queue). So a tc qdisc
// on the veth sees Janus -> client traffic, not client -> Janus.
//
// Sockets are placed in it per thread: enterOnThisThread() calls setns(CLONE_NEWNET) on the
// namespace's fd, after which every socket the calling thread creates lives in the namespace
// (sockets keep the namespace they were created in, whichever thread uses them later). startThread()
// runs a function on a new thread that has entered it, e.g. a thread running an io_context whose
// handlers create ClientTransport sockets and WebSocket connections. A child process started with
// the fd (JanusProcess) enters it between fork and exec. The per-thread way is what the load's janus
// target uses and has been seen to work; re-executing the whole bench under `ip netns exec` (not tried)
// would put the Switchyard server in the namespace as well.
//
// RAII: the destructor runs `ip netns delete` (the veth pair goes with the namespace once no
// process is left in it: stop what runs inside first). Names are unique per process
// ("<prefix>-<pid>-<n>"); removeStale() deletes the ones of processes that died without cleaning up
// (SIGKILL). Needs root (CAP_SYS_ADMIN). Control plane only; throws std::runtime_error with what
// failed.
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace switchyard::bench {

class NetworkNamespace {
 public:
  struct Options {
    std::string namePrefix = "switchyard-bench";
    std::string serverAddress = "10.77.0.1";  // on serverInterface(): give this to the SFU
    std::string clientAddress = "10.77.0.2";  // on clientInterface(): bind the load clients here
    unsigned prefixLength = 24;
  };

  // Interface names inside the namespace (private to it, so fixed names cannot clash).
  static constexpr const char* kServerInterface = "sy-server";
  static constexpr const char* kClientInterface = "sy-client";

  // Creates and configures the namespace; on any failure removes what was made and throws.
  explicit NetworkNamespace(Options options);
  NetworkNamespace() : NetworkNamespace(Options{}) {}
  ~NetworkNamespace();
  NetworkNamespace(const NetworkNamespace&) = delete;
  NetworkNamespace& operator=(const NetworkNamespace&) = delete;

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::string& serverAddress() const noexcept { return options_.serverAddress; }
  [[nodiscard]] const std::string& clientAddress() const noexcept { return options_.clientAddress; }
  [[nodiscard]] const char* serverInterface() const noexcept { return kServerInterface; }
  [[nodiscard]] const char* clientInterface() const noexcept { return kClientInterface; }
  // An O_RDONLY|O_CLOEXEC fd of /run/netns/<name>, valid for the object's lifetime.
  [[nodiscard]] int fd() const noexcept { return fd_; }

  // Moves the calling thread into the namespace (for good). Throws if setns fails.
  void enterOnThisThread() const;
  // A new thread that enters the namespace, then runs `body`. Returns once the thread is inside;
  // throws (and joins the thread) if it could not enter.
  [[nodiscard]] std::thread startThread(std::function<void()> body) const;

  // Deletes namespaces named "<prefix>-<pid>-<n>" whose pid no longer runs. Returns how many.
  static size_t removeStale(const std::string& namePrefix = "switchyard-bench");
  // `ip netns list` names (without the "(id: n)" suffix).
  static std::vector<std::string> list();

 private:
  void setSysctls() const;
  void destroy() noexcept;

  Options options_;
  std::string name_;
  int fd_ = -1;
};

}  // namespace switchyard::bench
