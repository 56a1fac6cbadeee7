#include "bench/Reflector.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "bench/LoadPeer.h"
#include "media/util/BigEndian.h"

namespace switchyard::bench {

namespace {

std::atomic<bool> gStop{false};

void onSignal(int) {
  gStop.store(true);
}

constexpr size_t kMaxRooms = 128;
constexpr size_t kMaxSubscribers = 8192;
constexpr size_t kBatch = 64;
constexpr size_t kSendBatch = 1024;

struct Room {
  std::array<sockaddr_in, kMaxSubscribers> subscribers{};
  std::atomic<uint32_t> count{0};
};

struct Registry {
  std::vector<std::unique_ptr<Room>> rooms;
  std::mutex mutex;  // registration only
  Registry() {
    rooms.reserve(kMaxRooms);
    for (size_t i = 0; i < kMaxRooms; ++i)
      rooms.push_back(std::make_unique<Room>());
  }
  void add(uint32_t room, const sockaddr_in& address) {
    if (room >= kMaxRooms) return;
    std::lock_guard lock(mutex);
    Room& r = *rooms[room];
    const uint32_t n = r.count.load(std::memory_order_relaxed);
    for (uint32_t i = 0; i < n; ++i)
      if (r.subscribers[i].sin_port == address.sin_port &&
          r.subscribers[i].sin_addr.s_addr == address.sin_addr.s_addr)
        return;
    if (n >= kMaxSubscribers) return;
    r.subscribers[n] = address;
    r.count.store(n + 1, std::memory_order_release);
  }
};

struct Counters {
  std::atomic<uint64_t> received{0};
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> sendErrors{0};
};

int openSocket(const ReflectorOptions& options, uint16_t port, uint16_t& boundPort) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  const int buffer = 8 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof(buffer));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buffer, sizeof(buffer));
  timeval timeout{0, 100000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (::inet_pton(AF_INET, options.listen.c_str(), &address.sin_addr) != 1 ||
      ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  boundPort = ntohs(address.sin_port);
  return fd;
}

void serve(int fd, Registry& registry, Counters& counters) {
  std::vector<std::array<uint8_t, 2048>> buffers(kBatch);
  std::array<iovec, kBatch> iov{};
  std::array<sockaddr_in, kBatch> from{};
  std::array<mmsghdr, kBatch> msgs{};
  std::vector<mmsghdr> out(kSendBatch);
  std::vector<iovec> outIov(kSendBatch);
  while (!gStop.load(std::memory_order_relaxed)) {
    for (size_t i = 0; i < kBatch; ++i) {
      iov[i] = {buffers[i].data(), buffers[i].size()};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
    }
    const int n = ::recvmmsg(fd, msgs.data(), kBatch, MSG_WAITFORONE, nullptr);
    if (n <= 0) continue;
    counters.received.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    size_t queued = 0;
    auto flush = [&] {
      size_t done = 0;
      while (done < queued) {
        const int sent = ::sendmmsg(fd, out.data() + done, static_cast<unsigned>(queued - done), 0);
        if (sent <= 0) {
          if (errno == EINTR) continue;
          counters.sendErrors.fetch_add(queued - done, std::memory_order_relaxed);
          break;
        }
        done += static_cast<size_t>(sent);
      }
      counters.sent.fetch_add(done, std::memory_order_relaxed);
      queued = 0;
    };
    for (int i = 0; i < n; ++i) {
      const size_t length = msgs[static_cast<size_t>(i)].msg_len;
      const uint8_t* data = buffers[static_cast<size_t>(i)].data();
      if (length < 4) continue;
      if (length == 8 && media::util::read32(data) == kReflectorJoinMagic) {
        registry.add(media::util::read32(data + 4), from[static_cast<size_t>(i)]);
        continue;
      }
      const uint32_t roomNumber = media::util::read32(data);
      if (roomNumber >= kMaxRooms) continue;
      Room& room = *registry.rooms[roomNumber];
      const uint32_t count = room.count.load(std::memory_order_acquire);
      for (uint32_t s = 0; s < count; ++s) {
        if (queued == kSendBatch) flush();
        outIov[queued] = {const_cast<uint8_t*>(data), length};
        out[queued] = {};
        out[queued].msg_hdr.msg_iov = &outIov[queued];
        out[queued].msg_hdr.msg_iovlen = 1;
        out[queued].msg_hdr.msg_name = &room.subscribers[s];
        out[queued].msg_hdr.msg_namelen = sizeof(sockaddr_in);
        ++queued;
      }
    }
    flush();
  }
}

}  // namespace

int runReflector(const ReflectorOptions& options) {
  struct sigaction action {};
  action.sa_handler = onSignal;
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGINT, &action, nullptr);
  Registry registry;
  Counters counters;
  std::vector<int> fds;
  uint16_t port = options.port;
  for (uint32_t i = 0; i < std::max<uint32_t>(options.threads, 1); ++i) {
    uint16_t bound = 0;
    const int fd = openSocket(options, port, bound);
    if (fd < 0) {
      std::fprintf(stderr, "reflector: cannot bind %s:%u: %s\n", options.listen.c_str(), port,
                   std::strerror(errno));
      for (const int f : fds)
        ::close(f);
      return 1;
    }
    port = bound;
    fds.push_back(fd);
  }
  std::printf("reflector listening on %s:%u (%zu threads)\n", options.listen.c_str(), port, fds.size());
  std::fflush(stdout);
  std::vector<std::thread> threads;
  for (const int fd : fds)
    threads.emplace_back([fd, &registry, &counters] { serve(fd, registry, counters); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(options.maxSeconds);
  while (!gStop.load() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  gStop.store(true);
  for (auto& t : threads)
    t.join();
  for (const int fd : fds)
    ::close(fd);
  std::printf("reflector: received %llu, sent %llu, send errors %llu\n",
              static_cast<unsigned long long>(counters.received.load()),
              static_cast<unsigned long long>(counters.sent.load()),
              static_cast<unsigned long long>(counters.sendErrors.load()));
  return 0;
}

}  // namespace switchyard::bench
