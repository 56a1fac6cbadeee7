#pragma once
// Active (dominant) speaker detection for one room, from the RFC 6464 client-to-mixer audio level
// header extension of each publisher's audio (§3: level 0..127 in -dBov, 0 loudest, 127 silence;
// V = the sender's voice activity flag). A pure state machine with injected time: the router feeds
// it every level it sees (onLevel) and asks it every ~100 ms (evaluate) whether the speaker changed.
// No allocation after addStream, no exceptions, no logging, no locks on the data plane.
//
// Algorithm
//  - Score of one packet: the loudness above the silence floor, silenceLevel + 1 - level (1..128),
//    or 0 (silence) when the level is quieter than Options::silenceLevel. A stream that has ever
//    set the V flag is taken to run voice activity detection, so its packets with V = 0 score 0;
//    a stream that never sets it (RFC 6464 §4 vad=off) is judged on the level alone.
//  - Time is cut into 100 ms bins aligned on the clock. Per stream, a bin records the mean score of
//    the packets received in it (a bin without packets, e.g. Opus DTX, is silence), and whether it
//    is voiced: at least half of its packets scored above 0. A ring keeps the last kMediumBins
//    (1.5 s) completed bins; only completed bins count, so every stream is judged on the same bins
//    whenever evaluate is called.
//  - Short term (the last kShortBins = 300 ms): a stream is "speaking" when one of these bins is
//    voiced, and has "sustained speech" when all of them are. Medium term (1.5 s): "activity" is the
//    sum of the bin scores (mean loudness above the floor times bins). A stream with no packet for
//    Options::levelTimeout (1 s) is silent in both.
//  - No current speaker: the stream with sustained speech and the highest activity becomes the
//    speaker (ties: lower producer id).
//  - A current speaker: a speaking stream "leads" while its activity exceeds the speaker's by
//    Options::switchMargin (in mean score units, i.e. about dB, over the 1.5 s window), or, for turn
//    taking, while the speaker is not speaking and it is (a lead of this kind starts with sustained
//    speech; pauses between words shorter than the short window keep it). The speaker is replaced
//    by the leader with the highest activity whose lead has lasted Options::minSwitchInterval
//    without a break (as seen by evaluate), once the speaker has held the role for
//    Options::minHoldTime. A blip shorter than the short window plus the switch interval
//    (a 150 ms cough) never switches: it is never sustained, and it stops speaking too soon.
//  - Silence keeps the last speaker: current() is not cleared when everyone stops talking, so
//    subscribers keep showing the last person who spoke (what conference UIs expect) until someone
//    else talks.
//  - removeStream of the speaker clears current() at once; the next evaluate names the speaking
//    stream with the highest activity (no hold or lead needed), or leaves it empty when nobody
//    speaks, and the first sustained speech then decides as above.
//  - evaluate may be called at any cadence: bins come from the clock, and a stream whose last bin
//    is far behind is rolled forward by at most the ring size. A clock that goes backwards (never,
//    with steady_clock) is treated as standing still.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "media/transport/TransportTypes.h"

namespace switchyard::media::forward {

class ActiveSpeakerDetector {
 public:
  using Clock = transport::Clock;

  static constexpr Clock::duration kBinLength = std::chrono::milliseconds(100);
  static constexpr size_t kShortBins = 3;    // 300 ms
  static constexpr size_t kMediumBins = 15;  // 1.5 s

  struct Options {
    uint8_t silenceLevel = 70;  // -dBov; quieter levels (greater numbers) are silence; at most 127
    uint8_t switchMargin = 6;   // mean score lead over the medium window needed to challenge
    Clock::duration minSwitchInterval = std::chrono::milliseconds(700);
    Clock::duration minHoldTime = std::chrono::seconds(1);
    Clock::duration levelTimeout = std::chrono::seconds(1);  // no level for this long: silent
  };

  struct Counters {
    uint64_t levels = 0;          // onLevel calls for a known stream
    uint64_t unknownStreams = 0;  // onLevel calls for an id not added (ignored)
    uint64_t speakerChanges = 0;  // evaluate results (new speakers)
  };

  ActiveSpeakerDetector() : ActiveSpeakerDetector(Options{}) {}
  explicit ActiveSpeakerDetector(const Options& options);

  // Control plane (may allocate). Adding an id twice is a no-op; removing an unknown id too.
  void addStream(uint32_t producerId);
  void removeStream(uint32_t producerId) noexcept;

  // Data plane: one RFC 6464 level of `producerId`'s audio. Unknown ids are ignored; levels above
  // 127 count as 127.
  void onLevel(uint32_t producerId, uint8_t level, bool voiceActivity, Clock::time_point now) noexcept;

  // Call every ~100 ms: the new speaker's producer id when the active speaker changed, else nullopt.
  std::optional<uint32_t> evaluate(Clock::time_point now) noexcept;

  [[nodiscard]] std::optional<uint32_t> current() const noexcept { return current_; }
  [[nodiscard]] size_t streamCount() const noexcept { return streams_.size(); }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }
  [[nodiscard]] const Options& options() const noexcept { return options_; }

 private:
  struct Stream {
    uint32_t id = 0;
    bool started = false;                       // a level was seen, `bin` is valid
    bool runsVad = false;                       // the V flag was seen set: V = 0 means silence
    int64_t bin = 0;                            // index of the bin being accumulated
    uint32_t packets = 0;                       // in the bin being accumulated
    uint32_t voiced = 0;                        // of which scored above 0
    uint32_t scoreSum = 0;                      // their scores
    size_t head = 0;                            // ring slot of the most recent completed bin
    std::array<uint8_t, kMediumBins> scores{};  // mean score per completed bin
    std::array<bool, kMediumBins> voicedBins{};
    Clock::time_point lastLevel{};
    std::optional<Clock::time_point> leadSince;  // leading the current speaker since
  };

  // What evaluate sees of one stream.
  struct Activity {
    uint32_t medium = 0;  // sum of the medium window's bin scores
    bool speaking = false;
    bool sustained = false;
  };

  Stream* find(uint32_t producerId) noexcept;
  // Closes the bins before `bin`: the accumulated one into the ring, the skipped ones as silence.
  static void rollTo(Stream& stream, int64_t bin) noexcept;
  [[nodiscard]] Activity activity(const Stream& stream, Clock::time_point now) const noexcept;
  [[nodiscard]] static bool better(const Activity& a, uint32_t aId, const Activity& b, uint32_t bId) noexcept;
  [[nodiscard]] static int64_t binOf(Clock::time_point now) noexcept;
  std::optional<uint32_t> become(uint32_t producerId, Clock::time_point now) noexcept;

  Options options_;
  std::vector<Stream> streams_;  // sorted by id
  std::optional<uint32_t> current_;
  Clock::time_point currentSince_{};
  bool replaceRemoved_ = false;  // the speaker was removed: replace it at the next evaluate
  Counters counters_;
};

}  // namespace switchyard::media::forward
