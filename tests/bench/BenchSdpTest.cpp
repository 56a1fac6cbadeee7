// The bench clients' offers are answered by Switchyard's own negotiation like a browser's
// (published audio and VP8 video, simulcast RIDs, recvonly subscriptions), and an answer gives the
// client transport what it needs.
#include <catch2/catch.hpp>

#include "bench/BenchSdp.h"
#include "media/dtls/DtlsCertificate.h"
#include "media/sdp/Negotiation.h"
#include "media/sdp/Sdp.h"

using namespace switchyard;
using namespace switchyard::bench;
namespace sdp = media::sdp;

namespace {

const media::util::SocketAddress kLoopback = *media::util::SocketAddress::parse("127.0.0.1", 0);

sdp::LocalTransport serverTransport(const media::dtls::DtlsCertificate& certificate) {
  sdp::LocalTransport local;
  local.iceUfrag = "srvr";
  local.icePwd = "0123456789012345678901";
  local.fingerprint.bytes.assign(certificate.fingerprint().bytes.begin(),
                                 certificate.fingerprint().bytes.end());
  sdp::Candidate c;
  c.foundation = "1";
  c.address = "127.0.0.1";
  c.port = 40000;
  c.priority = 2130706431;
  local.candidates.push_back(c);
  return local;
}

}  // namespace

TEST_CASE("A publisher's offer is answered with its audio and simulcast video published") {
  const auto client = media::dtls::DtlsCertificate::generate("client");
  const auto server = media::dtls::DtlsCertificate::generate("server");
  const auto ice = media::ice::IceCredentials::generate();
  const std::string offer = browserOffer(
      ice, client.fingerprint(), {{"0", false, true, false, 1111}, {"1", true, true, true, 0}}, 42, 1);
  const auto parsed = sdp::parse(offer);
  REQUIRE(parsed);
  sdp::NegotiationOptions options;
  options.simulcast = true;
  const sdp::Answer answer = sdp::answerOffer(
      *parsed.description, serverTransport(server), [](std::string_view) { return std::nullopt; }, 1, 1,
      options);
  REQUIRE(answer.media.size() == 2);
  CHECK(answer.media[0].role == sdp::MediaAnswer::Role::kPublish);
  CHECK(answer.media[0].published->ssrcs == std::vector<uint32_t>{1111});
  REQUIRE(answer.media[1].role == sdp::MediaAnswer::Role::kPublish);
  CHECK(answer.media[1].published->simulcastRids == std::vector<std::string>{"q", "h", "f"});

  std::string error;
  const auto params = clientParamsFrom(sdp::write(answer.description), false, ice, kLoopback, error);
  REQUIRE(params);
  CHECK(params->remoteIce.ufrag == "srvr");
  REQUIRE(params->remoteCandidates.size() == 1);
  CHECK(params->remoteCandidates[0].address == *media::util::SocketAddress::parse("127.0.0.1", 40000));
  CHECK(params->secure.role == media::dtls::DtlsRole::kClient);  // the server answered passive
  CHECK(params->secure.remoteFingerprint == server.fingerprint());
  CHECK(params->localIce.ufrag == ice.ufrag);
}

TEST_CASE("A subscriber's offer has recvonly sections that the answer fills with the subscription") {
  const auto client = media::dtls::DtlsCertificate::generate("client");
  const auto ice = media::ice::IceCredentials::generate();
  const std::string offer = browserOffer(ice, client.fingerprint(),
                                         {{"0", false, false, false, 0}, {"1", true, false, false, 0}}, 7, 3);
  const auto parsed = sdp::parse(offer);
  REQUIRE(parsed);
  REQUIRE(parsed.description->media.size() == 2);
  CHECK(parsed.description->media[0].direction == sdp::Direction::kRecvOnly);
  CHECK(parsed.description->media[1].rtpMaps.at(0).encodingName == "VP8");
  CHECK(parsed.description->media[1].rids.empty());
}

TEST_CASE("clientParamsFrom says what is missing") {
  const auto ice = media::ice::IceCredentials::generate();
  std::string error;
  CHECK_FALSE(clientParamsFrom("not sdp", false, ice, kLoopback, error));
  CHECK_FALSE(error.empty());
  const auto client = media::dtls::DtlsCertificate::generate("client");
  // Our own offer has no candidates.
  error.clear();
  CHECK_FALSE(clientParamsFrom(browserOffer(ice, client.fingerprint(), {{"0", false, true, false, 1}}, 1, 1),
                               false, ice, kLoopback, error));
  CHECK(error.find("candidate") != std::string::npos);
}
