// Temporal layers (issue 6): a subscriber that asks for temporalLayer 0 (setLayer) receives only the
// base temporal layer of a's video: about a quarter of the frame rate with Chromium's three temporal
// layers (pattern 0-2-1-2), decoded without errors; asking for all layers again brings the full rate
// back (at the next layer sync frame). Run for a VP9 L3T3_KEY publication (one SVC stream) and for a
// VP8 simulcast publication (Chromium encodes each simulcast layer as L1T3). b keeps the default
// (all layers) as the reference frame rate.
import assert from 'node:assert/strict';
import { delay, e2eTest } from './lib/harness.mjs';

const kMaxFramesDropped = 10;
const kMaxFreezes = 3;

async function publishVideo([codec, sendEncodings]) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { width: 1280, height: 720 } });
  window.sy.localStreams.push(stream);
  const track = stream.getVideoTracks()[0];
  return window.sy.client.publish(track, { source: 'camera', stream, codec, sendEncodings });
}

async function inbound() {
  for (const t of window.sy.client.remoteTracks.values()) {
    if (t.kind !== 'video' || !t.transceiver || !t.track || t.track.readyState !== 'live') continue;
    let out = null;
    (await t.transceiver.receiver.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp') {
        out = {
          framesDecoded: s.framesDecoded,
          framesDropped: s.framesDropped,
          freezeCount: s.freezeCount,
          keyFramesDecoded: s.keyFramesDecoded,
          frameWidth: s.frameWidth,
          packetsLost: s.packetsLost,
          nackCount: s.nackCount,
        };
      }
    });
    if (out) return out;
  }
  return null;
}

async function run(h, t, codec, sendEncodings, layer) {
  const server = await h.startServer();
  const chromium = await h.chromium();
  const a = await chromium.newPeer(server, 'a');
  const b = await chromium.newPeer(server, 'b');
  const c = await chromium.newPeer(server, 'c');
  const room = h.room();
  a.peerId = (await a.join(room)).peerId;
  await b.join(room);
  await c.join(room);
  const trackId = await a.evaluate(publishVideo, [codec, sendEncodings]);
  const expected = [{ peerId: a.peerId, kind: 'video', trackId, codec }];
  await Promise.all([h.expectFlowing(b, expected, { timeoutMs: 40000 }), h.expectFlowing(c, expected, { timeoutMs: 40000 })]);

  const samples = [];
  const sample = async () => {
    const prev = samples[samples.length - 1];
    if (prev) await delay(Math.max(0, prev.t + 1000 - Date.now()));
    server.checkAlive();
    const [sb, sc] = await Promise.all([b.evaluate(inbound), c.evaluate(inbound)]);
    assert.ok(sb && sc, `a subscriber lost a's video: ${JSON.stringify({ sb, sc })}`);
    const s = { t: Date.now(), b: sb, c: sc };
    samples.push(s);
    return s;
  };
  // Frames per second decoded over the last `n` sample intervals.
  const fps = (who, n) => {
    const last = samples[samples.length - 1];
    const first = samples[Math.max(0, samples.length - 1 - n)];
    return ((last[who].framesDecoded - first[who].framesDecoded) * 1000) / Math.max(1, last.t - first.t);
  };
  const checkDecoding = (from, what) => {
    const list = samples.filter((s) => s.t >= from);
    for (let i = 1; i < list.length; i++) {
      for (const who of ['b', 'c']) {
        assert.ok(list[i][who].framesDecoded > list[i - 1][who].framesDecoded, `${what}: ${who} decoded no frame in a second: ${JSON.stringify([list[i - 1][who], list[i][who]])}`);
      }
    }
  };

  // Everything first, then c on temporal layer 0, then everything again.
  for (let i = 0; i < 4; ++i) await sample();
  const full = { b: fps('b', 3), c: fps('c', 3) };
  await c.evaluate(([id, l]) => window.sy.client.setLayer(id, l, { temporalLayer: 0 }), [trackId, layer]);
  const downAt = Date.now();
  await sample();
  for (let i = 0; i < 5; ++i) await sample();
  const base = { b: fps('b', 5), c: fps('c', 5) };
  checkDecoding(downAt, 'temporal layer 0');
  await c.evaluate(([id, l]) => window.sy.client.setLayer(id, l, { temporalLayer: 7 }), [trackId, layer]);
  const upAt = Date.now();
  let upAfter = null;
  for (let i = 0; i < 10; ++i) {
    await sample();
    if (upAfter === null && samples.length >= 3 && fps('c', 2) > 0.75 * fps('b', 2)) upAfter = Date.now() - upAt;
    if (upAfter !== null && Date.now() - upAt > 4000) break;
  }
  const again = { b: fps('b', 3), c: fps('c', 3) };
  checkDecoding(upAt, 'all temporal layers again');
  const first = samples[0];
  const last = samples[samples.length - 1];
  const d = (who, k) => (last[who][k] ?? 0) - (first[who][k] ?? 0);
  t.diagnostic(
    `${codec}: frames per second decoded, b (all) / c: all ${full.b.toFixed(1)}/${full.c.toFixed(1)}, ` +
      `c on temporal layer 0 ${base.b.toFixed(1)}/${base.c.toFixed(1)}, all again ${again.b.toFixed(1)}/${again.c.toFixed(1)} ` +
      `(c back ${upAfter === null ? 'never' : `${(upAfter / 1000).toFixed(1)} s`} after asking); ` +
      `c: framesDropped +${d('c', 'framesDropped')}, freezes +${d('c', 'freezeCount')}, keyFramesDecoded +${d('c', 'keyFramesDecoded')}, ` +
      `packetsLost +${d('c', 'packetsLost')}, nackCount +${d('c', 'nackCount')} (b +${d('b', 'nackCount')}), width ${last.c.frameWidth}`,
  );
  assert.ok(full.c > 0.75 * full.b, `c decodes ${full.c.toFixed(1)} fps with all layers, b ${full.b.toFixed(1)}`);
  assert.ok(base.c < 0.5 * base.b && base.c > 0, `c asked for temporal layer 0 and decodes ${base.c.toFixed(1)} fps, b ${base.b.toFixed(1)}`);
  assert.ok(upAfter !== null, `c asked for all temporal layers again but decodes ${again.c.toFixed(1)} fps, b ${again.b.toFixed(1)}`);
  assert.ok(d('c', 'framesDropped') <= kMaxFramesDropped, `c dropped ${d('c', 'framesDropped')} frames`);
  assert.ok(d('c', 'freezeCount') <= kMaxFreezes, `c froze ${d('c', 'freezeCount')} times`);
  // Dropped frames must leave no holes in the sequence numbers: c NACKs no more than b (real loss).
  assert.ok(d('c', 'nackCount') <= d('b', 'nackCount') + 2, `c NACKed ${d('c', 'nackCount')} times, b ${d('b', 'nackCount')}: holes in the sequence numbers?`);
}

e2eTest('temporal layers: VP9 L3T3_KEY, a subscriber at temporal layer 0 decodes the base frame rate', (h, t) => run(h, t, 'VP9', [{ scalabilityMode: 'L3T3_KEY' }], 'high'), {
  timeoutMs: 90000,
});

e2eTest(
  'temporal layers: VP8 simulcast (L1T3 layers), a subscriber at temporal layer 0 decodes the base frame rate',
  (h, t) =>
    run(
      h,
      t,
      'VP8',
      [
        { rid: 'q', scaleResolutionDownBy: 4 },
        { rid: 'h', scaleResolutionDownBy: 2 },
        { rid: 'f' },
      ],
      'low',
    ),
  { timeoutMs: 90000 },
);
