#pragma once
// A whole SDP (RFC 8866 section 5): the session part and its media sections, typed for what WebRTC
// uses (JSEP, RFC 8829) with every other line kept verbatim, in order. Build one with parse(), turn it
// back to text with write() (media/sdp/Sdp.h).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media/sdp/Attribute.h"
#include "media/sdp/Bandwidth.h"
#include "media/sdp/Connection.h"
#include "media/sdp/Extmap.h"
#include "media/sdp/Fingerprint.h"
#include "media/sdp/Group.h"
#include "media/sdp/MediaDescription.h"
#include "media/sdp/MsidSemantic.h"
#include "media/sdp/Origin.h"
#include "media/sdp/SetupRole.h"
#include "media/sdp/SourceOrder.h"
#include "media/sdp/TextLine.h"
#include "media/sdp/Timing.h"

namespace switchyard::media::sdp {

struct SessionDescription {
  uint32_t version = 0;  // v=0 (the only version there is)
  Origin origin;
  std::string sessionName = "-";
  std::vector<TextLine> textLines;  // i= u= e= p= z= k=
  std::optional<Connection> connection;
  std::vector<Bandwidth> bandwidths;
  std::vector<Timing> timing;  // at least one t= when parsed

  std::vector<Group> groups;  // a=group:BUNDLE 0 1 2
  bool iceLite = false;
  std::optional<std::string> iceUfrag;
  std::optional<std::string> icePwd;
  std::vector<std::string> iceOptions;
  std::vector<Fingerprint> fingerprints;
  std::optional<SetupRole> setup;
  std::optional<MsidSemantic> msidSemantic;
  bool extmapAllowMixed = false;
  std::vector<Extmap> extmaps;
  std::vector<Attribute> attributes;  // every other session-level a= line, in order

  std::vector<MediaDescription> media;

  SourceOrder order;  // session-level line order as parsed; ignored by ==

  // The first a=group:BUNDLE, if any.
  [[nodiscard]] const Group* bundleGroup() const noexcept;
  [[nodiscard]] const MediaDescription* findMedia(std::string_view mid) const noexcept;
  [[nodiscard]] const Attribute* findAttribute(std::string_view name) const noexcept;

  friend bool operator==(const SessionDescription&, const SessionDescription&) = default;
};

}  // namespace switchyard::media::sdp
