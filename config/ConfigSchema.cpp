#include "config/ConfigSchema.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace switchyard::config {

using nlohmann::json;

std::string FieldSpec::envName() const {
  std::string name = "SWITCHYARD_";
  for (char c : key) {
    name.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return name;
}

std::string FieldSpec::allowedText() const {
  switch (kind) {
    case FieldKind::String:
      return "a string";
    case FieldKind::Integer:
      return "an integer in " + std::to_string(min) + ".." + std::to_string(max);
    case FieldKind::Boolean:
      return "true or false";
    case FieldKind::IpAddress:
      return "an IPv4 or IPv6 address literal";
    case FieldKind::IpAddressList:
      return "a list of IPv4 or IPv6 address literals (environment: comma-separated)";
    case FieldKind::Enum: {
      std::string text = "one of";
      for (size_t i = 0; i < allowed.size(); ++i)
        text += (i == 0 ? " \"" : ", \"") + allowed[i] + "\"";
      return text;
    }
  }
  return "?";
}

namespace {
template <typename Section, typename Value>
FieldSpec field(std::string key, FieldKind kind, std::string description, Section Config::*section,
                Value Section::*member) {
  FieldSpec spec;
  spec.key = std::move(key);
  spec.kind = kind;
  spec.description = std::move(description);
  spec.get = [section, member](const Config& c) { return json((c.*section).*member); };
  spec.set = [section, member](Config& c, const json& v) { (c.*section).*member = v.get<Value>(); };
  return spec;
}

template <typename Section, typename Value>
FieldSpec integerField(std::string key, int64_t min, int64_t max, std::string description,
                       Section Config::*section, Value Section::*member) {
  FieldSpec spec = field(std::move(key), FieldKind::Integer, std::move(description), section, member);
  spec.min = min;
  spec.max = max;
  return spec;
}

template <typename Section>
FieldSpec enumField(std::string key, std::vector<std::string> allowed, std::string description,
                    Section Config::*section, std::string Section::*member) {
  FieldSpec spec = field(std::move(key), FieldKind::Enum, std::move(description), section, member);
  spec.allowed = std::move(allowed);
  return spec;
}

std::string jsonPointer(const std::string& key) {
  std::string pointer = "/" + key;
  std::replace(pointer.begin(), pointer.end(), '.', '/');
  return pointer;
}

}  // namespace

ConfigSchema::ConfigSchema() {
  using C = Config;
  fields_.push_back(enumField("log.level", {"trace", "debug", "info", "warn", "error", "critical", "off"},
                              "Lowest level that is logged.", &C::log, &C::Log::level));
  fields_.push_back(enumField("log.format", {"text", "json"},
                              "`text`: human-readable lines (coloured on a terminal); `json`: one JSON "
                              "object per line. The `--log-format` flag overrides it.",
                              &C::log, &C::Log::format));
  fields_.push_back(field("http.listen_address", FieldKind::IpAddress,
                          "Address the HTTP/WebSocket front end listens on.", &C::http,
                          &C::Http::listenAddress));
  fields_.push_back(integerField("http.port", 0, 65535,
                                 "TCP port of the HTTP/WebSocket front end; 0 picks a free port, and the "
                                 "URL printed at start shows which.",
                                 &C::http, &C::Http::port));
  fields_.push_back(integerField("http.max_connections", 1, 1000000,
                                 "Open HTTP/WebSocket connections accepted at once; further connections "
                                 "are closed at accept.",
                                 &C::http, &C::Http::maxConnections));
  fields_.push_back(integerField("http.request_timeout_ms", 100, 600000,
                                 "Time a client has to send a complete HTTP request before the connection "
                                 "is closed.",
                                 &C::http, &C::Http::requestTimeoutMs));
  fields_.push_back(field("http.tls_certificate_file", FieldKind::String,
                          "PEM certificate chain (leaf first) for HTTPS and WSS on `http.port`; empty: plain "
                          "HTTP and WS. Browsers allow camera and microphone only on https pages (or "
                          "localhost). TLS 1.2 and later; the handshake must finish within "
                          "`http.request_timeout_ms`. Needs `http.tls_private_key_file`.",
                          &C::http, &C::Http::tlsCertificateFile));
  fields_.push_back(field("http.tls_private_key_file", FieldKind::String,
                          "Unencrypted PEM private key of `http.tls_certificate_file`.", &C::http,
                          &C::Http::tlsPrivateKeyFile));
  fields_.push_back(field("http.metrics", FieldKind::Boolean,
                          "Serve `GET /metrics` on the HTTP port: Prometheus text format with the "
                          "forwarding latency histogram, packet counters per worker, rooms and peers. "
                          "false: `/metrics` answers 404.",
                          &C::http, &C::Http::metrics));
  fields_.push_back(integerField("signaling.max_message_bytes", 1024, 16 * 1024 * 1024,
                                 "Largest signaling message (WebSocket) accepted; a larger one closes the "
                                 "connection.",
                                 &C::signaling, &C::Signaling::maxMessageBytes));
  fields_.push_back(integerField("signaling.max_queued_messages", 8, 65536,
                                 "Messages queued for one signaling client; a client that does not read them "
                                 "is closed.",
                                 &C::signaling, &C::Signaling::maxQueuedMessages));
  fields_.push_back(integerField("signaling.idle_timeout_ms", 1000, 3600000,
                                 "A signaling WebSocket with no traffic is pinged after half of this and "
                                 "closed after all of it.",
                                 &C::signaling, &C::Signaling::idleTimeoutMs));
  fields_.push_back(integerField("rooms.max_peers", 1, 10000, "Peers allowed in one room at once.", &C::rooms,
                                 &C::Rooms::maxPeers));
  fields_.push_back(field("rooms.token_secret", FieldKind::String,
                          "Secret for join tokens (HMAC-SHA256, see docs/protocol.md): when set, `join` "
                          "needs a `token` minted with it (`switchyard --make-token ROOM`). Empty: anyone "
                          "may join any room.",
                          &C::rooms, &C::Rooms::tokenSecret));
  fields_.push_back(integerField("workers.count", 0, 256,
                                 "Media worker threads (one io_context each); 0 means one per CPU core.",
                                 &C::workers, &C::Workers::count));
  fields_.push_back(integerField(
      "workers.room_spread_peers", 0, 100000,
      "A room's peers share its home worker until it has this many; later joiners go to the least loaded "
      "worker, and the publisher's worker hands each packet (decrypted once) to the other workers holding "
      "subscribers of the room, which encrypt for their own. Lower values cut the latency of large "
      "fan-outs for about 10% more CPU per packet: rooms of 30 subscribers on 2 real-time workers at "
      "half load had a p99 of 0.70-0.95 ms at 16, while one core cannot take them under 1 ms "
      "(bench/RESULTS.md). 0: a room never spreads.",
      &C::workers, &C::Workers::roomSpreadPeers));
  fields_.push_back(integerField(
      "workers.handoff_ring_packets", 64, 1048576,
      "Packets queued from one worker to another for spread rooms (rounded up to a power of two; each "
      "worker's packet pool holds twice this many). A full ring or pool drops and counts.",
      &C::workers, &C::Workers::handoffRingPackets));
  fields_.push_back(
      field("workers.latency_histogram", FieldKind::Boolean,
            "Measure the latency each worker adds: for every RTP packet it forwards, the time from the "
            "kernel's arrival stamp of the datagram (SO_TIMESTAMPNS) to the return of the sendmmsg that sent "
            "its last copy, in a histogram (`switchyard_forward_latency_seconds` on `/metrics`). Costs a "
            "timestamp per datagram and a clock read per sendmmsg.",
            &C::workers, &C::Workers::latencyHistogram));
  fields_.push_back(integerField(
      "workers.tick_slice_us", 0, 100000,
      "Each worker's 10 ms room tick (RTCP feedback and reports, bitrate allocation, probing, speaker "
      "detection) runs in slices of about this many microseconds: after a slice that took this long, "
      "the worker handles the packets that arrived meanwhile before it ticks the next rooms. Bounds how "
      "long a packet waits behind the tick. 0: one room per slice.",
      &C::workers, &C::Workers::tickSliceUs));
  fields_.push_back(integerField(
      "workers.realtime_priority", 0, 99,
      "Run each worker thread at this SCHED_FIFO real-time priority (1-99), so that ordinary tasks "
      "sharing its core (agents, kernel reclaim threads) wait for the worker's next idle moment instead "
      "of stalling it for milliseconds: the added latency's tail. Needs CAP_SYS_NICE or an RLIMIT_RTPRIO "
      "that allows it (Docker: `--cap-add SYS_NICE`); when refused, the worker logs a warning and runs "
      "normally. Set it above other real-time threads on the same cores. A worker saturated at real-time "
      "priority leaves other tasks on its core only the kernel's non-real-time share (sched_rt_runtime_us, "
      "5% by default): give the workers fewer cores "
      "than the machine has (`workers.count`) before turning this on. 0: normal scheduling.",
      &C::workers, &C::Workers::realtimePriority));
  fields_.push_back(field("rtc.listen_addresses", FieldKind::IpAddressList,
                          "Addresses the media sockets (UDP, and TCP for ICE-TCP) bind to. Each is also "
                          "offered as a host candidate, except 0.0.0.0 and ::, which need "
                          "`rtc.announced_addresses`.",
                          &C::rtc, &C::Rtc::listenAddresses));
  fields_.push_back(field("rtc.announced_addresses", FieldKind::IpAddressList,
                          "Addresses offered as ICE candidates before the listen addresses (with the same "
                          "ports): the public or host address when the server is behind NAT or in a "
                          "container.",
                          &C::rtc, &C::Rtc::announcedAddresses));
  fields_.push_back(integerField("rtc.udp_port", 0, 65535,
                                 "First UDP media port: worker i uses `rtc.udp_port + i` for all its peers. "
                                 "0 lets each worker pick a free port.",
                                 &C::rtc, &C::Rtc::udpPort));
  fields_.push_back(field("rtc.ice_tcp", FieldKind::Boolean,
                          "Also accept ICE over TCP (RFC 6544 passive candidates, RFC 4571 framing) for "
                          "clients whose UDP is blocked.",
                          &C::rtc, &C::Rtc::iceTcp));
  fields_.push_back(
      integerField("rtc.tcp_port", 0, 65535,
                   "First ICE-TCP port: worker i listens on `rtc.tcp_port + i`. 0 lets each worker "
                   "pick a free port.",
                   &C::rtc, &C::Rtc::tcpPort));
  fields_.push_back(integerField("rtc.consent_timeout_ms", 1000, 600000,
                                 "A transport with no valid ICE check for this long is closed (RFC 7675 "
                                 "consent freshness).",
                                 &C::rtc, &C::Rtc::consentTimeoutMs));
  fields_.push_back(integerField("rtc.dtls_mtu", 576, 1500,
                                 "Largest DTLS datagram; handshake messages are fragmented to fit.", &C::rtc,
                                 &C::Rtc::dtlsMtu));
  fields_.push_back(
      field("rtc.udp_gso", FieldKind::Boolean,
            "Send the datagrams a worker has queued for one destination in one flush as UDP GSO "
            "segments (UDP_SEGMENT, Linux >= 4.18): one trip through the stack for a run of "
            "equal-sized packets. Falls back to one datagram per message on a socket where the "
            "kernel refuses it.",
            &C::rtc, &C::Rtc::udpGso));
  fields_.push_back(integerField(
      "rtc.udp_flush_datagrams", 1, 256,
      "Once the work of one received datagram leaves at least this many datagrams in a worker's "
      "send queue (256 slots), they go to the kernel before the next received datagram is handled; "
      "the queue is also flushed at the end of every receive batch. Bounds how long a forwarded copy "
      "waits in the server (about this many copies' work); larger: fewer sendmmsg calls and longer "
      "GSO runs, smaller: lower added latency. Measured (bench/RESULTS.md): 32 keeps the p99 under 1 ms "
      "in rooms of 5-10 subscribers at half load; in rooms of 30 and more, 256 (a whole receive batch "
      "per flush, so a frame's packets to one subscriber share a GSO message) gave a lower median p99 "
      "(1.8 against 2.5 ms, within the run-to-run spread).",
      &C::rtc, &C::Rtc::udpFlushDatagrams));
  fields_.push_back(field("rtc.certificate_file", FieldKind::String,
                          "PEM certificate for DTLS; empty: an ECDSA P-256 certificate is generated at "
                          "start. Needs `rtc.private_key_file`.",
                          &C::rtc, &C::Rtc::certificateFile));
  fields_.push_back(field("rtc.private_key_file", FieldKind::String,
                          "PEM private key of `rtc.certificate_file`.", &C::rtc, &C::Rtc::privateKeyFile));
  fields_.push_back(integerField("rtc.srtp_replay_window", 64, 32767,
                                 "SRTP replay-protection window in packets (libsrtp window_size).", &C::rtc,
                                 &C::Rtc::srtpReplayWindow));
  fields_.push_back(integerField("rtc.keyframe_request_interval_ms", 50, 10000,
                                 "At most one keyframe request (PLI) per published video track in this "
                                 "interval; requests from new or recovering subscribers in between are "
                                 "merged into the next one.",
                                 &C::rtc, &C::Rtc::keyframeRequestIntervalMs));
  fields_.push_back(integerField("rtc.retransmission_buffer_packets", 0, 32768,
                                 "Packets kept per published video stream to answer subscribers' NACKs "
                                 "(rounded up to a power of two; 1500 bytes each; 0 turns retransmission "
                                 "off).",
                                 &C::rtc, &C::Rtc::retransmissionBufferPackets));
  fields_.push_back(field("rtc.simulcast", FieldKind::Boolean,
                          "Answer a publisher's simulcast (RFC 8853: up to three layers of one video track) "
                          "so each subscriber gets the layer it asks for (`setLayer`); false: publishers "
                          "send one encoding.",
                          &C::rtc, &C::Rtc::simulcast));
  fields_.push_back(field("rtc.bandwidth_estimation", FieldKind::Boolean,
                          "Estimate each subscriber's downlink from its transport-cc feedback (delay and "
                          "loss based, with padding probes) and give it the simulcast layers that fit: audio "
                          "first, then the active speaker's video, then the rest. false: every subscriber "
                          "gets the layers it asks for.",
                          &C::rtc, &C::Rtc::bandwidthEstimation));
  fields_.push_back(integerField("rtc.bwe_initial_kbps", 50, 1000000,
                                 "Bandwidth estimate (kbit/s) a subscriber starts with, before its feedback "
                                 "and probes move it.",
                                 &C::rtc, &C::Rtc::bweInitialKbps));
  fields_.push_back(integerField("rtc.bwe_min_kbps", 10, 1000000,
                                 "Lowest bandwidth estimate (kbit/s) toward a subscriber. At most "
                                 "`rtc.bwe_initial_kbps`.",
                                 &C::rtc, &C::Rtc::bweMinKbps));
  fields_.push_back(
      integerField("rtc.bwe_max_kbps", 100, 10000000,
                   "Highest bandwidth estimate (kbit/s) toward a subscriber; also the most a probe "
                   "tries. At least `rtc.bwe_initial_kbps`.",
                   &C::rtc, &C::Rtc::bweMaxKbps));
  fields_.push_back(
      integerField("rtc.simulcast_layer_off_delay_ms", 0, 600000,
                   "A simulcast layer that no subscriber was given for this long is switched off "
                   "at its publisher (the client module's setParameters) until one needs it again.",
                   &C::rtc, &C::Rtc::simulcastLayerOffDelayMs));
  fields_.push_back(field("sctp.data_channels", FieldKind::Boolean,
                          "Answer data-channel sections (SCTP over DTLS) and relay messages between the "
                          "peers of a room; false rejects them.",
                          &C::sctp, &C::Sctp::dataChannels));
  fields_.push_back(integerField("sctp.max_message_size", 65536, 16777216,
                                 "Largest data-channel message, announced as a=max-message-size; larger "
                                 "messages are dropped and counted.",
                                 &C::sctp, &C::Sctp::maxMessageSize));
  fields_.push_back(integerField("sctp.max_buffered_bytes_per_peer", 65536, 268435456,
                                 "Data-channel bytes the server buffers toward one peer (its SCTP send "
                                 "buffer). When full, unreliable messages to it are dropped and reliable "
                                 "senders are paused (their window closes) until it drains. At least "
                                 "`sctp.max_message_size`.",
                                 &C::sctp, &C::Sctp::maxBufferedBytesPerPeer));
  fields_.push_back(integerField("sctp.receive_buffer_bytes", 65536, 268435456,
                                 "SCTP receive buffer per peer: the window a sender may fill before the "
                                 "server reads. At least `sctp.max_message_size`.",
                                 &C::sctp, &C::Sctp::receiveBufferBytes));
  fields_.push_back(integerField("sctp.max_channels_per_peer", 1, 32767,
                                 "Data channels one peer's association may hold (its own and those the "
                                 "server opens for the others'); more are refused.",
                                 &C::sctp, &C::Sctp::maxChannelsPerPeer));
}

const ConfigSchema& ConfigSchema::instance() {
  static const ConfigSchema schema;
  return schema;
}

const FieldSpec* ConfigSchema::find(std::string_view key) const noexcept {
  auto it = std::find_if(fields_.begin(), fields_.end(), [&](const FieldSpec& f) { return f.key == key; });
  return it == fields_.end() ? nullptr : &*it;
}

const FieldSpec* ConfigSchema::findByEnv(std::string_view envName) const noexcept {
  auto it = std::find_if(fields_.begin(), fields_.end(),
                         [&](const FieldSpec& f) { return f.envName() == envName; });
  return it == fields_.end() ? nullptr : &*it;
}

json ConfigSchema::toJson(const Config& config) const {
  json out = json::object();
  for (const FieldSpec& f : fields_)
    out[json::json_pointer(jsonPointer(f.key))] = f.get(config);
  return out;
}

std::string ConfigSchema::markdownReference() const {
  std::ostringstream out;
  out << "# Configuration reference\n\n"
      << "Generated by `switchyard --config-reference` from `config/ConfigSchema.cpp`; a test checks that\n"
      << "this file matches it. Settings come from, in increasing precedence: the defaults below, the JSON\n"
      << "file given with `--config PATH` (nested objects, e.g. `{\"http\": {\"port\": 8080}}`), and\n"
      << "environment variables (`SWITCHYARD_` + the key in upper case with `.` as `_`). An unknown key or\n"
      << "variable, a wrong type or a value out of range stops the server at start with a message that\n"
      << "names the key, the value and what is allowed. `switchyard --print-config` shows the result.\n\n"
      << "| key | environment variable | default | allowed | meaning |\n"
      << "|---|---|---|---|---|\n";
  const Config defaults;
  for (const FieldSpec& f : fields_) {
    out << "| `" << f.key << "` | `" << f.envName() << "` | `" << f.get(defaults).dump() << "` | "
        << f.allowedText() << " | " << f.description << " |\n";
  }
  return out.str();
}

}  // namespace switchyard::config
