// Simulcast layers nobody receives are switched off at the publisher (issue 6): publisher a sends
// 1280x720 VP8 in three layers (q, h, f); when every subscriber (b, c) asks for 'low', the server
// tells a (`encodings`, docs/protocol.md) and the client module sets h and f inactive with
// setParameters: a's getParameters shows active=false for them and their framesEncoded stop, while
// q goes on and b and c keep decoding. When b asks for 'high' again, f comes back on and b gets
// 1280 within kOnMs, with no decode errors; c stays on the low layer. In between a renegotiates
// (publishes audio) with h and f off: they stay layers of the track (Chromium offers them paused).
import assert from 'node:assert/strict';
import { e2eTest } from './lib/harness.mjs';
import { Sampler, publishSimulcast } from './lib/simulcast.mjs';

const kLowMaxWidth = 320;
const kHighWidth = 1280;
// From the last setLayer('low') to h and f inactive at a (the server waits a while before it
// switches a layer off, so subscribers moving between layers do not toggle the encoder: 5 s,
// rtc.simulcast_layer_off_delay_ms). Measured 5.03-5.04 s.
const kOffMs = 10000;
// From setLayer('high') to f active at a and b decoding 1280 (a layer goes on at once; the encoder
// restarts it with a keyframe). Measured 1.0 s (f on) and 1.0 s (b decoding 1280).
const kOnMs = 5000;
const kMaxFramesDropped = 10;

// a's sender encodings: [{rid, active}] (runs in the page).
function senderEncodings(trackId) {
  const t = window.sy.client.localTracks.get(trackId);
  return t.transceiver.sender.getParameters().encodings.map((e) => ({ rid: e.rid, active: e.active }));
}

e2eTest(
  'simulcast encodings: layers no subscriber receives are switched off at the publisher and back on when needed',
  async (h, t) => {
    const server = await h.startServer();
    const chromium = await h.chromium();
    const a = await chromium.newPeer(server, 'a');
    const b = await chromium.newPeer(server, 'b');
    const c = await chromium.newPeer(server, 'c');
    const room = h.room();
    a.peerId = (await a.join(room)).peerId;
    const pub = await a.evaluate(publishSimulcast);
    const trackId = pub.trackId;
    h.mark(`a published ${trackId}: ${JSON.stringify(pub.encodings)}`);
    b.peerId = (await b.join(room)).peerId;
    c.peerId = (await c.join(room)).peerId;
    const expected = [{ peerId: a.peerId, kind: 'video', trackId, codec: 'VP8' }];
    await Promise.all([h.expectFlowing(b, expected, { timeoutMs: 40000 }), h.expectFlowing(c, expected, { timeoutMs: 40000 })]);

    const s = new Sampler(h, { a, b, c });
    const inb = (x, who) => x[who].inbound;
    const isActive = (encodings, rid) => encodings.find((e) => e.rid === rid)?.active;
    try {
      // ---- all three layers are sent at first (someone wants high)
      const allOn = await s.until((x) => ['q', 'h', 'f'].every((rid) => s.samples.length >= 2 && Sampler.encoded(s.samples[s.samples.length - 2], x, 'a', rid) > 0), 15000);
      assert.ok(allOn, `a does not send all of q, h, f at first: ${JSON.stringify(s.last().a.outbound)}`);
      assert.deepEqual(await a.evaluate(senderEncodings, trackId), [
        { rid: 'q', active: true },
        { rid: 'h', active: true },
        { rid: 'f', active: true },
      ]);

      // ---- everybody on low: h and f go off
      await Promise.all([b.evaluate((id) => window.sy.client.setLayer(id, 'low'), trackId), c.evaluate((id) => window.sy.client.setLayer(id, 'low'), trackId)]);
      const lowAt = Date.now();
      h.mark('b and c set layer low');
      let encodings;
      const off = await s.until(async () => {
        encodings = await a.evaluate(senderEncodings, trackId);
        return isActive(encodings, 'h') === false && isActive(encodings, 'f') === false;
      }, kOffMs);
      assert.ok(off, `a's h and f encodings still active ${kOffMs} ms after every subscriber asked for low: ${JSON.stringify(encodings)}; a's events ${JSON.stringify(await a.events('encodings'))}`);
      const offMs = off.t - lowAt;
      assert.equal(isActive(encodings, 'q'), true, `the low layer went off: ${JSON.stringify(encodings)}`);
      const offEvents = await a.events('encodings');
      assert.ok(offEvents.some((e) => e.detail.trackId === trackId && e.detail.active.h === false && e.detail.active.f === false), `no 'encodings' event for the switch-off: ${JSON.stringify(offEvents)}`);
      h.mark(`h and f inactive at a ${offMs} ms after setLayer low`);
      // Over the next 3 s: a encodes q only, b and c decode the low layer every second.
      await s.sample(); // the first interval may still hold the last frames of h and f
      const quietFrom = s.last();
      for (let i = 0; i < 3; i++) {
        const x = await s.sample();
        const prev = s.samples[s.samples.length - 2];
        for (const who of ['b', 'c']) {
          assert.ok(inb(x, who).framesDecoded > inb(prev, who).framesDecoded, `${who} decoded no frame between ${s.rel(prev.t)} and ${s.rel(x.t)} s with h and f off`);
          assert.ok(inb(x, who).frameWidth <= kLowMaxWidth, `${who} receives ${inb(x, who).frameWidth} wide on low`);
        }
      }
      const quietTo = s.last();
      assert.ok(Sampler.encoded(quietFrom, quietTo, 'a', 'q') > 0, 'a stopped encoding q');
      for (const rid of ['h', 'f']) {
        assert.equal(Sampler.encoded(quietFrom, quietTo, 'a', rid), 0, `a still encodes ${rid} after it went inactive: ${JSON.stringify(quietTo.a.outbound)}`);
      }

      // ---- a renegotiates with h and f off (it publishes audio too): Chromium's offer marks them
      // paused (a=simulcast:send q;~h;~f); they must stay layers of the track (answered paused), or
      // they could never come back.
      const n0 = (await a.summary()).negotiations;
      await a.call('publish', { audio: true, video: false });
      await h.waitFor('a to renegotiate', async () => (await a.summary()).negotiations > n0);
      const lastAnswer = await a.evaluate(() => window.sy.signaling.filter((m) => m.dir === 'in' && m.data.includes('"answer"')).pop().data);
      const simulcastLine = (JSON.parse(lastAnswer).sdp.match(/a=simulcast:[^\r\n]*/) || ['none'])[0];
      h.mark(`a renegotiated with h and f off: answer ${simulcastLine}`);
      assert.match(simulcastLine, /^a=simulcast:recv q;~?h;~?f$/, 'the answer to a\'s offer with h and f paused dropped layers');
      encodings = await a.evaluate(senderEncodings, trackId);
      assert.deepEqual(encodings, [{ rid: 'q', active: true }, { rid: 'h', active: false }, { rid: 'f', active: false }], 'a\'s encodings after the renegotiation');
      await s.sample();

      // ---- b wants high again: f comes back on, b gets 1280
      const before = s.last();
      await b.evaluate((id) => window.sy.client.setLayer(id, 'high'), trackId);
      const highAt = Date.now();
      h.mark('b set layer high');
      let fOnMs = null;
      const bHigh = await s.until(async (x) => {
        if (fOnMs === null && isActive(await a.evaluate(senderEncodings, trackId), 'f')) fOnMs = Date.now() - highAt;
        return inb(x, 'b').frameWidth === kHighWidth;
      }, kOnMs);
      encodings = await a.evaluate(senderEncodings, trackId);
      assert.ok(fOnMs !== null || isActive(encodings, 'f'), `a's f encoding still inactive ${kOnMs} ms after b asked for high: ${JSON.stringify(encodings)}`);
      assert.ok(bHigh, `b asked for high but receives ${JSON.stringify(inb(s.last(), 'b'))} ${kOnMs} ms later (a: ${JSON.stringify(encodings)})`);
      const bHighMs = bHigh.t - highAt;
      h.mark(`f active at a after ${fOnMs} ms, b on ${kHighWidth} after ${bHighMs} ms`);
      for (let i = 0; i < 2; i++) {
        const x = await s.sample();
        const prev = s.samples[s.samples.length - 2];
        assert.ok(inb(x, 'b').framesDecoded > inb(prev, 'b').framesDecoded, `b decoded no frame between ${s.rel(prev.t)} and ${s.rel(x.t)} s on high`);
        assert.ok(inb(x, 'c').frameWidth <= kLowMaxWidth, `c (low) receives ${inb(x, 'c').frameWidth} wide after b went high`);
      }
      const end = s.last();
      const first = s.samples[0];
      const d = (from, who, k) => (inb(end, who)[k] ?? 0) - (inb(from, who)[k] ?? 0);
      t.diagnostic(`a renegotiated with h and f off: answer ${simulcastLine}`);
      t.diagnostic(`h and f off ${offMs} ms after every subscriber asked for low (bound ${kOffMs}); f back on ${fOnMs} ms and b on ${kHighWidth} ${bHighMs} ms after b asked for high (bound ${kOnMs}); h ${isActive(encodings, 'h') ? 'on' : 'off'} at the end`);
      for (const who of ['b', 'c']) {
        t.diagnostic(`${who}: framesDropped +${d(first, who, 'framesDropped')}, keyFramesDecoded +${d(first, who, 'keyFramesDecoded')}, pliCount +${d(first, who, 'pliCount')}, freezes +${d(first, who, 'freezeCount')}`);
        assert.ok(d(first, who, 'framesDropped') <= kMaxFramesDropped, `${who} dropped ${d(first, who, 'framesDropped')} frames`);
      }
      assert.ok(d(before, 'b', 'keyFramesDecoded') > 0, 'b went up to f without decoding a keyframe');
      t.diagnostic(`a's encodings events: ${JSON.stringify((await a.events('encodings')).map((e) => e.detail))}`);
    } finally {
      t.diagnostic('timeline: t  a rid:on|off/width/kbit/s/framesEncoded availableOutgoingBitrate  b and c: width kbit/s framesDecoded keyFramesDecoded pli dropped freezes lost');
      for (const line of s.timeline()) t.diagnostic(line);
    }
  },
  { timeoutMs: 150000 },
);
