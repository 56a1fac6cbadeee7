// Media through the real Server: peers negotiate over the WebSocket protocol with SDP offers like a
// browser's, connect real client transports (ICE, DTLS, SRTP over loopback UDP), and the server
// forwards a publisher's RTP to a subscriber rewritten for it (SSRC, payload type, extension ids,
// mid) and carries keyframe requests back. Also: peers leaving and dying transports.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "media/dtls/DtlsCertificate.h"
#include "media/dtls/DtlsContext.h"
#include "media/rtcp/PliView.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "media/sctp/DataChannelEndpoint.h"
#include "media/sdp/Sdp.h"
#include "media/srtp/SrtpSession.h"
#include "media/transport/ClientTransport.h"
#include "server/PeerMedia.h"
#include "tests/server/ServerHarness.h"

using namespace switchyard;
using namespace switchyard::test;
using namespace std::chrono_literals;
namespace transport = media::transport;

namespace {

constexpr uint32_t kVideoSsrc = 0x11111111;
constexpr uint32_t kVideoRtxSsrc = 0x22222222;
constexpr uint32_t kAudioSsrc = 0x33333333;

config::Config mediaConfig() {
  config::Config config = testConfig();
  config.rooms.maxPeers = 8;
  config.signaling.maxMessageBytes = 65536;
  config.rtc.keyframeRequestIntervalMs = 50;
  config.rtc.iceTcp = false;
  return config;
}

struct Section {
  std::string mid;
  std::string kind;       // audio / video / application
  std::string direction;  // sendonly / recvonly
};

struct ReceivedRtp {
  uint32_t ssrc = 0;
  uint8_t payloadType = 0;
  uint16_t seq = 0;
  std::vector<uint8_t> payload;
  std::vector<std::pair<uint8_t, std::vector<uint8_t>>> extensions;
};

struct ReceivedMessage {
  uint16_t stream = 0;
  media::sctp::DataKind kind = media::sctp::DataKind::kString;
  std::vector<uint8_t> data;
};

// One simulated browser: the signaling client plus a client transport (and, when its offer has an
// application section, a data-channel endpoint over it) on its own thread.
class MediaPeer final : private transport::TransportEvents,
                        private media::sctp::DataChannelEndpoint::Listener {
 public:
  explicit MediaPeer(unsigned short port)
      : ws(port),
        certificate_(media::dtls::DtlsCertificate::generate("test-peer")),
        dtls_(certificate_),
        work_(asio::make_work_guard(io_)),
        thread_([this] { io_.run(); }) {}

  ~MediaPeer() override {
    asio::post(io_, [this] {
      sctpTimer_.cancel();
      data_.reset();
      transport_.reset();
    });
    work_.reset();
    thread_.join();
  }

  // A browser-like offer: BUNDLE, rtcp-mux, actpass, our ICE credentials and fingerprint.
  std::string offer(const std::vector<Section>& sections) const {
    std::string sdp = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE";
    for (const Section& s : sections)
      sdp += " " + s.mid;
    sdp += "\r\na=msid-semantic: WMS stream\r\n";
    for (const Section& s : sections) {
      if (s.kind == "video") {
        sdp += "m=video 9 UDP/TLS/RTP/SAVPF " + std::string(s.direction == "sendonly" ? "96 97" : "120 121") +
               "\r\n";
      } else if (s.kind == "audio") {
        sdp += "m=audio 9 UDP/TLS/RTP/SAVPF " +
               std::string(s.direction == "sendonly" ? "111 126" : "109 101") + "\r\n";
      } else {
        sdp += "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n";
      }
      sdp += "c=IN IP4 0.0.0.0\r\na=ice-ufrag:" + ice_.ufrag + "\r\na=ice-pwd:" + ice_.password +
             "\r\na=fingerprint:sha-256 " + certificate_.fingerprintText() +
             "\r\na=setup:actpass\r\na=mid:" + s.mid + "\r\n";
      if (s.kind == "application") {
        sdp += "a=sctp-port:5000\r\na=max-message-size:262144\r\n";
        continue;
      }
      const bool send = s.direction == "sendonly";
      // The publisher and the subscriber number extensions and payload types differently.
      if (s.kind == "video") {
        sdp +=
            send ? "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                   "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
                 : "a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                   "a=extmap:5 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n";
      } else {
        sdp += send ? "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
                      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                    : "a=extmap:7 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
                      "a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
      }
      sdp += "a=" + s.direction + "\r\n";
      if (send) sdp += "a=msid:stream " + s.kind + "-track\r\n";
      sdp += "a=rtcp-mux\r\na=rtcp-rsize\r\n";
      if (s.kind == "video") {
        const std::string pt = send ? "96" : "120";
        const std::string rtx = send ? "97" : "121";
        sdp += "a=rtpmap:" + pt + " VP8/90000\r\na=rtcp-fb:" + pt + " nack\r\na=rtcp-fb:" + pt +
               " nack pli\r\na=rtcp-fb:" + pt + " ccm fir\r\na=rtcp-fb:" + pt +
               " transport-cc\r\na=rtpmap:" + rtx + " rtx/90000\r\na=fmtp:" + rtx + " apt=" + pt + "\r\n";
        if (send) {
          sdp += "a=ssrc-group:FID " + std::to_string(kVideoSsrc) + " " + std::to_string(kVideoRtxSsrc) +
                 "\r\na=ssrc:" + std::to_string(kVideoSsrc) +
                 " cname:peer\r\na=ssrc:" + std::to_string(kVideoRtxSsrc) + " cname:peer\r\n";
        }
      } else {
        const std::string pt = send ? "111" : "109";
        const std::string dtmf = send ? "126" : "101";
        sdp += "a=rtpmap:" + pt + " opus/48000/2\r\na=fmtp:" + pt +
               " minptime=10;useinbandfec=1\r\na=rtpmap:" + dtmf + " telephone-event/48000\r\n";
        if (send) sdp += "a=ssrc:" + std::to_string(kAudioSsrc) + " cname:peer\r\n";
      }
    }
    return sdp;
  }

  // Connects the transport the answer describes (the first UDP candidate).
  void connect(const std::string& answerText) {
    const media::sdp::ParseResult parsed = media::sdp::parse(answerText);
    REQUIRE(parsed);
    const media::sdp::SessionDescription& answer = *parsed.description;
    REQUIRE_FALSE(answer.media.empty());
    const media::sdp::MediaDescription* first = nullptr;
    for (const auto& m : answer.media) {
      if (m.port != 0) {
        first = &m;
        break;
      }
    }
    REQUIRE(first != nullptr);
    transport::ClientTransport::Params params;
    params.localIce = ice_;
    params.remoteIce.ufrag = first->iceUfrag.value_or(answer.iceUfrag.value_or(""));
    params.remoteIce.password = first->icePwd.value_or(answer.icePwd.value_or(""));
    for (const auto& c : first->candidates) {
      if (c.transport != "udp") continue;
      const auto address = media::util::SocketAddress::parse(c.address, c.port);
      REQUIRE(address);
      params.remoteCandidates.push_back({transport::CandidateProtocol::kUdp, *address});
    }
    REQUIRE_FALSE(params.remoteCandidates.empty());
    params.localBind = *media::util::SocketAddress::parse("127.0.0.1", 0);
    params.secure.role = media::dtls::DtlsRole::kClient;
    const auto& fp = first->fingerprints.empty() ? answer.fingerprints.at(0) : first->fingerprints.at(0);
    media::sdp::RemoteTransport answered;  // the server's conversion, used the other way round
    answered.fingerprint = fp;
    const auto converted = server::remoteParams(answered);
    REQUIRE(converted);
    params.secure.remoteFingerprint = converted->fingerprint;
    wantData_ = false;
    for (const auto& m : answer.media)
      wantData_ = wantData_ || (m.media == "application" && m.port != 0);
    asio::post(io_, [this, params] {
      transport::TransportEvents& events = *this;
      transport_ = std::make_unique<transport::ClientTransport>(io_, dtls_, 1, params, events);
      transport_->start();
    });
  }

  void sendRtp(uint32_t ssrc, uint8_t pt, uint16_t seq,
               std::vector<std::pair<uint8_t, std::vector<uint8_t>>> ext, std::vector<uint8_t> payload) {
    asio::post(io_, [this, ssrc, pt, seq, ext = std::move(ext), payload = std::move(payload)] {
      if (!transport_) return;
      std::array<uint8_t, 1500 + media::srtp::kSrtpMaxTrailer> buffer{};
      media::rtp::RtpPacketBuilder builder;
      builder.setPayloadType(pt)
          .setSequenceNumber(seq)
          .setTimestamp(seq * 3000U)
          .setSsrc(ssrc)
          .setPayload(payload);
      for (const auto& [id, value] : ext)
        builder.addExtension(id, value);
      const auto size = builder.build(buffer);
      if (size) transport_->sendRtp(buffer, *size);
    });
  }

  void sendPli(uint32_t mediaSsrc) {
    asio::post(io_, [this, mediaSsrc] {
      if (!transport_) return;
      std::array<uint8_t, 64 + media::srtp::kSrtcpMaxTrailer> buffer{};
      media::rtcp::RtcpCompoundBuilder builder(buffer);
      REQUIRE(builder.addPli(0x0BEEF, mediaSsrc));
      transport_->sendRtcp(buffer, builder.size());
    });
  }

  void sendNack(uint32_t mediaSsrc, uint16_t seq) {
    asio::post(io_, [this, mediaSsrc, seq] {
      if (!transport_) return;
      std::array<uint8_t, 64 + media::srtp::kSrtcpMaxTrailer> buffer{};
      media::rtcp::RtcpCompoundBuilder builder(buffer);
      const std::array<uint16_t, 1> lost{seq};
      REQUIRE(builder.addNack(0x0BEEF, mediaSsrc, lost));
      transport_->sendRtcp(buffer, builder.size());
    });
  }

  // Data channels (after connect() of an answer with an application section). Run on the peer's
  // thread; the result is waited for.
  std::optional<uint16_t> openChannel(const media::sctp::DataChannelInfo& info) {
    return call([&]() -> std::optional<uint16_t> { return data_ ? data_->open(info) : std::nullopt; });
  }
  media::sctp::DataChannelEndpoint::SendResult sendMessage(uint16_t stream, media::sctp::DataKind kind,
                                                           std::vector<uint8_t> message) {
    return call([&] {
      return data_ ? data_->send(stream, kind, message)
                   : media::sctp::DataChannelEndpoint::SendResult::kClosed;
    });
  }
  void closeChannel(uint16_t stream) {
    call([&] {
      if (data_) data_->close(stream);
      return 0;
    });
  }
  // The stream of the first channel the server opened here with `label` (0xffff: none yet).
  uint16_t channelStream(const std::string& label) {
    std::lock_guard lock(mutex_);
    for (const auto& [stream, info] : channels)
      if (info.label == label) return stream;
    return 0xffff;
  }

  void closeTransport() {
    asio::post(io_, [this] {
      if (transport_) transport_->close();
    });
  }

  template <typename Predicate>
  bool waitFor(Predicate predicate, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex_);
        if (predicate()) return true;
      }
      std::this_thread::sleep_for(10ms);
    }
    std::lock_guard lock(mutex_);
    return predicate();
  }

  // Read under the lock only (inside waitFor's predicate) or after waitFor returned.
  std::map<uint16_t, media::sctp::DataChannelInfo> channels;  // opened by the server
  std::vector<ReceivedMessage> messages;
  std::vector<uint16_t> closedChannels;
  bool dataConnected = false;
  std::vector<ReceivedRtp> rtp;
  std::vector<uint32_t> plis;  // media SSRCs of the PLIs received
  bool connected = false;
  bool closed = false;
  Client ws;

 private:
  template <typename F>
  std::invoke_result_t<F&> call(F&& f) {
    std::packaged_task<std::invoke_result_t<F&>()> task(std::forward<F>(f));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  void onTransportConnected(transport::TransportId) override {
    if (wantData_) {
      media::sctp::DataChannelEndpoint::Listener& listener = *this;
      data_ = std::make_unique<media::sctp::DataChannelEndpoint>(sctp_, listener, true);
      data_->start();
      armSctpTimer();
    }
    std::lock_guard lock(mutex_);
    connected = true;
  }
  void armSctpTimer() {
    sctpTimer_.expires_after(10ms);
    sctpTimer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || !data_) return;
      media::sctp::SctpAssociation::tick(std::chrono::steady_clock::now());
      armSctpTimer();
    });
  }
  void onTransportApplicationData(transport::TransportId, std::span<const uint8_t> data) noexcept override {
    if (data_) data_->receive(data);
  }
  // DataChannelEndpoint::Listener
  void onDataSend(std::span<const uint8_t> packet) override {
    if (transport_) transport_->sendApplicationData(packet);
  }
  void onDataConnected() override {
    std::lock_guard lock(mutex_);
    dataConnected = true;
  }
  void onChannelOpened(uint16_t stream, const media::sctp::DataChannelInfo& info) override {
    std::lock_guard lock(mutex_);
    channels[stream] = info;
  }
  void onChannelMessage(uint16_t stream, media::sctp::DataKind kind,
                        std::span<const uint8_t> message) override {
    std::lock_guard lock(mutex_);
    messages.push_back({stream, kind, std::vector<uint8_t>(message.begin(), message.end())});
  }
  void onChannelClosed(uint16_t stream) override {
    std::lock_guard lock(mutex_);
    closedChannels.push_back(stream);
  }
  void onDataClosed(media::sctp::DataChannelEndpoint::CloseReason) override {}
  void onTransportRtp(transport::TransportId, media::rtp::RtpPacket& packet) noexcept override {
    ReceivedRtp r;
    r.ssrc = packet.ssrc();
    r.payloadType = packet.payloadType();
    r.seq = packet.sequenceNumber();
    r.payload.assign(packet.payload().begin(), packet.payload().end());
    for (const auto& e : packet.extensions())
      r.extensions.emplace_back(e.id, std::vector<uint8_t>(e.data.begin(), e.data.end()));
    std::lock_guard lock(mutex_);
    rtp.push_back(std::move(r));
  }
  void onTransportRtcp(transport::TransportId, std::span<uint8_t> compound) noexcept override {
    std::lock_guard lock(mutex_);
    for (const auto& packet : media::rtcp::RtcpCompound(compound)) {
      if (const auto pli = media::rtcp::PliView::parse(packet)) plis.push_back(pli->mediaSsrc());
    }
  }
  void onTransportClosed(transport::TransportId, transport::TransportCloseReason, std::string_view) override {
    std::lock_guard lock(mutex_);
    closed = true;
  }

  asio::io_context io_;
  media::dtls::DtlsCertificate certificate_;
  media::dtls::DtlsContext dtls_;
  media::ice::IceCredentials ice_ = media::ice::IceCredentials::generate();
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::unique_ptr<transport::ClientTransport> transport_;
  media::sctp::SctpLibrary sctp_;
  std::unique_ptr<media::sctp::DataChannelEndpoint> data_;
  asio::steady_timer sctpTimer_{io_};
  bool wantData_ = false;
  std::mutex mutex_;
  std::thread thread_;
};

// The a=ssrc the answer gives a section (the first one listed).
uint32_t answeredSsrc(const std::string& answerText, const std::string& mid) {
  const auto parsed = media::sdp::parse(answerText);
  REQUIRE(parsed);
  const auto* m = parsed.description->findMedia(mid);
  REQUIRE(m != nullptr);
  REQUIRE_FALSE(m->ssrcs.empty());
  return m->ssrcs.front().ssrc;
}

std::vector<uint8_t> bytes(std::string_view text) {
  return {text.begin(), text.end()};
}

size_t trackCount(RunningServer& running, const std::string& room) {
  std::promise<size_t> count;
  running.server.postToSignaling([&] { count.set_value(running.server.rooms().trackCount(room)); });
  return count.get_future().get();
}

size_t peerCount(RunningServer& running, const std::string& room) {
  std::promise<size_t> count;
  running.server.postToSignaling([&] { count.set_value(running.server.rooms().peerCount(room)); });
  return count.get_future().get();
}

// Alice publishes audio+video, Bob subscribes to both: returns {video track, audio track} ids.
struct Call {
  explicit Call(RunningServer& running) : alice(running.port), bob(running.port) {
    REQUIRE(alice.ws.request({{"type", "join"}, {"room", "call"}, {"name", "Alice"}})["type"] == "joined");
    REQUIRE(bob.ws.request({{"type", "join"}, {"room", "call"}, {"name", "Bob"}})["type"] == "joined");
    REQUIRE(alice.ws.event()["type"] == "peerJoined");

    const json aliceAnswer =
        alice.ws.request({{"type", "offer"},
                          {"sdp", alice.offer({{"0", "video", "sendonly"}, {"1", "audio", "sendonly"}})},
                          {"tracks", {{"0", {{"source", "camera"}}}}}});
    REQUIRE(aliceAnswer["type"] == "answer");
    REQUIRE(aliceAnswer["published"].size() == 2);
    for (const json& t : aliceAnswer["published"]) {
      (t["kind"] == "video" ? videoTrack : audioTrack) = t["trackId"].get<std::string>();
    }
    CHECK(aliceAnswer["published"][0]["source"] == "camera");
    CHECK(aliceAnswer["published"][1]["source"] == "microphone");
    alice.connect(aliceAnswer["sdp"]);
    REQUIRE(alice.waitFor([&] { return alice.connected; }));

    // Bob hears of both tracks and subscribes.
    for (int i = 0; i < 2; ++i) {
      const json published = bob.ws.event();
      REQUIRE(published["type"] == "trackPublished");
      CHECK(published["track"]["peerId"] == aliceAnswer["published"][0]["peerId"]);
    }
    bobAnswer = bob.ws.request({{"type", "offer"},
                                {"sdp", bob.offer({{"v", "video", "recvonly"}, {"a", "audio", "recvonly"}})},
                                {"subscriptions", {{"v", videoTrack}, {"a", audioTrack}}}});
    REQUIRE(bobAnswer["type"] == "answer");
    CHECK(bobAnswer["rejected"].empty());
    bob.connect(bobAnswer["sdp"]);
    REQUIRE(bob.waitFor([&] { return bob.connected; }));
  }

  MediaPeer alice;
  MediaPeer bob;
  std::string videoTrack;
  std::string audioTrack;
  json bobAnswer;
};

}  // namespace

TEST_CASE("a published track reaches a subscriber rewritten for it, keyframe requests flow back", "[media]") {
  RunningServer running(mediaConfig());
  Call call(running);
  MediaPeer& alice = call.alice;
  MediaPeer& bob = call.bob;
  const uint32_t bobVideoSsrc = answeredSsrc(call.bobAnswer["sdp"], "v");
  const uint32_t bobAudioSsrc = answeredSsrc(call.bobAnswer["sdp"], "a");
  CHECK(bobVideoSsrc != kVideoSsrc);

  // The new subscriber made the server ask Alice for a keyframe.
  REQUIRE(alice.waitFor([&] { return std::count(alice.plis.begin(), alice.plis.end(), kVideoSsrc) >= 1; }));

  // Alice sends video (mid and transport-cc extensions) and audio (level, mid) and a DTMF event.
  for (uint16_t seq = 100; seq < 130; ++seq) {
    alice.sendRtp(kVideoSsrc, 96, seq, {{4, bytes("0")}, {3, {0, static_cast<uint8_t>(seq)}}},
                  bytes("video-payload-" + std::to_string(seq)));
    alice.sendRtp(kAudioSsrc, 111, seq, {{1, {0x85}}, {4, bytes("1")}}, bytes("opus-" + std::to_string(seq)));
  }
  alice.sendRtp(kAudioSsrc, 126, 130, {{4, bytes("1")}}, {5, 0x80, 0, 160});
  REQUIRE(bob.waitFor([&] { return bob.rtp.size() >= 61; }));

  size_t video = 0, audio = 0, dtmf = 0;
  for (const ReceivedRtp& r : bob.rtp) {
    std::map<uint8_t, std::vector<uint8_t>> ext(r.extensions.begin(), r.extensions.end());
    if (r.ssrc == bobVideoSsrc) {
      ++video;
      CHECK(r.payloadType == 120);
      CHECK(r.payload == bytes("video-payload-" + std::to_string(r.seq)));
      CHECK(ext[9] == bytes("v"));   // Bob's mid, with Bob's id
      CHECK(ext.contains(5));        // a transport-wide sequence number for Bob's transport
      CHECK_FALSE(ext.contains(4));  // Alice's ids are gone
      CHECK_FALSE(ext.contains(3));
    } else if (r.ssrc == bobAudioSsrc) {
      if (r.payloadType == 101) {
        ++dtmf;
        CHECK(r.payload == std::vector<uint8_t>{5, 0x80, 0, 160});
        continue;
      }
      ++audio;
      CHECK(r.payloadType == 109);
      CHECK(r.payload == bytes("opus-" + std::to_string(r.seq)));
      CHECK(ext[7] == std::vector<uint8_t>{0x85});  // audio level moved to Bob's id
      CHECK(ext[9] == bytes("a"));
    } else {
      FAIL("unexpected SSRC " << r.ssrc);
    }
  }
  CHECK(video == 30);
  CHECK(audio == 30);
  CHECK(dtmf == 1);

  // Bob's PLI on his SSRC reaches Alice for hers.
  const size_t before = [&] {
    size_t n = 0;
    alice.waitFor([&] {
      n = alice.plis.size();
      return true;
    });
    return n;
  }();
  std::this_thread::sleep_for(60ms);  // past the keyframe request interval of the first PLI
  bob.sendPli(bobVideoSsrc);
  REQUIRE(alice.waitFor([&] { return alice.plis.size() > before; }));
  CHECK(alice.waitFor([&] { return alice.plis.back() == kVideoSsrc; }));

  // Alice leaves: Bob hears of her tracks, then of her; the room has no tracks left.
  REQUIRE(alice.ws.request({{"type", "leave"}})["type"] == "left");
  std::set<std::string> unpublished;
  for (int i = 0; i < 2; ++i) {
    const json event = bob.ws.event();
    REQUIRE(event["type"] == "trackUnpublished");
    unpublished.insert(event["trackId"].get<std::string>());
  }
  CHECK(unpublished == std::set<std::string>{call.videoTrack, call.audioTrack});
  CHECK(bob.ws.event()["type"] == "peerLeft");
  CHECK(trackCount(running, "call") == 0);
  CHECK(peerCount(running, "call") == 1);
}

TEST_CASE("a peer whose transport dies is removed and the others are told", "[media]") {
  RunningServer running(mediaConfig());
  Call call(running);
  call.alice.closeTransport();  // DTLS close_notify: the server's transport closes
  std::set<std::string> types;
  for (int i = 0; i < 3; ++i)
    types.insert(call.bob.ws.event()["type"].get<std::string>());
  CHECK(types == std::set<std::string>{"trackUnpublished", "peerLeft"});
  CHECK(peerCount(running, "call") == 1);
  // Alice's WebSocket was closed by the server.
  CHECK(call.alice.ws.receive(5s).is_null());
  CHECK(call.alice.ws.closedWith);
}

TEST_CASE("unpublishing by offering the section inactive ends the track for subscribers", "[media]") {
  RunningServer running(mediaConfig());
  Call call(running);
  std::string offer = call.alice.offer({{"0", "video", "sendonly"}, {"1", "audio", "sendonly"}});
  const auto at = offer.find("a=sendonly");  // the video section's
  offer.replace(at, 10, "a=inactive");
  const json answer = call.alice.ws.request({{"type", "offer"}, {"sdp", offer}});
  REQUIRE(answer["type"] == "answer");
  REQUIRE(answer["published"].size() == 1);
  CHECK(answer["published"][0]["kind"] == "audio");
  const json event = call.bob.ws.event();
  CHECK(event["type"] == "trackUnpublished");
  CHECK(event["trackId"] == call.videoTrack);
  CHECK(trackCount(running, "call") == 1);
}

TEST_CASE("offers that cannot be answered get typed errors", "[media]") {
  RunningServer running(mediaConfig());
  MediaPeer peer(running.port);
  const std::string good = peer.offer({{"0", "video", "sendonly"}});

  CHECK(peer.ws.request({{"type", "offer"}, {"sdp", good}})["code"] == "not_joined");
  REQUIRE(peer.ws.request({{"type", "join"}, {"room", "errors"}})["type"] == "joined");
  CHECK(peer.ws.request({{"type", "offer"}})["code"] == "bad_request");
  CHECK(peer.ws.request({{"type", "offer"}, {"sdp", 5}})["code"] == "bad_request");
  CHECK(peer.ws.request({{"type", "offer"}, {"sdp", "not sdp"}})["code"] == "negotiation_failed");
  std::string noBundle = good;
  noBundle.erase(noBundle.find("a=group:BUNDLE 0\r\n"), 18);
  CHECK(peer.ws.request({{"type", "offer"}, {"sdp", noBundle}})["code"] == "negotiation_failed");
  CHECK(peer.ws.request({{"type", "offer"}, {"sdp", good}, {"subscriptions", 3}})["code"] == "bad_request");
  CHECK(peer.ws.request({{"type", "offer"}, {"sdp", good}, {"tracks", {{"0", {{"source", 7}}}}}})["code"] ==
        "bad_request");

  // A second data channel section is rejected; the rest is answered.
  const json answer = peer.ws.request(
      {{"type", "offer"},
       {"sdp",
        peer.offer({{"0", "video", "sendonly"}, {"1", "application", ""}, {"3", "application", ""}})}});
  REQUIRE(answer["type"] == "answer");
  REQUIRE(answer["rejected"].size() == 1);
  CHECK(answer["rejected"][0]["mid"] == "3");
  // A subscription to a track that does not exist is answered inactive.
  const json sub = peer.ws.request(
      {{"type", "offer"},
       {"sdp",
        peer.offer({{"0", "video", "sendonly"}, {"1", "application", ""}, {"2", "video", "recvonly"}})},
       {"subscriptions", {{"2", "t999"}}}});
  REQUIRE(sub["type"] == "answer");
  CHECK(sub["rejected"].size() == 1);
  // An ICE restart is refused.
  MediaPeer other(running.port);
  std::string restart = other.offer({{"0", "video", "sendonly"}});
  CHECK(peer.ws.request({{"type", "offer"}, {"sdp", restart}})["code"] == "negotiation_failed");
}

TEST_CASE("data channels are relayed between the peers of a room", "[server][media][sctp]") {
  using media::sctp::DataKind;
  using Sent = media::sctp::DataChannelEndpoint::SendResult;
  RunningServer running(mediaConfig());
  MediaPeer alice(running.port);
  MediaPeer bob(running.port);
  MediaPeer carol(running.port);
  std::map<std::string, std::string> ids;
  for (const auto& entry : {std::pair{&alice, "alice"}, std::pair{&bob, "bob"}, std::pair{&carol, "carol"}}) {
    MediaPeer* peer = entry.first;  // not a structured binding: clang 14 cannot capture those
    const std::string name = entry.second;
    const json joined = peer->ws.request({{"type", "join"}, {"room", "data"}, {"name", name}});
    REQUIRE(joined["type"] == "joined");
    ids[name] = joined["peerId"];
    // Data only: the application section is the BUNDLE tag.
    const json answer =
        peer->ws.request({{"type", "offer"}, {"sdp", peer->offer({{"d", "application", ""}})}});
    REQUIRE(answer["type"] == "answer");
    CHECK(answer["rejected"].empty());
    const std::string sdp = answer["sdp"];
    CHECK(sdp.find("a=sctp-port:5000") != std::string::npos);
    CHECK(sdp.find("a=max-message-size:262144") != std::string::npos);
    peer->connect(sdp);
    REQUIRE(peer->waitFor([&] { return peer->dataConnected; }));
  }

  media::sctp::DataChannelInfo chat;
  chat.label = "chat";
  chat.protocol = "json";
  const auto stream = alice.openChannel(chat);
  REQUIRE(stream);
  for (int i = 0; i < 300; ++i) {
    REQUIRE(alice.sendMessage(*stream, DataKind::kString, bytes("message " + std::to_string(i))) ==
            Sent::kOk);
  }
  REQUIRE(alice.sendMessage(*stream, DataKind::kString, {}) == Sent::kOk);
  std::vector<uint8_t> big(200 * 1024);
  for (size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<uint8_t>(i * 7U);
  REQUIRE(alice.sendMessage(*stream, DataKind::kBinary, big) == Sent::kOk);
  for (MediaPeer* receiver : {&bob, &carol}) {
    REQUIRE(receiver->waitFor([&] { return receiver->messages.size() == 302; }, 20s));
    REQUIRE(receiver->channels.size() == 1);
    CHECK(receiver->channels.begin()->second.label == "chat");
    CHECK(receiver->channels.begin()->second.protocol == "from=" + ids["alice"] + ";json");
    for (int i = 0; i < 300; ++i) {
      REQUIRE(receiver->messages[static_cast<size_t>(i)].data == bytes("message " + std::to_string(i)));
    }
    CHECK(receiver->messages[300].data.empty());
    CHECK(receiver->messages[300].kind == DataKind::kString);
    CHECK(receiver->messages[301].kind == DataKind::kBinary);
    CHECK(receiver->messages[301].data == big);
  }
  CHECK(alice.waitFor([&] { return alice.messages.empty() && alice.channels.empty(); }, 100ms));

  // A directed channel reaches Carol only.
  media::sctp::DataChannelInfo dm;
  dm.label = "dm";
  dm.protocol = "to=" + ids["carol"];
  const auto direct = alice.openChannel(dm);
  REQUIRE(direct);
  REQUIRE(alice.sendMessage(*direct, DataKind::kString, bytes("psst")) == Sent::kOk);
  REQUIRE(carol.waitFor([&] { return carol.messages.size() == 303; }));
  CHECK(carol.messages.back().data == bytes("psst"));
  CHECK(carol.channelStream("dm") != 0xffff);
  CHECK(bob.channelStream("dm") == 0xffff);

  // Closing the sender's channel closes the relayed ones; Alice leaving closes the dm.
  alice.closeChannel(*stream);
  REQUIRE(bob.waitFor([&] { return bob.closedChannels.size() == 1; }));
  REQUIRE(carol.waitFor([&] { return carol.closedChannels.size() == 1; }));
  REQUIRE(alice.ws.request({{"type", "leave"}})["type"] == "left");
  REQUIRE(carol.waitFor([&] { return carol.closedChannels.size() == 2; }));
}

namespace {

config::Config spreadConfig() {
  config::Config config = mediaConfig();
  config.workers.count = 2;
  config.workers.roomSpreadPeers = 1;  // the second peer on goes to the least loaded worker
  config.workers.handoffRingPackets = 256;
  return config;
}

// A room on two workers: Alice publishes video and audio at home (worker 0), Bob subscribes from
// worker 1, Carol from worker 0.
struct SpreadRoom {
  explicit SpreadRoom(RunningServer& server)
      : running(server), alice(server.port), bob(server.port), carol(server.port) {
    REQUIRE(running.server.handoff() != nullptr);
    for (auto [name, peer] :
         {std::pair{"alice", &alice}, std::pair{"bob", &bob}, std::pair{"carol", &carol}}) {
      const json joined = peer->ws.request({{"type", "join"}, {"room", "spread"}, {"name", name}});
      REQUIRE(joined["type"] == "joined");
      peerIds[name] = joined["peerId"].get<std::string>();
    }
    // Alice is at home (worker 0), Bob went to the empty worker 1, Carol back to 0 (1 peer each).
    REQUIRE(workerOf("alice") == std::optional<size_t>(0));
    REQUIRE(workerOf("bob") == std::optional<size_t>(1));
    REQUIRE(workerOf("carol") == std::optional<size_t>(0));

    const json aliceAnswer = alice.ws.request(
        {{"type", "offer"}, {"sdp", alice.offer({{"0", "video", "sendonly"}, {"1", "audio", "sendonly"}})}});
    REQUIRE(aliceAnswer["type"] == "answer");
    for (const json& t : aliceAnswer["published"])
      (t["kind"] == "video" ? videoTrack : audioTrack) = t["trackId"].get<std::string>();
    alice.connect(aliceAnswer["sdp"]);
    REQUIRE(alice.waitFor([&] { return alice.connected; }));

    for (MediaPeer* subscriber : {&bob, &carol}) {
      size_t published = 0;
      for (int i = 0; i < 8 && published < 2; ++i) {
        const json event = subscriber->ws.event();
        if (event["type"] == "trackPublished") ++published;
      }
      REQUIRE(published == 2);
      const json answer = subscriber->ws.request(
          {{"type", "offer"},
           {"sdp", subscriber->offer({{"v", "video", "recvonly"}, {"a", "audio", "recvonly"}})},
           {"subscriptions", {{"v", videoTrack}, {"a", audioTrack}}}});
      REQUIRE(answer["type"] == "answer");
      (subscriber == &bob ? bobAnswer : carolAnswer) = answer;
      subscriber->connect(answer["sdp"]);
      REQUIRE(subscriber->waitFor([&] { return subscriber->connected; }));
    }
    std::promise<std::optional<std::pair<server::RoomKey, uint32_t>>> producer;
    running.server.postToSignaling(
        [&] { producer.set_value(running.server.rooms().producerOf("spread", videoTrack)); });
    const auto found = producer.get_future().get();
    REQUIRE(found);
    key = found->first;
  }

  std::optional<size_t> workerOf(const std::string& name) {
    std::promise<std::optional<size_t>> worker;
    running.server.postToSignaling(
        [&] { worker.set_value(running.server.rooms().peerWorker("spread", peerIds.at(name))); });
    return worker.get_future().get();
  }
  // The room's router counters on `worker` (nullopt when it has no router there).
  std::optional<media::forward::Router::Counters> counters(size_t worker) {
    std::promise<std::optional<media::forward::Router::Counters>> result;
    running.server.postToWorker(worker, [&] {
      const media::forward::Router* router = running.server.workerMedia(worker).router(key);
      result.set_value(router == nullptr ? std::nullopt : std::optional(router->counters()));
    });
    return result.get_future().get();
  }
  size_t producerCount(size_t worker) {
    std::promise<size_t> result;
    running.server.postToWorker(worker, [&] {
      const media::forward::Router* router = running.server.workerMedia(worker).router(key);
      result.set_value(router == nullptr ? 0 : router->producerCount());
    });
    return result.get_future().get();
  }
  void sendMedia(uint16_t first, uint16_t end) {
    for (uint16_t seq = first; seq < end; ++seq) {
      alice.sendRtp(kVideoSsrc, 96, seq, {{4, bytes("0")}, {3, {0, static_cast<uint8_t>(seq)}}},
                    bytes("video-payload-" + std::to_string(seq)));
      alice.sendRtp(kAudioSsrc, 111, seq, {{1, {0x85}}, {4, bytes("1")}},
                    bytes("opus-" + std::to_string(seq)));
    }
  }

  RunningServer& running;
  MediaPeer alice;
  MediaPeer bob;
  MediaPeer carol;
  std::map<std::string, std::string> peerIds;
  std::string videoTrack;
  std::string audioTrack;
  json bobAnswer;
  json carolAnswer;
  server::RoomKey key = 0;
};

}  // namespace

TEST_CASE("a spread room: subscribers on another worker get the publisher's media, repairs and keyframes",
          "[media][handoff]") {
  RunningServer running(spreadConfig());
  SpreadRoom room(running);
  MediaPeer& alice = room.alice;
  MediaPeer& bob = room.bob;
  MediaPeer& carol = room.carol;
  const uint32_t bobVideoSsrc = answeredSsrc(room.bobAnswer["sdp"], "v");
  const uint32_t bobAudioSsrc = answeredSsrc(room.bobAnswer["sdp"], "a");
  const uint32_t carolVideoSsrc = answeredSsrc(room.carolAnswer["sdp"], "v");

  // Bob's connection on worker 1 made the mirror ask, through worker 0, Alice for a keyframe.
  REQUIRE(alice.waitFor([&] { return std::count(alice.plis.begin(), alice.plis.end(), kVideoSsrc) >= 1; }));

  room.sendMedia(100, 130);
  REQUIRE(bob.waitFor([&] { return bob.rtp.size() >= 60; }));
  REQUIRE(carol.waitFor([&] { return carol.rtp.size() >= 60; }));
  size_t bobVideo = 0, bobAudio = 0;
  uint16_t bobLastVideoSeq = 0;
  std::string bobLastVideoPayload;
  bob.waitFor([&] {
    for (const ReceivedRtp& r : bob.rtp) {
      std::map<uint8_t, std::vector<uint8_t>> ext(r.extensions.begin(), r.extensions.end());
      if (r.ssrc == bobVideoSsrc) {
        ++bobVideo;
        CHECK(r.payloadType == 120);
        CHECK(ext[9] == bytes("v"));
        CHECK(ext.contains(5));  // Bob's transport-wide sequence number, written on worker 1
        bobLastVideoSeq = r.seq;
        bobLastVideoPayload.assign(r.payload.begin(), r.payload.end());
      } else if (r.ssrc == bobAudioSsrc) {
        ++bobAudio;
        CHECK(r.payloadType == 109);
        CHECK(ext[7] == std::vector<uint8_t>{0x85});
      }
    }
    return true;
  });
  CHECK(bobVideo == 30);
  CHECK(bobAudio == 30);
  CHECK(bobLastVideoPayload == "video-payload-129");
  CHECK(std::count_if(carol.rtp.begin(), carol.rtp.end(),
                      [&](const ReceivedRtp& r) { return r.ssrc == carolVideoSsrc; }) == 30);

  // Bob's NACK is answered on worker 1 from the mirror's buffer, as RTX (payload type 121).
  bob.sendNack(bobVideoSsrc, bobLastVideoSeq);
  REQUIRE(bob.waitFor([&] {
    return std::any_of(bob.rtp.begin(), bob.rtp.end(), [&](const ReceivedRtp& r) {
      return r.payloadType == 121 && r.payload.size() >= 2 &&
             static_cast<uint16_t>(r.payload[0] << 8 | r.payload[1]) == bobLastVideoSeq &&
             std::string(r.payload.begin() + 2, r.payload.end()) == "video-payload-129";
    });
  }));

  // Bob's PLI reaches Alice for her SSRC.
  std::this_thread::sleep_for(60ms);  // past the keyframe request interval
  size_t plisBefore = 0;
  alice.waitFor([&] {
    plisBefore = alice.plis.size();
    return true;
  });
  bob.sendPli(bobVideoSsrc);
  REQUIRE(alice.waitFor([&] { return alice.plis.size() > plisBefore; }));
  CHECK(alice.waitFor([&] { return alice.plis.back() == kVideoSsrc; }));

  // The counters on both sides of the lane.
  const auto mirrored = room.counters(1);
  REQUIRE(mirrored);
  CHECK(mirrored->rtpMirrored >= 60);  // video and audio
  CHECK(mirrored->retransmissionsSent >= 1);
  CHECK(mirrored->keyframeRequestsForwarded >= 1);
  CHECK(mirrored->rtpReceived == 0);  // nothing from a transport: worker 1 has no publisher
  CHECK(room.counters(0)->rtpHandedOff >= 60);
  CHECK(running.server.handoff()->counters(0).sent.load() >= 60);
  CHECK(running.server.handoff()->counters(0).poolEmpty.load() == 0);
  CHECK(running.server.handoff()->counters(0).ringFull.load() == 0);
  CHECK(running.server.handoff()->counters(1).received.load() >= 60);

  // Alice leaves: both subscribers hear of it; the mirrors go with her tracks.
  REQUIRE(alice.ws.request({{"type", "leave"}})["type"] == "left");
  for (MediaPeer* subscriber : {&bob, &carol}) {
    size_t unpublished = 0;
    for (int i = 0; i < 8 && unpublished < 2; ++i) {
      if (subscriber->ws.event()["type"] == "trackUnpublished") ++unpublished;
    }
    CHECK(unpublished == 2);
  }
  CHECK(room.producerCount(1) == 0);
}

TEST_CASE("a spread room: a worker whose last peer left drops the room, the origin stops handing off",
          "[media][handoff]") {
  RunningServer running(spreadConfig());
  SpreadRoom room(running);
  room.sendMedia(100, 110);
  REQUIRE(room.bob.waitFor([&] { return room.bob.rtp.size() >= 20; }));
  REQUIRE(room.carol.waitFor([&] { return room.carol.rtp.size() >= 20; }));
  CHECK(room.producerCount(1) == 2);  // the mirrors of Alice's tracks

  REQUIRE(room.bob.ws.request({{"type", "leave"}})["type"] == "left");
  bool left = false;
  for (int i = 0; i < 8 && !left; ++i)
    left = room.alice.ws.event()["type"] == "peerLeft";
  REQUIRE(left);
  CHECK_FALSE(room.counters(1).has_value());  // worker 1 has no router of the room any more
  const uint64_t handedOff = room.counters(0)->rtpHandedOff;
  CHECK(handedOff >= 20);

  // Carol, on Alice's worker, still gets everything; nothing crosses any more.
  room.sendMedia(110, 120);
  REQUIRE(room.carol.waitFor([&] { return room.carol.rtp.size() >= 40; }));
  CHECK(room.counters(0)->rtpHandedOff == handedOff);

  // A new peer lands on worker 1 again (1 peer there, 2 on worker 0) and gets the media through new
  // mirrors.
  MediaPeer dave(running.port);
  const json joined = dave.ws.request({{"type", "join"}, {"room", "spread"}, {"name", "dave"}});
  REQUIRE(joined["type"] == "joined");
  room.peerIds["dave"] = joined["peerId"].get<std::string>();
  CHECK(room.workerOf("dave") == std::optional<size_t>(1));
  const json answer =
      dave.ws.request({{"type", "offer"},
                       {"sdp", dave.offer({{"v", "video", "recvonly"}, {"a", "audio", "recvonly"}})},
                       {"subscriptions", {{"v", room.videoTrack}, {"a", room.audioTrack}}}});
  REQUIRE(answer["type"] == "answer");
  dave.connect(answer["sdp"]);
  REQUIRE(dave.waitFor([&] { return dave.connected; }));
  room.sendMedia(120, 130);
  REQUIRE(dave.waitFor([&] { return dave.rtp.size() >= 20; }));
  CHECK(room.counters(0)->rtpHandedOff >= handedOff + 20);
  CHECK(room.counters(1)->rtpMirrored >= 20);
}

TEST_CASE(
    "a spread room: a peer that negotiates data channels joins the home worker, so its channels reach the "
    "others",
    "[media][handoff][sctp]") {
  using media::sctp::DataKind;
  using Sent = media::sctp::DataChannelEndpoint::SendResult;
  RunningServer running(spreadConfig());
  MediaPeer alice(running.port);
  MediaPeer bob(running.port);
  std::map<std::string, std::string> ids;
  const auto workerOf = [&](const std::string& name) {
    std::promise<std::optional<size_t>> worker;
    running.server.postToSignaling(
        [&] { worker.set_value(running.server.rooms().peerWorker("dc-spread", ids.at(name))); });
    return worker.get_future().get();
  };
  for (const auto& entry : {std::pair{&alice, "alice"}, std::pair{&bob, "bob"}}) {
    MediaPeer* peer = entry.first;
    const std::string name = entry.second;
    const json joined = peer->ws.request({{"type", "join"}, {"room", "dc-spread"}, {"name", name}});
    REQUIRE(joined["type"] == "joined");
    ids[name] = joined["peerId"];
  }
  REQUIRE(workerOf("alice") == std::optional<size_t>(0));
  REQUIRE(workerOf("bob") == std::optional<size_t>(1));  // spread at join
  for (MediaPeer* peer : {&alice, &bob}) {
    const json answer =
        peer->ws.request({{"type", "offer"}, {"sdp", peer->offer({{"d", "application", ""}})}});
    REQUIRE(answer["type"] == "answer");
    peer->connect(answer["sdp"]);
    REQUIRE(peer->waitFor([&] { return peer->dataConnected; }));
  }
  CHECK(workerOf("bob") == std::optional<size_t>(0));  // moved home by its data-channel offer

  media::sctp::DataChannelInfo chat;
  chat.label = "chat";
  const auto stream = bob.openChannel(chat);
  REQUIRE(stream);
  REQUIRE(bob.sendMessage(*stream, DataKind::kString, bytes("hello from bob")) == Sent::kOk);
  REQUIRE(alice.waitFor([&] { return alice.messages.size() == 1; }));
  CHECK(alice.messages[0].data == bytes("hello from bob"));
}

namespace {

// GET over a fresh connection; the whole response (head and body), or "" after 5 s.
std::string httpRequest(unsigned short port, const std::string& request) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  asio::write(socket, asio::buffer(request));
  std::string response;
  char chunk[4096];
  socket.non_blocking(true);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    boost::system::error_code ec;
    const size_t n = socket.read_some(asio::buffer(chunk), ec);
    if (ec == asio::error::would_block) {
      std::this_thread::sleep_for(2ms);
      continue;
    }
    if (ec) break;
    response.append(chunk, n);
  }
  return response;
}

// The samples of GET /metrics: "name{labels}" -> value.
std::map<std::string, double> scrape(unsigned short port) {
  const std::string response =
      httpRequest(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  REQUIRE_THAT(response, Catch::StartsWith("HTTP/1.1 200"));
  std::map<std::string, double> samples;
  std::istringstream lines(response.substr(response.find("\r\n\r\n") + 4));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

}  // namespace

TEST_CASE("GET /metrics shows the forwarded packets and the latency the server added", "[media][metrics]") {
  RunningServer running(mediaConfig());
  Call call(running);
  const auto before = scrape(running.port);
  CHECK(before.at("switchyard_rooms") == 1);
  CHECK(before.at("switchyard_peers") == 2);
  CHECK(before.at("switchyard_workers") == 1);

  for (uint16_t seq = 100; seq < 150; ++seq) {
    call.alice.sendRtp(kVideoSsrc, 96, seq, {{4, bytes("0")}}, bytes("video-payload-" + std::to_string(seq)));
    call.alice.sendRtp(kAudioSsrc, 111, seq, {{4, bytes("1")}}, bytes("opus-" + std::to_string(seq)));
  }
  REQUIRE(call.bob.waitFor([&] { return call.bob.rtp.size() >= 100; }));

  // The counters are read while the worker runs; wait until it has counted its last batch.
  std::map<std::string, double> after;
  for (int i = 0; i < 100; ++i) {
    after = scrape(running.port);
    if (after.at("switchyard_forward_latency_seconds_count{worker=\"0\"}") >= 100) break;
    std::this_thread::sleep_for(10ms);
  }
  CHECK(after.at("switchyard_rtp_received_total{worker=\"0\"}") >= 100);
  CHECK(after.at("switchyard_rtp_forwarded_total{worker=\"0\"}") >= 100);
  const double count = after.at("switchyard_forward_latency_seconds_count{worker=\"0\"}") -
                       before.at("switchyard_forward_latency_seconds_count{worker=\"0\"}");
  CHECK(count >= 100);
  // Packets forwarded to nobody are not measured: each of the 100 went to Bob once.
  CHECK(count <= after.at("switchyard_rtp_forwarded_total{worker=\"0\"}"));
  CHECK(after.at("switchyard_forward_latency_seconds_bucket{worker=\"0\",le=\"+Inf\"}") ==
        after.at("switchyard_forward_latency_seconds_count{worker=\"0\"}"));
  // Sane: more than nothing, every packet within a second (loopback, an idle test machine or a
  // sanitizer build), and the mean below 100 ms.
  const double sum = after.at("switchyard_forward_latency_seconds_sum{worker=\"0\"}");
  CHECK(sum > 0);
  CHECK(sum / after.at("switchyard_forward_latency_seconds_count{worker=\"0\"}") < 0.1);
  CHECK(after.at("switchyard_forward_latency_seconds_bucket{worker=\"0\",le=\"0.5\"}") ==
        after.at("switchyard_forward_latency_seconds_count{worker=\"0\"}"));
  CHECK(after.at("switchyard_forward_latency_seconds_bucket{worker=\"0\",le=\"0.000005\"}") <
        after.at("switchyard_forward_latency_seconds_count{worker=\"0\"}"));
  // The part after recvmmsg returned: the same packets, each no longer than its whole stay.
  CHECK(after.at("switchyard_forward_processing_seconds_count{worker=\"0\"}") ==
        after.at("switchyard_forward_latency_seconds_count{worker=\"0\"}"));
  CHECK(after.at("switchyard_forward_processing_seconds_sum{worker=\"0\"}") > 0);
  CHECK(after.at("switchyard_forward_processing_seconds_sum{worker=\"0\"}") <= sum);

  // Hostile requests do not hurt it.
  CHECK_THAT(httpRequest(running.port, "GET /metrics?x=%zz&&== HTTP/1.1\r\nConnection: close\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 200"));
  const std::string head = httpRequest(running.port, "HEAD /metrics HTTP/1.1\r\nConnection: close\r\n\r\n");
  CHECK_THAT(head, Catch::StartsWith("HTTP/1.1 200"));
  CHECK(head.find("switchyard_rooms") == std::string::npos);
  CHECK_THAT(httpRequest(running.port, "DELETE /metrics HTTP/1.1\r\nConnection: close\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 405"));
  CHECK(scrape(running.port).at("switchyard_peers") == 2);
}

TEST_CASE("GET /metrics: a spread room's mirror measures its copies from the origin's arrival",
          "[media][metrics][handoff]") {
  RunningServer running(spreadConfig());
  SpreadRoom room(running);
  room.sendMedia(100, 130);
  REQUIRE(room.bob.waitFor([&] { return room.bob.rtp.size() >= 60; }));
  REQUIRE(room.carol.waitFor([&] { return room.carol.rtp.size() >= 60; }));
  std::map<std::string, double> m;
  for (int i = 0; i < 100; ++i) {
    m = scrape(running.port);
    if (m.at("switchyard_forward_latency_seconds_count{worker=\"0\"}") >= 60 &&
        m.at("switchyard_forward_latency_seconds_count{worker=\"1\"}") >= 60)
      break;
    std::this_thread::sleep_for(10ms);
  }
  // Worker 0 forwards to Carol and hands off to worker 1, which forwards to Bob.
  CHECK(m.at("switchyard_forward_latency_seconds_count{worker=\"0\"}") >= 60);
  CHECK(m.at("switchyard_forward_latency_seconds_count{worker=\"1\"}") >= 60);
  CHECK(m.at("switchyard_handoff_sent_total{worker=\"0\"}") >= 60);
  CHECK(m.at("switchyard_handoff_received_total{worker=\"1\"}") >= 60);
  CHECK(m.at("switchyard_rtp_received_total{worker=\"1\"}") == 0);
  // The mirror's figure starts at the origin's arrival: not zero, under a second.
  CHECK(m.at("switchyard_forward_latency_seconds_sum{worker=\"1\"}") > 0);
  CHECK(m.at("switchyard_forward_latency_seconds_bucket{worker=\"1\",le=\"0.5\"}") ==
        m.at("switchyard_forward_latency_seconds_count{worker=\"1\"}"));
  CHECK(m.at("switchyard_peers") == 3);
  // The processing part is measured only where the packet was received.
  CHECK(m.at("switchyard_forward_processing_seconds_count{worker=\"1\"}") == 0);
  CHECK(m.at("switchyard_forward_processing_seconds_count{worker=\"0\"}") ==
        m.at("switchyard_forward_latency_seconds_count{worker=\"0\"}"));
}

TEST_CASE("with the histogram and /metrics off, /metrics is not found and forwarding is unchanged",
          "[media][metrics]") {
  config::Config config = mediaConfig();
  config.workers.latencyHistogram = false;
  config.http.metrics = false;
  RunningServer running(config);
  Call call(running);
  for (uint16_t seq = 100; seq < 110; ++seq)
    call.alice.sendRtp(kVideoSsrc, 96, seq, {{4, bytes("0")}}, bytes("video-payload-" + std::to_string(seq)));
  REQUIRE(call.bob.waitFor([&] { return call.bob.rtp.size() >= 10; }));
  CHECK_THAT(httpRequest(running.port, "GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 404"));
  std::promise<std::string> text;
  running.server.postToSignaling([&] { text.set_value(running.server.metricsText()); });
  const std::string metrics = text.get_future().get();
  CHECK_THAT(metrics, Catch::Contains("switchyard_rtp_forwarded_total{worker=\"0\"}"));
  CHECK(metrics.find("switchyard_forward_latency") == std::string::npos);
}
