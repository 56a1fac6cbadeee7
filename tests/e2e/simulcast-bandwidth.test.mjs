// Simulcast under a downlink cap (issue 6): publisher a sends 1280x720 VP8 in three layers (q 320,
// h 640, f 1280; about 125 + 350 + 800 kbit/s of the fake camera); subscribers b and c both want the high layer.
// c's downlink is capped at kCapKbit (tc on lo: lib/bandwidth.mjs) while b's is not. The server's
// per-subscriber bandwidth estimate (from c's transport-cc feedback) must move c to the low layer
// (frameWidth <= 320) while b stays at 1280; c keeps decoding every second without a long freeze.
// Lifting the cap brings c back to 1280 within kUpMs. Across it all neither subscriber has decode
// errors (frames dropped, long freezes; PLIs counted and bounded).
// Needs root and tc (CI runs as root); fails with a clear message otherwise.
import assert from 'node:assert/strict';
import { e2eTest } from './lib/harness.mjs';
import { BandwidthLimit, udpPortOf } from './lib/bandwidth.mjs';
import { Sampler, kbps, publishSimulcast } from './lib/simulcast.mjs';

// Fits q, not h: the fake camera's layers measure q ~120-130, h ~300-380, f ~700-900 kbit/s (a's
// outbound-rtp bytesSent; Chromium's targets are 150/500/2500 but the picture is simple). At 400
// kbit/s h fits, and the server rightly forwards it.
const kCapKbit = 250;
const kLowMaxWidth = 320;
// From the first decoded frames to both subscribers on 1280 (uncapped).
const kStartMs = 40000;
const kHighWidth = 1280;
// From the cap to c on the low layer (the estimate has to see the queue grow and the losses).
// Measured 1.96-1.99 s in 12 runs (Release and ASan+UBSan servers); the bench saw up to 2.8 s.
const kDownMs = 8000;
// How long c is watched on the low layer, capped.
const kSteadyMs = 8000;
// From lifting the cap to c on 1280 (the estimate has to grow from ~250 kbit/s to above f's rate:
// probes, then 8%/s). Measured 2.0-7.1 s in 12 runs; the bench saw up to 6.9 s.
const kUpMs = 15000;
// Over the steady window c may freeze this long in all (a layer held at its keyframe, no more).
const kMaxSteadyFreezeS = 1.0;
// Frames dropped before decoding (incomplete after losses): b never loses a packet; c loses some
// at the cap before its estimate comes down (seen: 9).
const kMaxFramesDroppedB = 5;
const kMaxFramesDroppedC = 30;
// PLIs c may send over the whole test: each downswitch and upswitch, plus losses at the cap.
const kMaxPliC = 30;
const kMaxPliB = 3;

e2eTest(
  'simulcast bandwidth: a subscriber whose downlink is capped gets the low layer, lifting the cap brings the high layer back',
  async (h, t) => {
    const cap = BandwidthLimit.require();
    h.defer(() => cap.remove());
    const server = await h.startServer();
    const chromium = await h.chromium();
    const a = await chromium.newPeer(server, 'a');
    const b = await chromium.newPeer(server, 'b');
    const c = await chromium.newPeer(server, 'c');
    const room = h.room();
    a.peerId = (await a.join(room)).peerId;
    const pub = await a.evaluate(publishSimulcast);
    const trackId = pub.trackId;
    h.mark(`a published ${trackId}: capture ${JSON.stringify(pub.capture)}`);
    b.peerId = (await b.join(room)).peerId;
    c.peerId = (await c.join(room)).peerId;
    const expected = [{ peerId: a.peerId, kind: 'video', trackId, codec: 'VP8' }];
    await Promise.all([h.expectFlowing(b, expected, { timeoutMs: 40000 }), h.expectFlowing(c, expected, { timeoutMs: 40000 })]);

    const s = new Sampler(h, { a, b, c });
    const inb = (x, who) => x[who].inbound;
    const report = () => {
      t.diagnostic(`timeline: t  a rid:on|off/width/kbit/s/framesEncoded availableOutgoingBitrate  b and c: width kbit/s framesDecoded keyFramesDecoded pli dropped freezes lost; cap ${JSON.stringify(cap.counters())}`);
      for (const line of s.timeline()) t.diagnostic(line);
    };
    try {
      // ---- both on 1280 before the cap (a's own estimate lets it send f on loopback; the server's
      // estimates for b and c start low and grow)
      const both = await s.until((x) => inb(x, 'b') && inb(x, 'c') && inb(x, 'b').frameWidth === kHighWidth && inb(x, 'c').frameWidth === kHighWidth, kStartMs);
      assert.ok(both, `b and c should both receive ${kHighWidth} wide before the cap (a sends f?): ${JSON.stringify(s.last())}`);
      const start = both;
      const startMs = both.t - s.t0;
      h.mark(`b and c on ${kHighWidth} after ${startMs} ms of sampling`);

      // ---- cap c
      const port = await udpPortOf(h, c);
      cap.install(port, kCapKbit);
      const capAt = Date.now();
      h.mark(`c's downlink (udp port ${port}) capped at ${kCapKbit} kbit/s`);
      const down = await s.until((x) => inb(x, 'c') && inb(x, 'c').frameWidth > 0 && inb(x, 'c').frameWidth <= kLowMaxWidth, kDownMs);
      assert.ok(down, `c (capped at ${kCapKbit} kbit/s) still receives ${JSON.stringify(inb(s.last(), 'c'))} ${kDownMs} ms after the cap`);
      const downMs = down.t - capAt;
      h.mark(`c on ${inb(down, 'c').frameWidth} after ${downMs} ms`);

      // ---- steady, capped: c on low and decoding every second, b on 1280
      const steadyFrom = Date.now();
      const steadyStart = s.last();
      while (Date.now() - steadyFrom < kSteadyMs) {
        const x = await s.sample();
        const prev = s.samples[s.samples.length - 2];
        assert.ok(inb(x, 'c').frameWidth <= kLowMaxWidth, `c went back above the low layer under the cap at ${s.rel(x.t)} s: ${JSON.stringify(inb(x, 'c'))}`);
        assert.ok(inb(x, 'c').framesDecoded > inb(prev, 'c').framesDecoded, `c decoded no frame between ${s.rel(prev.t)} and ${s.rel(x.t)} s under the cap`);
        assert.equal(inb(x, 'b').frameWidth, kHighWidth, `b (not capped) left ${kHighWidth} at ${s.rel(x.t)} s`);
        assert.ok(inb(x, 'b').framesDecoded > inb(prev, 'b').framesDecoded, `b decoded no frame between ${s.rel(prev.t)} and ${s.rel(x.t)} s`);
      }
      const steadyEnd = s.last();
      const steadySecs = (steadyEnd.t - steadyStart.t) / 1000;
      const steadyFps = (inb(steadyEnd, 'c').framesDecoded - inb(steadyStart, 'c').framesDecoded) / steadySecs;
      const steadyFreeze = (inb(steadyEnd, 'c').totalFreezesDuration ?? 0) - (inb(steadyStart, 'c').totalFreezesDuration ?? 0);
      t.diagnostic(`capped: c on ${inb(steadyEnd, 'c').frameWidth} after ${downMs} ms, ${steadyFps.toFixed(1)} fps decoded, freezes ${steadyFreeze.toFixed(2)} s over ${steadySecs.toFixed(1)} s; limiter ${JSON.stringify(cap.counters())}`);
      assert.ok(steadyFps >= 5, `c decodes only ${steadyFps.toFixed(1)} fps on the low layer under the cap`);
      assert.ok(steadyFreeze <= kMaxSteadyFreezeS, `c froze ${steadyFreeze.toFixed(2)} s in ${steadySecs.toFixed(1)} s on the low layer under the cap`);

      // ---- lift the cap: c back to 1280
      cap.lift();
      const liftAt = Date.now();
      h.mark('cap lifted');
      const up = await s.until((x) => inb(x, 'c').frameWidth === kHighWidth, kUpMs);
      assert.ok(up, `c still receives ${JSON.stringify(inb(s.last(), 'c'))} ${kUpMs} ms after the cap was lifted`);
      const upMs = up.t - liftAt;
      h.mark(`c on ${kHighWidth} ${upMs} ms after the lift`);
      // A few more seconds on 1280, decoding.
      for (let i = 0; i < 3; i++) {
        const x = await s.sample();
        const prev = s.samples[s.samples.length - 2];
        assert.ok(inb(x, 'c').framesDecoded > inb(prev, 'c').framesDecoded, `c decoded no frame between ${s.rel(prev.t)} and ${s.rel(x.t)} s after the lift`);
      }
      const end = s.last();
      const d = (who, k) => (inb(end, who)[k] ?? 0) - (inb(start, who)[k] ?? 0);
      for (const who of ['b', 'c']) {
        t.diagnostic(
          `${who}: framesDecoded +${d(who, 'framesDecoded')}, keyFramesDecoded +${d(who, 'keyFramesDecoded')}, framesDropped +${d(who, 'framesDropped')}, ` +
            `pliCount +${d(who, 'pliCount')}, freezes +${d(who, 'freezeCount')} (${d(who, 'totalFreezesDuration').toFixed(2)} s), packetsLost +${d(who, 'packetsLost')}, nackCount +${d(who, 'nackCount')}`,
        );
      }
      t.diagnostic(`start: b and c on ${kHighWidth} ${startMs} ms after they decoded their first frames (bound ${kStartMs})`);
      t.diagnostic(`layer switch: down ${downMs} ms after the cap (bound ${kDownMs}), up ${upMs} ms after the lift (bound ${kUpMs}); a's available outgoing bitrate ${kbps(end.a.availableOutgoingBitrate)}`);
      assert.ok(d('b', 'framesDropped') <= kMaxFramesDroppedB, `b (not capped) dropped ${d('b', 'framesDropped')} frames`);
      assert.ok(d('c', 'framesDropped') <= kMaxFramesDroppedC, `c dropped ${d('c', 'framesDropped')} frames`);
      assert.ok(d('c', 'keyFramesDecoded') >= 2, `c switched down and up without decoding keyframes: +${d('c', 'keyFramesDecoded')}`);
      assert.ok(d('c', 'pliCount') <= kMaxPliC, `c sent ${d('c', 'pliCount')} PLIs`);
      assert.ok(d('b', 'pliCount') <= kMaxPliB, `b (not capped) sent ${d('b', 'pliCount')} PLIs`);
      assert.equal(d('b', 'freezeCount'), 0, 'b (not capped) froze');
    } finally {
      report();
      cap.remove();
    }
  },
  { timeoutMs: 200000 },
);

