// VP9 SVC (issue 6): publisher a captures 1280x720 from Chromium's fake camera and publishes VP9 with
// scalabilityMode 'L3T3_KEY' (one RTP stream, three spatial layers 320x180, 640x360, 1280x720, three
// temporal layers, upper spatial layers predicted from lower ones only at key pictures). b subscribes
// with the default layer (high: all spatial layers), c asks for 'low' (spatial layer 0) right after
// join. c must decode <= 320 wide, b wider whenever a encodes an upper spatial layer. Then c switches
// to 'high' and b to 'low': b drops to <= 320 at once (at the next picture), c grows at the next key
// picture (the server asks for one) if a sends upper layers; both keep decoding every second, with
// (almost) no dropped frames. Chromium encodes its upper spatial layers only when its bandwidth
// estimate allows: what depends on that is asserted only when a reports a frame width above 320.
// Also reported: a's scalabilityMode and encoded size, and both subscribers' widths over time.
import assert from 'node:assert/strict';
import { delay, e2eTest } from './lib/harness.mjs';
import { kbps, videoStats } from './lib/simulcast.mjs';

const kLowMaxWidth = 320;
const kMaxFramesDropped = 10;
const kMaxFreezes = 2;

// a's publication: 1280x720 from the fake camera, VP9 L3T3_KEY. Runs in the page.
async function publishSvc() {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { width: 1280, height: 720 } });
  window.sy.localStreams.push(stream);
  const track = stream.getVideoTracks()[0];
  const settings = track.getSettings();
  const trackId = await window.sy.client.publish(track, {
    source: 'camera',
    stream,
    codec: 'VP9',
    sendEncodings: [{ scalabilityMode: 'L3T3_KEY' }],
  });
  const t = window.sy.client.localTracks.get(trackId) || [...window.sy.client.localTracks.values()].find((x) => x.trackId === trackId);
  const params = t && t.transceiver ? t.transceiver.sender.getParameters() : null;
  return {
    trackId,
    capture: { width: settings.width, height: settings.height, frameRate: settings.frameRate },
    encodings: params ? params.encodings.map((e) => ({ rid: e.rid, active: e.active, scalabilityMode: e.scalabilityMode })) : null,
  };
}


e2eTest(
  'svc: VP9 L3T3_KEY, a subscriber on the low layer decodes the smallest spatial layer, switching causes no decode errors',
  async (h, t) => {
    const server = await h.startServer();
    const chromium = await h.chromium();
    const a = await chromium.newPeer(server, 'a');
    const b = await chromium.newPeer(server, 'b');
    const c = await chromium.newPeer(server, 'c');
    const room = h.room();
    a.peerId = (await a.join(room)).peerId;
    b.peerId = (await b.join(room)).peerId;
    const pub = await a.evaluate(publishSvc);
    const trackId = pub.trackId;
    h.mark(`a published ${trackId}: capture ${JSON.stringify(pub.capture)}, encodings ${JSON.stringify(pub.encodings)}`);
    const cJoin = await c.evaluate(
      async ([roomName, id]) => {
        const joined = await window.sy.join(roomName, { name: 'c' });
        await window.sy.client.setLayer(id, 'low');
        return { peerId: joined.peerId, known: joined.tracks.map((x) => x.trackId) };
      },
      [room, trackId],
    );
    c.peerId = cJoin.peerId;
    assert.ok(cJoin.known.includes(trackId), `c's join reply does not list ${trackId}: ${JSON.stringify(cJoin)}`);

    const expected = [{ peerId: a.peerId, kind: 'video', trackId, codec: 'VP9' }];
    const [fb, fc] = await Promise.all([h.expectFlowing(b, expected, { timeoutMs: 40000 }), h.expectFlowing(c, expected, { timeoutMs: 40000 })]).catch(async (e) => {
      const sa = await a.evaluate(videoStats).catch((x) => String(x));
      e.message += `\na's video: ${JSON.stringify(sa)}`;
      throw e;
    });
    h.mark(`b decodes ${fb[0].frameWidth}x${fb[0].frameHeight}, c ${fc[0].frameWidth}x${fc[0].frameHeight}`);

    const t0 = Date.now();
    const samples = [];
    const rel = (ms) => ((ms - t0) / 1000).toFixed(1);
    const sample = async () => {
      const prev = samples[samples.length - 1];
      if (prev) await delay(Math.max(0, prev.t + 1000 - Date.now()));
      server.checkAlive();
      const [sa, sb, sc] = await Promise.all([a.evaluate(videoStats), b.evaluate(videoStats), c.evaluate(videoStats)]);
      const s = { t: Date.now(), a: sa.outbound[0] || {}, aBitrate: sa.availableOutgoingBitrate, b: sb.inbound, c: sc.inbound };
      if (!s.b || !s.c) throw new Error(`a subscriber lost a's video: ${JSON.stringify(s)}`);
      samples.push(s);
      return s;
    };
    const until = async (pred, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await sample();
        if (pred(s)) return s;
        if (Date.now() > deadline) return null;
      }
    };
    const checkDecoding = (from, what) => {
      const list = samples.filter((s) => s.t >= from);
      for (let i = 1; i < list.length; i++) {
        for (const who of ['b', 'c']) {
          const d = list[i][who].framesDecoded - list[i - 1][who].framesDecoded;
          assert.ok(d > 0, `${what}: ${who} decoded no frame between ${rel(list[i - 1].t)} s and ${rel(list[i].t)} s: ${JSON.stringify([list[i - 1][who], list[i][who]])}`);
        }
      }
    };
    // a encodes an upper spatial layer when its (top) encoded width is above the low layer's.
    const aUpper = (s) => (s.a.frameWidth ?? 0) > kLowMaxWidth;

    // ---- phase 1: c on low, b on high
    const p1 = Date.now();
    await sample();
    const cLow = await until((s) => s.c.frameWidth > 0 && s.c.frameWidth <= kLowMaxWidth, 15000);
    assert.ok(cLow, `c asked for the low layer but still receives ${JSON.stringify(samples[samples.length - 1].c)} after 15 s`);
    h.mark(`c on the low layer: ${cLow.c.frameWidth}x${cLow.c.frameHeight}`);
    const steadyFrom = Date.now();
    let bUpper = null;
    while (Date.now() - steadyFrom < 6000 || (aUpper(samples[samples.length - 1]) && !bUpper && Date.now() - steadyFrom < 15000)) {
      const s = await sample();
      assert.ok(s.c.frameWidth > 0 && s.c.frameWidth <= kLowMaxWidth, `c (layer low) receives ${s.c.frameWidth}x${s.c.frameHeight} at ${rel(s.t)} s`);
      if (s.b.frameWidth > s.c.frameWidth) bUpper = bUpper || s;
    }
    const end1 = samples[samples.length - 1];
    checkDecoding(p1, 'phase 1 (c low, b high)');
    t.diagnostic(
      `phase 1: a encodes ${JSON.stringify(end1.a)}; available outgoing bitrate ${kbps(end1.aBitrate)}; b ${end1.b.frameWidth}x${end1.b.frameHeight}, c ${end1.c.frameWidth}x${end1.c.frameHeight}`,
    );
    if (aUpper(end1)) {
      assert.ok(bUpper, `a encodes ${end1.a.frameWidth} wide but b (layer high) never got more than c (low): ${JSON.stringify(end1.b)}`);
    } else {
      t.diagnostic(`phase 1: a encodes only ${end1.a.frameWidth} wide (Chromium's bandwidth estimate); b > c not checked`);
    }

    // ---- phase 2: c switches to high, b to low
    const before = samples[samples.length - 1];
    const switchAt = Date.now();
    await Promise.all([c.evaluate((id) => window.sy.client.setLayer(id, 'high'), trackId), b.evaluate((id) => window.sy.client.setLayer(id, 'low'), trackId)]);
    h.mark(`switch: c -> high, b -> low (layerSet after ${Date.now() - switchAt} ms)`);
    const bLow = await until((s) => s.b.frameWidth > 0 && s.b.frameWidth <= kLowMaxWidth, 15000);
    assert.ok(bLow, `b asked for the low layer but still receives ${JSON.stringify(samples[samples.length - 1].b)} 15 s after the switch`);
    let cUp = null;
    for (;;) {
      const s = samples[samples.length - 1];
      if (!cUp && s.c.frameWidth > before.c.frameWidth) cUp = s;
      const elapsed = Date.now() - switchAt;
      if (elapsed >= 6000 && (cUp || !aUpper(s) || elapsed >= 20000)) break;
      const n = await sample();
      assert.ok(n.b.frameWidth > 0 && n.b.frameWidth <= kLowMaxWidth, `b (layer low) receives ${n.b.frameWidth}x${n.b.frameHeight} at ${rel(n.t)} s`);
    }
    const end2 = samples[samples.length - 1];
    checkDecoding(switchAt - 1000, 'phase 2 (switch)');
    const d = (who, k) => (end2[who][k] ?? 0) - (before[who][k] ?? 0);
    t.diagnostic(
      `phase 2: a encodes ${JSON.stringify(end2.a)}; b on low ${((bLow.t - switchAt) / 1000).toFixed(1)} s after the switch; ` +
        `c ${cUp ? `grew to ${cUp.c.frameWidth} ${((cUp.t - switchAt) / 1000).toFixed(1)} s after the switch` : `stayed at ${end2.c.frameWidth}`}`,
    );
    for (const who of ['b', 'c']) {
      t.diagnostic(
        `${who} across the switch: framesDecoded +${d(who, 'framesDecoded')}, keyFramesDecoded +${d(who, 'keyFramesDecoded')}, framesDropped +${d(who, 'framesDropped')}, ` +
          `freezes +${d(who, 'freezeCount')}, pliCount +${d(who, 'pliCount')}, packetsLost +${d(who, 'packetsLost')}, nackCount +${d(who, 'nackCount')}`,
      );
    }
    t.diagnostic('timeline: t  a width/framesEncoded/keyFrames  b width/framesDecoded/keyFrames/dropped/freezes  c likewise');
    for (const s of samples) {
      const fmt = (x) => `${x.frameWidth ?? 0}w ${x.framesDecoded}f ${x.keyFramesDecoded}k drop${x.framesDropped} frz${x.freezeCount}`;
      t.diagnostic(`${rel(s.t).padStart(5)}  a ${s.a.frameWidth ?? 0}w ${s.a.framesEncoded ?? 0}f ${s.a.keyFramesEncoded ?? 0}k ${kbps(s.aBitrate)}  b ${fmt(s.b)}  c ${fmt(s.c)}`);
    }

    for (const who of ['b', 'c']) {
      const first = samples[0][who];
      const dropped = (end2[who].framesDropped ?? 0) - (first.framesDropped ?? 0);
      assert.ok(dropped <= kMaxFramesDropped, `${who} dropped ${dropped} frames during the test: ${JSON.stringify({ first, last: end2[who] })}`);
      const freezes = (end2[who].freezeCount ?? 0) - (first.freezeCount ?? 0);
      assert.ok(freezes <= kMaxFreezes, `${who} froze ${freezes} times during the test: ${JSON.stringify({ first, last: end2[who] })}`);
    }
    if (aUpper(end2)) {
      assert.ok(cUp, `a encodes ${end2.a.frameWidth} wide but c (now high) stays at ${end2.c.frameWidth}`);
      assert.ok(d('c', 'keyFramesDecoded') > 0, `c switched up without decoding a key picture: ${JSON.stringify({ before: before.c, after: end2.c })}`);
    }
  },
  { timeoutMs: 120000 },
);
