#include "media/sdp/SessionDescription.h"

namespace switchyard::media::sdp {

const Group* SessionDescription::bundleGroup() const noexcept {
  for (const auto& g : groups) {
    if (g.semantics == "BUNDLE") return &g;
  }
  return nullptr;
}

const MediaDescription* SessionDescription::findMedia(std::string_view mid) const noexcept {
  for (const auto& m : media) {
    if (m.mid && *m.mid == mid) return &m;
  }
  return nullptr;
}

const Attribute* SessionDescription::findAttribute(std::string_view name) const noexcept {
  for (const auto& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace switchyard::media::sdp
