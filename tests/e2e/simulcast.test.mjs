// Simulcast (issue 6): publisher a captures 1280x720 from Chromium's fake camera and publishes VP8
// with three encodings, lowest first (q 1/4, h 1/2, f full); b subscribes with the default layer
// (high), c asks for 'low' (thumbnails) right after join. c must get the low layer (frameWidth
// <= 320) and b a larger one whenever a sends an upper layer. Then c switches to 'high' and b to
// 'low': b drops to <= 320, c grows (again when an upper layer is sent), both keep decoding every
// second, the switch decodes a keyframe and drops (almost) no frames.
// Chromium sends its upper layers only when its bandwidth estimate allows (the server's
// transport-wide congestion control feedback raises it): which rids a really encodes is read from
// its outbound-rtp per rid and reported; what depends on it is asserted only when an upper layer is
// active, so the test never fails on Chromium's bandwidth decisions, but it always fails when c gets
// more than the low layer while asking for it, when b does not get the low layer after asking for
// it, or when either stops decoding.
import assert from 'node:assert/strict';
import { delay, e2eTest } from './lib/harness.mjs';
import { kbps, publishSimulcast, videoStats } from './lib/simulcast.mjs';

const kLowMaxWidth = 320;
// Frames the decoder may drop over a whole phase (a layer switch should drop none).
const kMaxFramesDropped = 10;
// How long a layer must have been encoded continuously before a subscriber must be on it.
const kUpperActiveMs = 4000;

e2eTest(
  'simulcast: a thumbnail subscriber gets the low layer, switching layers causes no decode errors',
  async (h, t) => {
    const server = await h.startServer();
    const chromium = await h.chromium();
    const a = await chromium.newPeer(server, 'a');
    const b = await chromium.newPeer(server, 'b');
    const c = await chromium.newPeer(server, 'c');
    const room = h.room();
    a.peerId = (await a.join(room)).peerId;
    b.peerId = (await b.join(room)).peerId;
    const pub = await a.evaluate(publishSimulcast);
    const trackId = pub.trackId;
    h.mark(`a published ${trackId}: capture ${JSON.stringify(pub.capture)}, encodings ${JSON.stringify(pub.encodings)}`);
    t.diagnostic(`a's fake camera delivers ${pub.capture.width}x${pub.capture.height} @ ${pub.capture.frameRate} fps (asked 1280x720)`);
    // c asks for the low layer as soon as it knows the trackId: right after join (a published already).
    const cJoin = await c.evaluate(
      async ([roomName, id]) => {
        const joined = await window.sy.join(roomName, { name: 'c' });
        const known = joined.tracks.map((x) => x.trackId);
        const at = performance.now();
        await window.sy.client.setLayer(id, 'low');
        return { peerId: joined.peerId, known, setLayerMs: performance.now() - at };
      },
      [room, trackId],
    );
    c.peerId = cJoin.peerId;
    assert.ok(cJoin.known.includes(trackId), `c's join reply does not list ${trackId}: ${JSON.stringify(cJoin)}`);
    h.mark(`c joined and set layer low for ${trackId} (layerSet after ${cJoin.setLayerMs.toFixed(0)} ms)`);

    // Both decode a's video.
    const expected = [{ peerId: a.peerId, kind: 'video', trackId, codec: 'VP8' }];
    // If one never decodes, what a sends per rid tells why (e.g. a subscriber held on a layer a never sends).
    const [fb, fc] = await Promise.all([h.expectFlowing(b, expected, { timeoutMs: 40000 }), h.expectFlowing(c, expected, { timeoutMs: 40000 })]).catch(async (e) => {
      const sa = await a.evaluate(videoStats).catch((x) => String(x));
      e.message += `\na's video per rid: ${JSON.stringify(sa)}`;
      throw e;
    });
    h.mark(`b decodes ${fb[0].frameWidth}x${fb[0].frameHeight} ${fb[0].fps} fps, c ${fc[0].frameWidth}x${fc[0].frameHeight} ${fc[0].fps} fps`);

    // ---- sampling: once a second, a's layers and b's and c's inbound video
    const t0 = Date.now();
    const samples = []; // {t, a, b, c}
    const rel = (ms) => ((ms - t0) / 1000).toFixed(1);
    // At most one sample a second: each interval is long enough to see frames decoded.
    const sample = async () => {
      const prev = samples[samples.length - 1];
      if (prev) await delay(Math.max(0, prev.t + 1000 - Date.now()));
      server.checkAlive();
      const [sa, sb, sc] = await Promise.all([a.evaluate(videoStats), b.evaluate(videoStats), c.evaluate(videoStats)]);
      const s = { t: Date.now(), a: sa, b: sb.inbound, c: sc.inbound };
      if (!s.b || !s.c) throw new Error(`a subscriber lost a's video: ${JSON.stringify(s)}`);
      samples.push(s);
      return s;
    };
    const encodedIn = (prev, cur, rid) => {
      const p = prev.a.outbound.find((o) => o.rid === rid);
      const q = cur.a.outbound.find((o) => o.rid === rid);
      return q && (q.framesEncoded ?? 0) - ((p && p.framesEncoded) ?? 0) > 0;
    };
    // The rids a encoded frames of over every sample interval of the last `ms`, with their width.
    const activeFor = (ms) => {
      const last = samples[samples.length - 1];
      const window_ = samples.filter((s) => last.t - s.t <= ms);
      if (window_.length < 2 || last.t - window_[0].t < ms - 1500) return [];
      const out = [];
      for (const o of last.a.outbound) {
        let ok = true;
        for (let i = 1; i < window_.length; i++) ok = ok && encodedIn(window_[i - 1], window_[i], o.rid);
        if (ok) out.push({ rid: o.rid, width: o.frameWidth });
      }
      return out;
    };
    // An upper layer (not q) active for kUpperActiveMs, wider than what c receives as low.
    const upperActive = (lowWidth) => activeFor(kUpperActiveMs).filter((l) => l.rid !== 'q' && l.width > lowWidth);
    // Every sample interval in [from, to]: both subscribers decoded frames.
    const checkDecoding = (from, what) => {
      const list = samples.filter((s) => s.t >= from);
      for (let i = 1; i < list.length; i++) {
        for (const who of ['b', 'c']) {
          const d = list[i][who].framesDecoded - list[i - 1][who].framesDecoded;
          assert.ok(
            d > 0,
            `${what}: ${who} decoded no frame between ${rel(list[i - 1].t)} s and ${rel(list[i].t)} s: ${JSON.stringify([list[i - 1][who], list[i][who]])}`,
          );
        }
      }
    };
    const until = async (what, pred, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await sample();
        if (pred(s)) return s;
        if (Date.now() > deadline) return null;
      }
    };

    // ---- phase 1: c on low, b on high
    const p1 = Date.now();
    await sample();
    // c settles on the low layer (it may have started on another one before its setLayer took effect).
    const cLow = await until('c <= 320', (s) => s.c.frameWidth > 0 && s.c.frameWidth <= kLowMaxWidth, 15000);
    assert.ok(cLow, `c asked for the low layer but still receives ${JSON.stringify(samples[samples.length - 1].c)} after 15 s`);
    h.mark(`c on the low layer: ${cLow.c.frameWidth}x${cLow.c.frameHeight}`);
    // Then a steady window: c stays on low; b moves to an upper layer if a sends one.
    const steadyFrom = Date.now();
    let bUpper = null;
    while (Date.now() - steadyFrom < 6000 || (upperActive(cLow.c.frameWidth).length && !bUpper && Date.now() - steadyFrom < 15000)) {
      const s = await sample();
      assert.ok(s.c.frameWidth > 0 && s.c.frameWidth <= kLowMaxWidth, `c (layer low) receives ${s.c.frameWidth}x${s.c.frameHeight} at ${rel(s.t)} s`);
      if (s.b.frameWidth > s.c.frameWidth) bUpper = bUpper || s;
    }
    const end1 = samples[samples.length - 1];
    const upper1 = upperActive(end1.c.frameWidth);
    checkDecoding(p1, 'phase 1 (c low, b high)');
    const layers1 = end1.a.outbound.map((o) => `${o.rid} ${o.frameWidth ?? 0}x${o.frameHeight ?? 0} ${o.framesPerSecond ?? 0} fps ${kbps(o.targetBitrate)} ${o.qualityLimitationReason}`);
    t.diagnostic(
      `phase 1: a sends ${layers1.join('; ')}; available outgoing bitrate ${kbps(end1.a.availableOutgoingBitrate)}; ` +
        `active for ${kUpperActiveMs} ms: ${JSON.stringify(activeFor(kUpperActiveMs))}; b ${end1.b.frameWidth}x${end1.b.frameHeight}, c ${end1.c.frameWidth}x${end1.c.frameHeight}`,
    );
    if (upper1.length) {
      assert.ok(end1.b.frameWidth > end1.c.frameWidth, `a sends the upper layer(s) ${JSON.stringify(upper1)} but b (layer high) receives ${end1.b.frameWidth} like c (low) ${end1.c.frameWidth}`);
    } else {
      t.diagnostic(`phase 1: a sends only its low layer (Chromium's bandwidth estimate); b and c both get ${end1.c.frameWidth} wide, b > c not checked`);
    }

    // ---- phase 2: c switches to high, b to low
    const before = samples[samples.length - 1];
    const switchAt = Date.now();
    await Promise.all([c.evaluate((id) => window.sy.client.setLayer(id, 'high'), trackId), b.evaluate((id) => window.sy.client.setLayer(id, 'low'), trackId)]);
    h.mark(`switch: c -> high, b -> low (layerSet after ${Date.now() - switchAt} ms)`);
    // b drops to the low layer.
    const bLow = await until('b <= 320', (s) => s.b.frameWidth > 0 && s.b.frameWidth <= kLowMaxWidth, 15000);
    assert.ok(bLow, `b asked for the low layer but still receives ${JSON.stringify(samples[samples.length - 1].b)} 15 s after the switch`);
    const bLowAfter = bLow.t - switchAt;
    // c grows if a sends an upper layer; watch at least 6 s after the switch.
    let cUp = null;
    for (;;) {
      const s = samples[samples.length - 1];
      if (!cUp && s.c.frameWidth > before.c.frameWidth) cUp = s;
      const upper = upperActive(before.c.frameWidth);
      const elapsed = Date.now() - switchAt;
      if (elapsed >= 6000 && (cUp || !upper.length || elapsed >= 20000)) break;
      const n = await sample();
      assert.ok(n.b.frameWidth > 0 && n.b.frameWidth <= kLowMaxWidth, `b (layer low) receives ${n.b.frameWidth}x${n.b.frameHeight} at ${rel(n.t)} s`);
    }
    const end2 = samples[samples.length - 1];
    checkDecoding(switchAt - 1000, 'phase 2 (switch)');
    const upper2 = upperActive(before.c.frameWidth);
    const d = (who, k) => (end2[who][k] ?? 0) - (before[who][k] ?? 0);
    const layers2 = end2.a.outbound.map((o) => `${o.rid} ${o.frameWidth ?? 0}x${o.frameHeight ?? 0} ${o.framesPerSecond ?? 0} fps ${kbps(o.targetBitrate)} ${o.qualityLimitationReason}`);
    t.diagnostic(
      `phase 2: a sends ${layers2.join('; ')}; available outgoing bitrate ${kbps(end2.a.availableOutgoingBitrate)}; ` +
        `b on low ${(bLowAfter / 1000).toFixed(1)} s after the switch; c ${cUp ? `grew to ${cUp.c.frameWidth} ${((cUp.t - switchAt) / 1000).toFixed(1)} s after the switch` : `stayed at ${end2.c.frameWidth}`}`,
    );
    for (const who of ['b', 'c']) {
      t.diagnostic(
        `${who} across the switch: framesDecoded +${d(who, 'framesDecoded')}, keyFramesDecoded +${d(who, 'keyFramesDecoded')}, framesDropped +${d(who, 'framesDropped')}, ` +
          `pliCount +${d(who, 'pliCount')} (total ${end2[who].pliCount}), firCount +${d(who, 'firCount')} (total ${end2[who].firCount}), ` +
          `freezes +${d(who, 'freezeCount')}, packetsLost +${d(who, 'packetsLost')}, nackCount +${d(who, 'nackCount')}`,
      );
    }
    const perRid = (x) => x.a.outbound.map((o) => `${o.rid} pli ${o.pliCount ?? 0} fir ${o.firCount ?? 0} keyFramesEncoded ${o.keyFramesEncoded ?? 0}`).join(', ');
    t.diagnostic(`a per rid before the switch: ${perRid(before)}; at the end: ${perRid(end2)}`);
    // The timeline: seconds since sampling started (switch at rel(switchAt)).
    t.diagnostic(`timeline (switch at ${rel(switchAt)} s): t  a[rid:width/framesEncoded/keyFramesEncoded]  b width/framesDecoded/keyFrames/pli/fir/dropped  c likewise`);
    for (const s of samples) {
      const fmt = (x) => `${x.frameWidth ?? 0}w ${x.framesDecoded}f ${x.keyFramesDecoded}k pli${x.pliCount} fir${x.firCount} drop${x.framesDropped}`;
      t.diagnostic(
        `${rel(s.t).padStart(5)}  ${s.a.outbound.map((o) => `${o.rid}:${o.frameWidth ?? 0}/${o.framesEncoded ?? 0}/${o.keyFramesEncoded ?? 0}k`).join(' ')} ${kbps(s.a.availableOutgoingBitrate)}  b ${fmt(s.b)}  c ${fmt(s.c)}`,
      );
    }
    const warnings = server.logLines.filter((l) => /^\S+ \S+ (warn|warning|error|critical)\b/.test(l));
    t.diagnostic(`server warnings/errors: ${warnings.length}${warnings.length ? `\n${warnings.slice(0, 10).join('\n')}` : ''}`);

    // No decode errors: the switch to a new layer starts at a keyframe, and nothing is dropped.
    assert.ok(d('b', 'keyFramesDecoded') > 0, `b switched to low without decoding a keyframe: ${JSON.stringify({ before: before.b, after: end2.b })}`);
    for (const who of ['b', 'c']) {
      const dropped = samples.length ? (end2[who].framesDropped ?? 0) - (samples[0][who].framesDropped ?? 0) : 0;
      assert.ok(dropped <= kMaxFramesDropped, `${who} dropped ${dropped} frames during the test: ${JSON.stringify({ first: samples[0][who], last: end2[who] })}`);
    }
    if (upper2.length) {
      assert.ok(cUp, `a sends the upper layer(s) ${JSON.stringify(upper2)} but c (now high) stays at ${end2.c.frameWidth}`);
      assert.ok(d('c', 'keyFramesDecoded') > 0, `c switched up without decoding a keyframe: ${JSON.stringify({ before: before.c, after: end2.c })}`);
    } else if (!cUp) {
      t.diagnostic('phase 2: a sends only its low layer; c (high) stays on it, its growth not checked');
    }
  },
  { timeoutMs: 90000 },
);
