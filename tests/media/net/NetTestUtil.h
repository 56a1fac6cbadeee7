#pragma once
// Loopback helpers for the media/net tests: plain POSIX sockets as the "remote" side, and a
// bounded io_context runner (everything runs on the test thread, like on a worker).
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

#include "media/net/UniqueFd.h"
#include "media/util/SocketAddress.h"

namespace switchyard::media::net::test {

using util::SocketAddress;

inline SocketAddress loopback4() {
  return *SocketAddress::parse("127.0.0.1", 0);
}
inline SocketAddress loopback6() {
  return *SocketAddress::parse("::1", 0);
}

// Runs the io_context in small slices until pred() holds or the timeout passes.
inline bool runUntil(boost::asio::io_context& io, const std::function<bool()>& pred,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    if (io.stopped()) io.restart();
    io.run_for(std::chrono::milliseconds(2));
  }
  return true;
}

// Runs whatever is ready for a short while (lets the reactor see pending events).
inline void runFor(boost::asio::io_context& io, std::chrono::milliseconds d) {
  if (io.stopped()) io.restart();
  io.run_for(d);
}

inline SocketAddress boundAddress(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0)
    throw std::runtime_error("getsockname");
  return *SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&storage), length);
}

inline bool canBindIpv6Loopback() {
  UniqueFd fd(::socket(AF_INET6, SOCK_DGRAM, 0));
  if (!fd.valid()) return false;
  sockaddr_storage storage{};
  const socklen_t length = loopback6().toSockaddr(storage);
  return ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&storage), length) == 0;
}

// A plain blocking UDP socket with a receive timeout.
class PlainUdp {
 public:
  explicit PlainUdp(const SocketAddress& bindTo) {
    fd_.reset(::socket(bindTo.isIpv4() ? AF_INET : AF_INET6, SOCK_DGRAM, 0));
    if (!fd_.valid()) throw std::runtime_error("socket");
    const int big = 4 << 20;
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    timeval tv{0, 200'000};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_storage storage{};
    const socklen_t length = bindTo.toSockaddr(storage);
    if (::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&storage), length) != 0)
      throw std::runtime_error("bind");
    address_ = boundAddress(fd_.get());
  }
  [[nodiscard]] const SocketAddress& address() const { return address_; }
  [[nodiscard]] int fd() const { return fd_.get(); }

  bool sendTo(std::span<const uint8_t> data, const SocketAddress& to) const {
    sockaddr_storage storage{};
    const socklen_t length = to.toSockaddr(storage);
    return ::sendto(fd_.get(), data.data(), data.size(), 0, reinterpret_cast<const sockaddr*>(&storage),
                    length) == static_cast<ssize_t>(data.size());
  }
  // One datagram (nullopt after the timeout).
  std::optional<std::vector<uint8_t>> receive(SocketAddress* from = nullptr) const {
    std::vector<uint8_t> buffer(70000);
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    const ssize_t n = ::recvfrom(fd_.get(), buffer.data(), buffer.size(), 0,
                                 reinterpret_cast<sockaddr*>(&storage), &length);
    if (n < 0) return std::nullopt;
    buffer.resize(static_cast<size_t>(n));
    if (from != nullptr)
      *from = *SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&storage), length);
    return buffer;
  }

 private:
  UniqueFd fd_;
  SocketAddress address_;
};

// A plain TCP client: non-blocking writes interleaved with running the io_context (the server
// runs on the same thread), reads with a timeout.
class PlainTcp {
 public:
  explicit PlainTcp(const SocketAddress& server) {
    fd_.reset(::socket(server.isIpv4() ? AF_INET : AF_INET6, SOCK_STREAM, 0));
    if (!fd_.valid()) throw std::runtime_error("socket");
    const int one = 1;
    ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_storage storage{};
    const socklen_t length = server.toSockaddr(storage);
    // The kernel completes the handshake from the listen backlog: no need to run the server.
    if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&storage), length) != 0)
      throw std::runtime_error("connect");
    ::fcntl(fd_.get(), F_SETFL, ::fcntl(fd_.get(), F_GETFL) | O_NONBLOCK);
    address_ = boundAddress(fd_.get());
  }
  [[nodiscard]] const SocketAddress& address() const { return address_; }

  void write(std::span<const uint8_t> data, boost::asio::io_context& io) const {
    size_t pos = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (pos < data.size()) {
      const ssize_t n = ::send(fd_.get(), data.data() + pos, data.size() - pos, MSG_NOSIGNAL);
      if (n > 0) {
        pos += static_cast<size_t>(n);
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        throw std::runtime_error("send");
      } else {
        if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("send timeout");
        runFor(io, std::chrono::milliseconds(1));
      }
    }
  }
  // Reads exactly n bytes, running the io_context while waiting; nullopt on EOF/timeout.
  std::optional<std::vector<uint8_t>> readExactly(size_t n, boost::asio::io_context& io) const {
    std::vector<uint8_t> out(n);
    size_t pos = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (pos < n) {
      const ssize_t r = ::recv(fd_.get(), out.data() + pos, n - pos, 0);
      if (r > 0) {
        pos += static_cast<size_t>(r);
      } else if (r == 0) {
        return std::nullopt;
      } else {
        if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
        runFor(io, std::chrono::milliseconds(1));
      }
    }
    return out;
  }
  // True once the server has closed the connection (EOF or reset), running the io_context.
  bool waitClosed(boost::asio::io_context& io) const {
    uint8_t byte = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      const ssize_t r = ::recv(fd_.get(), &byte, 1, 0);
      if (r == 0) return true;
      if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return true;
      runFor(io, std::chrono::milliseconds(1));
    }
    return false;
  }
  void close() { fd_.reset(); }

 private:
  UniqueFd fd_;
  SocketAddress address_;
};

}  // namespace switchyard::media::net::test
