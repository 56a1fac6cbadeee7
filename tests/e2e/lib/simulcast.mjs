// Simulcast helpers shared by the simulcast end-to-end tests and benches. The functions run in the
// page (peer.evaluate(fn)): they must stay self-contained.

// a's publication: 1280x720 from the fake camera, three VP8 encodings. Runs in the page.
export async function publishSimulcast() {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { width: 1280, height: 720 } });
  window.sy.localStreams.push(stream);
  const track = stream.getVideoTracks()[0];
  const settings = track.getSettings();
  const trackId = await window.sy.client.publish(track, {
    source: 'camera',
    stream,
    codec: 'VP8',
    sendEncodings: [
      { rid: 'q', scaleResolutionDownBy: 4 },
      { rid: 'h', scaleResolutionDownBy: 2 },
      { rid: 'f' },
    ],
  });
  const t = window.sy.client.localTracks.get(trackId) || [...window.sy.client.localTracks.values()].find((x) => x.trackId === trackId);
  const params = t && t.transceiver ? t.transceiver.sender.getParameters() : null;
  return {
    trackId,
    capture: { width: settings.width, height: settings.height, frameRate: settings.frameRate, label: track.label },
    encodings: params ? params.encodings.map((e) => ({ rid: e.rid, active: e.active, scaleResolutionDownBy: e.scaleResolutionDownBy })) : null,
  };
}

// The video RTP stats of a page: the inbound-rtp of its subscribed video and the outbound-rtp per
// rid of its published video, plus the available outgoing bitrate. Runs in the page.
export async function videoStats() {
  const c = window.sy.client;
  const pick = (s, keys) => Object.fromEntries(keys.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
  const out = { at: Date.now(), inbound: null, outbound: [], availableOutgoingBitrate: undefined };
  for (const t of c.remoteTracks.values()) {
    if (t.kind !== 'video' || !t.transceiver || !t.track || t.track.readyState !== 'live') continue;
    (await t.transceiver.receiver.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      out.inbound = pick(s, [
        'ssrc',
        'packetsReceived',
        'bytesReceived',
        'packetsLost',
        'framesReceived',
        'framesDecoded',
        'framesDropped',
        'keyFramesDecoded',
        'freezeCount',
        'totalFreezesDuration',
        'nackCount',
        'pliCount',
        'firCount',
        'frameWidth',
        'frameHeight',
        'framesPerSecond',
      ]);
    });
  }
  for (const t of c.localTracks.values()) {
    if (t.kind !== 'video' || !t.transceiver) continue;
    (await t.transceiver.sender.getStats()).forEach((s) => {
      if (s.type !== 'outbound-rtp') return;
      out.outbound.push(
        pick(s, [
          'rid',
          'ssrc',
          'active',
          'frameWidth',
          'frameHeight',
          'framesEncoded',
          'keyFramesEncoded',
          'framesSent',
          'bytesSent',
          'framesPerSecond',
          'targetBitrate',
          'qualityLimitationReason',
          'pliCount',
          'firCount',
          'nackCount',
          'scalabilityMode',
          'encoderImplementation',
        ]),
      );
    });
  }
  if (c.pc) {
    (await c.pc.getStats()).forEach((s) => {
      if (s.type === 'candidate-pair' && s.nominated && s.availableOutgoingBitrate !== undefined) out.availableOutgoingBitrate = s.availableOutgoingBitrate;
    });
  }
  out.outbound.sort((x, y) => String(x.rid).localeCompare(String(y.rid)));
  return out;
}

// Kilobits per second for diagnostics ('?' when unknown).
export const kbps = (b) => (b === undefined ? '?' : `${Math.round(b / 1000)}k`);

// Once-a-second samples of videoStats in several pages ({label: peer}): publishers' outbound per rid,
// subscribers' inbound. sample() waits until a second after the previous one; until() samples until
// pred(sample) holds or timeoutMs passed (returns the sample, or null).
export class Sampler {
  constructor(h, peers, { intervalMs = 1000 } = {}) {
    this.h = h;
    this.peers = peers;
    this.intervalMs = intervalMs;
    this.samples = []; // {t, [label]: videoStats}
    this.t0 = Date.now();
  }

  rel(ms) {
    return ((ms - this.t0) / 1000).toFixed(1);
  }

  last() {
    return this.samples[this.samples.length - 1];
  }

  async sample() {
    const prev = this.last();
    if (prev) await new Promise((r) => setTimeout(r, Math.max(0, prev.t + this.intervalMs - Date.now())));
    if (this.h.server) this.h.server.checkAlive();
    const labels = Object.keys(this.peers);
    const stats = await Promise.all(labels.map((l) => this.peers[l].evaluate(videoStats)));
    const s = { t: Date.now() };
    labels.forEach((l, i) => {
      s[l] = stats[i];
    });
    this.samples.push(s);
    return s;
  }

  async until(pred, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.sample();
      if (await pred(s)) return s;
      if (Date.now() > deadline) return null;
    }
  }

  // The samples taken at or after `from` (ms since the epoch).
  since(from) {
    return this.samples.filter((s) => s.t >= from);
  }

  // Frames `rid` of publisher `label` encoded between two samples.
  static encoded(prev, cur, label, rid) {
    const p = prev[label].outbound.find((o) => o.rid === rid);
    const q = cur[label].outbound.find((o) => o.rid === rid);
    return ((q && q.framesEncoded) ?? 0) - ((p && p.framesEncoded) ?? 0);
  }

  // One line per sample: each page's inbound width/frames/keyframes/pli/dropped/freezes and each
  // publisher's rids width/framesEncoded.
  // Rates (kbit/s) are over the interval since the previous sample.
  timeline() {
    return this.samples.map((s, i) => {
      const prev = i > 0 ? this.samples[i - 1] : null;
      const rate = (now, before) => (prev && before !== undefined && now !== undefined ? Math.round(((now - before) * 8) / (s.t - prev.t)) : '?');
      const parts = [this.rel(s.t).padStart(6)];
      for (const l of Object.keys(this.peers)) {
        const v = s[l];
        if (v.inbound) {
          const x = v.inbound;
          const r = rate(x.bytesReceived, prev && prev[l].inbound ? prev[l].inbound.bytesReceived : undefined);
          parts.push(`${l} ${x.frameWidth ?? 0}w ${r}k ${x.framesDecoded}f ${x.keyFramesDecoded}k pli${x.pliCount} drop${x.framesDropped} frz${x.freezeCount} lost${x.packetsLost}`);
        }
        if (v.outbound.length) {
          const layers = v.outbound.map((o) => {
            const p = prev ? prev[l].outbound.find((q) => q.rid === o.rid) : null;
            return `${o.rid}:${o.active === false ? 'off' : 'on'}/${o.frameWidth ?? 0}/${rate(o.bytesSent, p ? p.bytesSent : undefined)}k/${o.framesEncoded ?? 0}f`;
          });
          parts.push(`${l} ${layers.join(' ')} ${kbps(v.availableOutgoingBitrate)}`);
        }
      }
      return parts.join('  ');
    });
  }
}
