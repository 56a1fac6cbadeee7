#pragma once
// Conversions between what the SDP negotiation decides (media/sdp) and what the transports and the
// forwarding plane take (media/transport, media/forward), plus the JSON form of a track. Control
// plane, pure functions.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "media/forward/Router.h"
#include "media/sdp/Negotiation.h"
#include "media/transport/TransportHost.h"

namespace switchyard::server {

// {"trackId", "peerId", "kind", "source"}.
[[nodiscard]] nlohmann::json trackJson(const std::string& trackId, const std::string& peerId,
                                       media::sdp::MediaKind kind, const std::string& source);

// The transport parameters of an offer; nullopt when its fingerprint is not a sha-256 one.
[[nodiscard]] std::optional<media::transport::TransportHost::RemoteParams> remoteParams(
    const media::sdp::RemoteTransport& remote);

// What the answer says about the server's transport: ICE credentials, fingerprint and host
// candidates (UDP before TCP, RFC 8445 priorities with type preference 126 for host).
[[nodiscard]] media::sdp::LocalTransport localTransport(
    const media::transport::TransportHost::LocalParams& local);

[[nodiscard]] media::forward::ProducerSpec producerSpec(uint32_t id, media::transport::TransportId transport,
                                                        const media::sdp::PublishedTrack& track);
[[nodiscard]] media::forward::ConsumerSpec consumerSpec(uint32_t id, uint32_t producer,
                                                        media::transport::TransportId transport,
                                                        const media::sdp::SubscribedTrack& track);

}  // namespace switchyard::server
