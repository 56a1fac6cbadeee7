#include "media/sdp/Bandwidth.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<Bandwidth> Bandwidth::parse(std::string_view value, std::string& error) {
  const auto [type, amount] = detail::splitFirst(value, ':');
  if (!detail::isToken(type) || !amount) {
    error = "b= must be <bwtype>:<bandwidth>";
    return std::nullopt;
  }
  const auto v = detail::parseNumber<uint64_t>(*amount);
  if (!v) {
    error = "b= bandwidth is not a decimal number";
    return std::nullopt;
  }
  Bandwidth b;
  b.type = std::string(type);
  b.value = *v;
  return b;
}

std::string Bandwidth::toString() const {
  return type + ':' + std::to_string(value);
}

}  // namespace switchyard::media::sdp
