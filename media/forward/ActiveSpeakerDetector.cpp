#include "media/forward/ActiveSpeakerDetector.h"

#include <algorithm>
#include <ratio>

namespace switchyard::media::forward {

namespace {

constexpr uint8_t kMaxLevel = 127;
// Packets beyond this many in one bin are not counted (keeps the sums far from overflow).
constexpr uint32_t kMaxPacketsPerBin = 1u << 16;

}  // namespace

ActiveSpeakerDetector::ActiveSpeakerDetector(const Options& options) : options_(options) {
  options_.silenceLevel = std::min(options_.silenceLevel, kMaxLevel);
}

void ActiveSpeakerDetector::addStream(uint32_t producerId) {
  auto it = std::lower_bound(streams_.begin(), streams_.end(), producerId,
                             [](const Stream& stream, uint32_t id) { return stream.id < id; });
  if (it != streams_.end() && it->id == producerId) return;
  Stream stream;
  stream.id = producerId;
  streams_.insert(it, stream);
}

void ActiveSpeakerDetector::removeStream(uint32_t producerId) noexcept {
  auto it = std::lower_bound(streams_.begin(), streams_.end(), producerId,
                             [](const Stream& stream, uint32_t id) { return stream.id < id; });
  if (it == streams_.end() || it->id != producerId) return;
  streams_.erase(it);
  if (current_ == producerId) {
    current_.reset();
    replaceRemoved_ = true;
  }
}

ActiveSpeakerDetector::Stream* ActiveSpeakerDetector::find(uint32_t producerId) noexcept {
  auto it = std::lower_bound(streams_.begin(), streams_.end(), producerId,
                             [](const Stream& stream, uint32_t id) { return stream.id < id; });
  return it != streams_.end() && it->id == producerId ? &*it : nullptr;
}

int64_t ActiveSpeakerDetector::binOf(Clock::time_point now) noexcept {
  using Bins = std::chrono::duration<int64_t, std::ratio<1, 10>>;
  static_assert(std::chrono::duration_cast<Clock::duration>(Bins(1)) == kBinLength);
  return std::chrono::floor<Bins>(now.time_since_epoch()).count();
}

void ActiveSpeakerDetector::rollTo(Stream& stream, int64_t bin) noexcept {
  if (bin <= stream.bin) return;  // same bin, or the clock went backwards: stand still
  auto push = [&stream](uint8_t score, bool voiced) {
    stream.head = (stream.head + 1) % kMediumBins;
    stream.scores[stream.head] = score;
    stream.voicedBins[stream.head] = voiced;
  };
  const uint32_t mean = stream.packets == 0 ? 0 : stream.scoreSum / stream.packets;
  push(static_cast<uint8_t>(std::min<uint32_t>(mean, 255)),
       stream.packets > 0 && stream.voiced * 2 >= stream.packets);
  stream.packets = 0;
  stream.voiced = 0;
  stream.scoreSum = 0;
  const int64_t skipped = std::min<int64_t>(bin - stream.bin - 1, static_cast<int64_t>(kMediumBins));
  for (int64_t i = 0; i < skipped; ++i)
    push(0, false);
  stream.bin = bin;
}

void ActiveSpeakerDetector::onLevel(uint32_t producerId, uint8_t level, bool voiceActivity,
                                    Clock::time_point now) noexcept {
  Stream* stream = find(producerId);
  if (stream == nullptr) {
    ++counters_.unknownStreams;
    return;
  }
  ++counters_.levels;
  const int64_t bin = binOf(now);
  if (!stream->started) {
    stream->started = true;
    stream->bin = bin;
    stream->lastLevel = now;
  } else {
    rollTo(*stream, bin);
    stream->lastLevel = std::max(stream->lastLevel, now);
  }
  if (voiceActivity) stream->runsVad = true;
  level = std::min(level, kMaxLevel);
  const bool audible = level <= options_.silenceLevel && (!stream->runsVad || voiceActivity);
  const uint32_t score = audible ? static_cast<uint32_t>(options_.silenceLevel + 1 - level) : 0;
  if (stream->packets >= kMaxPacketsPerBin) return;
  ++stream->packets;
  if (score > 0) ++stream->voiced;
  stream->scoreSum += score;
}

ActiveSpeakerDetector::Activity ActiveSpeakerDetector::activity(const Stream& stream,
                                                                Clock::time_point now) const noexcept {
  Activity result;
  if (!stream.started || now - stream.lastLevel > options_.levelTimeout) return result;  // silent
  for (uint8_t score : stream.scores)
    result.medium += score;
  size_t voiced = 0;
  for (size_t back = 0; back < kShortBins; ++back)
    if (stream.voicedBins[(stream.head + kMediumBins - back) % kMediumBins]) ++voiced;
  result.speaking = voiced > 0;
  result.sustained = voiced == kShortBins;
  return result;
}

bool ActiveSpeakerDetector::better(const Activity& a, uint32_t aId, const Activity& b,
                                   uint32_t bId) noexcept {
  return a.medium > b.medium || (a.medium == b.medium && aId < bId);
}

std::optional<uint32_t> ActiveSpeakerDetector::become(uint32_t producerId, Clock::time_point now) noexcept {
  current_ = producerId;
  currentSince_ = now;
  for (Stream& stream : streams_)
    stream.leadSince.reset();
  ++counters_.speakerChanges;
  return producerId;
}

std::optional<uint32_t> ActiveSpeakerDetector::evaluate(Clock::time_point now) noexcept {
  const int64_t bin = binOf(now);
  for (Stream& stream : streams_)
    if (stream.started) rollTo(stream, bin);

  // No speaker: after a removal any speaking stream takes over; otherwise sustained speech is needed.
  if (!current_) {
    const bool replacing = replaceRemoved_;
    replaceRemoved_ = false;
    const Stream* best = nullptr;
    Activity bestActivity;
    for (const Stream& stream : streams_) {
      const Activity a = activity(stream, now);
      if (!(replacing ? a.speaking : a.sustained)) continue;
      if (best == nullptr || better(a, stream.id, bestActivity, best->id)) {
        best = &stream;
        bestActivity = a;
      }
    }
    if (best == nullptr) return std::nullopt;
    return become(best->id, now);
  }

  const Stream* speaker = find(*current_);
  if (speaker == nullptr) {  // not reachable: removeStream clears current_
    current_.reset();
    return std::nullopt;
  }
  const Activity speakerActivity = activity(*speaker, now);
  const auto margin = static_cast<uint32_t>(options_.switchMargin * kMediumBins);
  const bool held = now - currentSince_ >= options_.minHoldTime;
  const Stream* best = nullptr;
  Activity bestActivity;
  for (Stream& stream : streams_) {
    if (stream.id == *current_) continue;
    const Activity a = activity(stream, now);
    // Turn taking starts with sustained speech; pauses between words (speaking) keep the lead.
    const bool turn = !speakerActivity.speaking && (a.sustained || stream.leadSince.has_value());
    const bool leads = a.speaking && (a.medium > speakerActivity.medium + margin || turn);
    if (!leads) {
      stream.leadSince.reset();
      continue;
    }
    if (!stream.leadSince) stream.leadSince = now;
    if (!held || now - *stream.leadSince < options_.minSwitchInterval) continue;
    if (best == nullptr || better(a, stream.id, bestActivity, best->id)) {
      best = &stream;
      bestActivity = a;
    }
  }
  if (best == nullptr) return std::nullopt;
  return become(best->id, now);
}

}  // namespace switchyard::media::forward
