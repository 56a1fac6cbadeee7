#include "bench/JanusProbe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bench/ChildProcess.h"
#include "bench/JanusProcess.h"
#include "bench/JanusSdp.h"
#include "bench/JanusSignaling.h"
#include "bench/NetworkNamespace.h"
#include "media/dtls/DtlsCertificate.h"
#include "media/dtls/DtlsContext.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "media/sdp/Sdp.h"
#include "media/srtp/SrtpLibrary.h"
#include "media/srtp/SrtpSession.h"
#include "media/transport/ClientTransport.h"

namespace switchyard::bench {

namespace {

namespace asio = boost::asio;
using media::transport::ClientTransport;
using media::transport::TransportCloseReason;
using media::transport::TransportId;
using SteadyClock = std::chrono::steady_clock;

constexpr uint32_t kAudioSsrc = 0x11223344;
constexpr uint32_t kVideoSsrc = 0x55667788;
constexpr uint8_t kOpusPt = 111;
constexpr uint8_t kVp8Pt = 96;
constexpr size_t kVideoPayloadBytes = 1100;
constexpr size_t kAudioPayloadBytes = 100;

std::atomic<int> gSignal{0};

extern "C" void onStopSignal(int signal) {
  gSignal.store(signal);
}

double secondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// The first error wins; read by the main thread.
class ErrorSlot {
 public:
  void set(const std::string& message) {
    std::lock_guard lock(mutex_);
    if (message_.empty()) message_ = message;
    failed_.store(true);
  }
  [[nodiscard]] bool failed() const noexcept { return failed_.load(); }
  [[nodiscard]] std::string message() const {
    std::lock_guard lock(mutex_);
    return message_;
  }

 private:
  mutable std::mutex mutex_;
  std::string message_;
  std::atomic<bool> failed_{false};
};

// One bench peer's media side: its ClientTransport and what it received. Lives on the io thread
// (the counters are atomics so the main thread can read them).
class ProbePeer final : public media::transport::TransportEvents {
 public:
  ProbePeer(std::string name, ErrorSlot& errors) : name_(std::move(name)), errors_(errors) {}

  void onTransportConnected(TransportId) override { connected.store(true); }
  void onTransportRtp(TransportId, media::rtp::RtpPacket& packet) noexcept override {
    const auto kind = payloadKinds.find(packet.payloadType());
    if (kind == payloadKinds.end()) {
      otherRtp.fetch_add(1);
    } else if (kind->second == media::sdp::MediaKind::kVideo) {
      videoRtp.fetch_add(1);
    } else {
      audioRtp.fetch_add(1);
    }
  }
  void onTransportRtcp(TransportId, std::span<uint8_t>) noexcept override { rtcp.fetch_add(1); }
  void onTransportClosed(TransportId, TransportCloseReason reason, std::string_view detail) override {
    closed.store(true);
    if (reason != TransportCloseReason::kLocalClose) {
      errors_.set(name_ + " transport closed: " + std::string(toString(reason)) + " (" + std::string(detail) +
                  ")");
    }
  }

  std::unique_ptr<ClientTransport> transport;
  media::ice::IceCredentials ice = media::ice::IceCredentials::generate();
  std::map<uint8_t, media::sdp::MediaKind> payloadKinds;  // set before the transport starts
  std::atomic<bool> connected{false};
  std::atomic<bool> closed{false};
  std::atomic<uint64_t> videoRtp{0};
  std::atomic<uint64_t> audioRtp{0};
  std::atomic<uint64_t> otherRtp{0};
  std::atomic<uint64_t> rtcp{0};

 private:
  std::string name_;
  ErrorSlot& errors_;
};

// A free UDP port on `ip` (bound, read, closed) for the candidate of our offer: the ClientTransport
// can only be created once Janus's answer gives its candidates, so its port must be known before.
// Called on the namespace thread. Nothing else binds in the namespace meanwhile.
uint16_t reserveUdpPort(const std::string& ip) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  ::inet_pton(AF_INET, ip.c_str(), &sa.sin_addr);
  socklen_t length = sizeof sa;
  const bool ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &length) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("bind " + ip + ":0 failed (is this thread in the namespace?)");
  return ntohs(sa.sin_port);
}

// What a browser offers when publishing audio + video (trimmed to one codec each): sendonly, BUNDLE,
// rtcp-mux, actpass, our host candidate. The bench's load core produces its own; this one is the
// probe's.
std::string publisherOffer(const media::ice::IceCredentials& ice, const std::string& fingerprint,
                           const media::util::SocketAddress& candidate) {
  const std::string transport =
      "c=IN IP4 0.0.0.0\r\na=ice-ufrag:" + ice.ufrag + "\r\na=ice-pwd:" + ice.password +
      "\r\na=ice-options:trickle\r\na=fingerprint:sha-256 " + fingerprint + "\r\na=setup:actpass\r\n";
  std::string sdp =
      "v=0\r\no=- 4611731400430051337 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
      "a=extmap-allow-mixed\r\na=msid-semantic: WMS probe\r\n";
  sdp += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + transport;
  sdp += "a=candidate:1 1 udp 2130706431 " + candidate.ipString() + " " + std::to_string(candidate.port()) +
         " typ host\r\na=end-of-candidates\r\n";
  sdp +=
      "a=mid:0\r\na=sendonly\r\na=msid:probe audio0\r\na=rtcp-mux\r\n"
      "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
      "a=ssrc:" +
      std::to_string(kAudioSsrc) + " cname:probe\r\na=ssrc:" + std::to_string(kAudioSsrc) +
      " msid:probe audio0\r\n";
  sdp += "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" + transport;
  sdp +=
      "a=mid:1\r\na=sendonly\r\na=msid:probe video0\r\na=rtcp-mux\r\na=rtcp-rsize\r\n"
      "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 goog-remb\r\na=rtcp-fb:96 ccm fir\r\na=rtcp-fb:96 nack\r\n"
      "a=rtcp-fb:96 nack pli\r\na=ssrc:" +
      std::to_string(kVideoSsrc) + " cname:probe\r\na=ssrc:" + std::to_string(kVideoSsrc) +
      " msid:probe video0\r\n";
  return sdp;
}

// Payload type -> kind from an SDP's rtpmap lines (what the subscriber will receive).
std::map<uint8_t, media::sdp::MediaKind> payloadKindsOf(const std::string& text) {
  std::map<uint8_t, media::sdp::MediaKind> kinds;
  const media::sdp::ParseResult parsed = media::sdp::parse(text);
  if (!parsed) return kinds;
  for (const auto& m : parsed.description->media)
    for (const uint8_t pt : m.payloadTypes())
      kinds[pt] = m.kind();
  return kinds;
}

// Synthetic media from the publisher: VP8-like frames of packetsPerFrame packets at 30 fps (a key
// frame every 30 frames, the first one too), opus-like packets at 50/s. Driven by a 5 ms timer,
// catching up with the wall clock. On the io thread.
class MediaSender {
 public:
  MediaSender(asio::io_context& io, ClientTransport& transport, unsigned packetsPerFrame)
      : timer_(io), transport_(transport), packetsPerFrame_(std::max(packetsPerFrame, 1u)) {}

  void start() {
    start_ = SteadyClock::now();
    running_ = true;
    tick();
  }
  void stop() {
    running_ = false;
    timer_.cancel();
  }
  std::atomic<uint64_t> videoSent{0};
  std::atomic<uint64_t> audioSent{0};

 private:
  void tick() {
    if (!running_) return;
    const double elapsed = secondsSince(start_);
    while (static_cast<double>(frames_) < elapsed * 30.0 + 1.0)
      sendFrame();
    while (static_cast<double>(audioPackets_) < elapsed * 50.0 + 1.0)
      sendAudio();
    timer_.expires_after(std::chrono::milliseconds(5));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) tick();
    });
  }

  void send(uint8_t pt, uint16_t seq, uint32_t timestamp, uint32_t ssrc, bool marker,
            std::span<const uint8_t> payload, std::atomic<uint64_t>& counter) {
    media::rtp::RtpPacketBuilder builder;
    builder.setPayloadType(pt).setSequenceNumber(seq).setTimestamp(timestamp).setSsrc(ssrc).setMarker(marker);
    builder.setPayload(payload);
    const auto size = builder.build(buffer_);
    if (size && transport_.sendRtp(buffer_, *size)) counter.fetch_add(1);
  }

  void sendFrame() {
    const bool key = frames_ % 30 == 0;
    const uint32_t timestamp = static_cast<uint32_t>(frames_ * 3000);
    for (unsigned i = 0; i < packetsPerFrame_; ++i) {
      std::array<uint8_t, kVideoPayloadBytes> payload{};
      payload.fill(static_cast<uint8_t>(frames_));
      payload[0] = i == 0 ? 0x10 : 0x00;  // VP8 payload descriptor: S bit on the frame's first packet
      if (i == 0) {
        // VP8 frame header (RFC 6386 §9.1): P bit clear on key frames, show_frame; key frames carry
        // the start code and a 640x480 size.
        const std::array<uint8_t, 10> header = {
            static_cast<uint8_t>(key ? 0x10 : 0x11), 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01};
        std::copy(header.begin(), key ? header.end() : header.begin() + 3, payload.begin() + 1);
      }
      send(kVp8Pt, videoSeq_++, timestamp, kVideoSsrc, i + 1 == packetsPerFrame_, payload, videoSent);
    }
    ++frames_;
  }

  void sendAudio() {
    std::array<uint8_t, kAudioPayloadBytes> payload{};
    payload.fill(static_cast<uint8_t>(audioPackets_));
    payload[0] = 0x78;  // an opus TOC byte (SILK-only wideband 20 ms, mono, one frame)
    send(kOpusPt, audioSeq_++, static_cast<uint32_t>(audioPackets_ * 960), kAudioSsrc, false, payload,
         audioSent);
    ++audioPackets_;
  }

  asio::steady_timer timer_;
  ClientTransport& transport_;
  unsigned packetsPerFrame_;
  SteadyClock::time_point start_{};
  bool running_ = false;
  uint64_t frames_ = 0;
  uint64_t audioPackets_ = 0;
  uint16_t videoSeq_ = 1000;
  uint16_t audioSeq_ = 2000;
  std::array<uint8_t, 1500 + media::srtp::kSrtpMaxTrailer> buffer_{};
};

// Waits (main thread) until `done` or an error / signal / deadline; false if it did not become done.
template <typename Done>
bool waitUntil(Done done, const ErrorSlot& errors, double seconds, const char* what) {
  const auto deadline = SteadyClock::now() + std::chrono::duration<double>(seconds);
  while (!done()) {
    if (errors.failed() || gSignal.load() != 0) return false;
    if (SteadyClock::now() >= deadline) {
      std::fprintf(stderr, "janus-probe: timed out waiting for %s\n", what);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Sleeps up to `seconds` on the main thread, returning early on an error or a signal.
void sleepWatching(double seconds, const ErrorSlot& errors) {
  const auto deadline = SteadyClock::now() + std::chrono::duration<double>(seconds);
  while (SteadyClock::now() < deadline && !errors.failed() && gSignal.load() == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace

JanusProbeResult JanusProbe::run(const JanusProbeOptions& options) {
  JanusProbeResult result;
  const auto t0 = SteadyClock::now();
  struct sigaction action {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  struct sigaction oldInt {};
  struct sigaction oldTerm {};
  ::sigaction(SIGINT, &action, &oldInt);
  ::sigaction(SIGTERM, &action, &oldTerm);

  ErrorSlot errors;
  media::srtp::SrtpLibrary srtpLibrary;
  try {
    if (const size_t stale = NetworkNamespace::removeStale())
      std::fprintf(stderr, "janus-probe: removed %zu stale namespace(s)\n", stale);
    NetworkNamespace ns;
    result.namespaceName = ns.name();
    std::fprintf(stderr, "janus-probe: namespace %s (%s on %s, %s on %s)\n", ns.name().c_str(),
                 ns.serverAddress().c_str(), ns.serverInterface(), ns.clientAddress().c_str(),
                 ns.clientInterface());

    JanusProcess::Options janusOptions;
    janusOptions.bindAddress = ns.serverAddress();
    janusOptions.iceInterface = ns.serverInterface();
    janusOptions.netnsFd = ns.fd();
    janusOptions.debugLevel = options.janusDebugLevel;
    janusOptions.eventLoops = options.janusEventLoops;
    janusOptions.niceDebug = options.janusDebugLevel >= 7;
    janusOptions.workDir = options.janusWorkDir;
    JanusProcess janus(janusOptions);
    janus.start();
    result.janusPid = janus.pid();
    std::fprintf(stderr, "janus-probe: janus pid %d answers on ws://%s:%u (config and log in %s)\n",
                 janus.pid(), ns.serverAddress().c_str(), janusOptions.wsPort, janus.workDir().c_str());

    const auto certificate = media::dtls::DtlsCertificate::generate("switchyard-bench");
    media::dtls::DtlsContext dtls(certificate);
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::thread ioThread = ns.startThread([&io] { io.run(); });

    ProbePeer publisher("publisher", errors);
    ProbePeer subscriber("subscriber", errors);
    std::unique_ptr<MediaSender> sender;
    JanusSignaling::Options signalingOptions;
    signalingOptions.host = ns.serverAddress();
    signalingOptions.port = janusOptions.wsPort;
    const auto onError = [&errors](const std::string& message) { errors.set(message); };
    auto pubSignaling = JanusSignaling::create(io, signalingOptions, onError);
    auto subSignaling = JanusSignaling::create(io, signalingOptions, onError);
    if (options.verbose) {
      subSignaling->setEventCallback([](const nlohmann::json& event) {
        std::fprintf(stderr, "--- subscriber event: %s\n", event.dump().c_str());
      });
    }
    const std::string clientIp = ns.clientAddress();
    const bool verbose = options.verbose;
    std::atomic<uint64_t> roomId{0};
    bool subscribed = false;  // io thread only

    // Runs `f` on the io thread, turning exceptions into errors.
    const auto guarded = [&errors](const char* what, auto f) {
      try {
        f();
      } catch (const std::exception& e) {
        errors.set(std::string(what) + ": " + e.what());
      }
    };

    // Subscriber: join the publisher's feed, answer Janus's offer, connect.
    const auto subscribe = [&, guarded](uint64_t room, uint64_t feed) {
      subSignaling->connect([&, guarded, room, feed] {
        subSignaling->joinAsSubscriber(room, feed, [&, guarded](std::string offer) {
          guarded("subscriber", [&] {
            if (verbose) std::fprintf(stderr, "--- Janus subscriber offer:\n%s", offer.c_str());
            const auto bind = *media::util::SocketAddress::parse(clientIp, 0);
            ClientTransport::Params params = janusTransportParams(offer, true, subscriber.ice, bind);
            subscriber.payloadKinds = payloadKindsOf(offer);
            subscriber.transport = std::make_unique<ClientTransport>(io, dtls, 2, params, subscriber);
            subscriber.transport->start();
            const std::string answer = answerJanusOffer(
                offer,
                {subscriber.ice, certificate.fingerprint(), subscriber.transport->localAddress().value()});
            if (verbose) std::fprintf(stderr, "--- our subscriber answer:\n%s", answer.c_str());
            subSignaling->start(answer, [] { std::fprintf(stderr, "janus-probe: subscriber started\n"); });
          });
        });
      });
    };

    // Publisher: create the room, join, publish, connect; then the subscriber.
    asio::post(io, [&, guarded] {
      pubSignaling->connect([&, guarded] {
        std::fprintf(stderr, "janus-probe: publisher session %llu handle %llu\n",
                     static_cast<unsigned long long>(pubSignaling->sessionId()),
                     static_cast<unsigned long long>(pubSignaling->handleId()));
        pubSignaling->createRoom({}, [&, guarded](uint64_t room) {
          roomId.store(room);
          std::fprintf(stderr, "janus-probe: room %llu created\n", static_cast<unsigned long long>(room));
          pubSignaling->joinAsPublisher(room, "probe-publisher", [&, guarded, room](uint64_t feed) {
            guarded("publisher", [&] {
              const auto bind = *media::util::SocketAddress::parse(clientIp, reserveUdpPort(clientIp));
              const std::string offer = publisherOffer(publisher.ice, certificate.fingerprintText(), bind);
              if (verbose) std::fprintf(stderr, "--- our publisher offer:\n%s", offer.c_str());
              pubSignaling->publish(offer, [&, guarded, room, feed, bind](std::string answer) {
                guarded("publisher", [&] {
                  if (verbose) std::fprintf(stderr, "--- Janus publisher answer:\n%s", answer.c_str());
                  ClientTransport::Params params = janusTransportParams(answer, false, publisher.ice, bind);
                  publisher.transport = std::make_unique<ClientTransport>(io, dtls, 1, params, publisher);
                  publisher.transport->start();
                  // Janus lets subscribers join a feed only once the publisher's PeerConnection is
                  // up (428 "No such feed" before): subscribe on its webrtcup event.
                  pubSignaling->setEventCallback([&, room, feed](const nlohmann::json& event) {
                    if (verbose) std::fprintf(stderr, "--- publisher event: %s\n", event.dump().c_str());
                    if (event.value("janus", std::string()) == "webrtcup" && !subscribed) {
                      subscribed = true;  // once: a later webrtcup (ICE restart) needs no new subscriber
                      subscribe(room, feed);
                    }
                  });
                });
              });
            });
          });
        });
      });
    });

    // Main thread: wait for both transports, send, drain, report, tear down.
    const bool connected =
        waitUntil([&] { return publisher.connected.load() && subscriber.connected.load(); }, errors, 30.0,
                  "both transports to connect");
    result.setupSeconds = secondsSince(t0);
    const double cpuAtStart = processCpuSeconds(janus.pid()).value_or(0);
    if (connected) {
      std::fprintf(stderr, "janus-probe: both transports connected after %.2f s; sending for %.1f s\n",
                   result.setupSeconds, options.seconds);
      asio::post(io, [&] {
        sender = std::make_unique<MediaSender>(io, *publisher.transport, options.packetsPerFrame);
        sender->start();
      });
      sleepWatching(options.seconds, errors);
      asio::post(io, [&] {
        if (sender) sender->stop();
      });
      sleepWatching(0.5, errors);  // drain: what Janus still forwards
      const double cpuAtEnd = processCpuSeconds(janus.pid()).value_or(0);
      result.janusCpuSeconds = cpuAtEnd - cpuAtStart;
      result.janusCpuSecondsTotal = cpuAtEnd;
    }

    // Tear down on the io thread: transports, then the Janus sessions (bounded by requestTimeout).
    std::atomic<int> closedSessions{0};
    asio::post(io, [&] {
      if (sender) sender->stop();
      if (publisher.transport) publisher.transport->close();
      if (subscriber.transport) subscriber.transport->close();
      subSignaling->close([&] { closedSessions.fetch_add(1); });
      const uint64_t room = roomId.load();
      const auto closePublisher = [&] { pubSignaling->close([&] { closedSessions.fetch_add(1); }); };
      if (room != 0 && !errors.failed() && gSignal.load() == 0) {
        pubSignaling->destroyRoom(room, closePublisher);
      } else {
        closePublisher();
      }
    });
    const int signalBefore = gSignal.exchange(0);
    const ErrorSlot none;
    if (!waitUntil([&] { return closedSessions.load() == 2; }, none, 12.0, "the Janus sessions to close"))
      std::fprintf(stderr, "janus-probe: closing the Janus sessions did not finish\n");
    if (signalBefore != 0) gSignal.store(signalBefore);

    if (sender) {
      result.videoSent = sender->videoSent.load();
      result.audioSent = sender->audioSent.load();
    }
    result.videoReceived = subscriber.videoRtp.load();
    result.audioReceived = subscriber.audioRtp.load();
    result.rtcpReceivedByPublisher = publisher.rtcp.load();
    result.rtcpReceivedBySubscriber = subscriber.rtcp.load();

    // Destroy the media objects on their own thread, then stop it (bounded: a Janus that hung
    // cannot keep the probe from cleaning up).
    std::atomic<bool> released{false};
    asio::post(io, [&] {
      sender.reset();
      publisher.transport.reset();
      subscriber.transport.reset();
      released.store(true);
    });
    waitUntil([&] { return released.load(); }, none, 2.0, "the transports to be released");
    work.reset();
    io.stop();
    ioThread.join();
    pubSignaling.reset();
    subSignaling.reset();
    result.janusExit = janus.stop();
    if (errors.failed() || !connected) {
      std::fprintf(stderr, "janus-probe: janus log (%s), last lines:\n%s\n", janus.logPath().c_str(),
                   janus.logTail(options.verbose ? 20000 : 3000).c_str());
    }
    if (errors.failed()) {
      result.error = errors.message();
    } else if (gSignal.load() != 0) {
      result.error = "interrupted by signal " + std::to_string(gSignal.load());
    } else if (!connected) {
      result.error = "the transports did not connect";
    } else {
      result.ok = result.videoReceived > 0 && result.audioReceived > 0;
      if (!result.ok) result.error = "the subscriber decrypted no audio or no video";
    }
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  ::sigaction(SIGINT, &oldInt, nullptr);
  ::sigaction(SIGTERM, &oldTerm, nullptr);
  return result;
}

}  // namespace switchyard::bench
