// Active speaker (docs/protocol.md "Active speaker"): a and b each publish a WebAudio tone
// (OscillatorNode -> GainNode -> MediaStreamAudioDestinationNode; Chromium writes the RFC 6464
// ssrc-audio-level extension from what its encoder is given), a loud and b quiet; c only listens.
// Every client gets 'activespeaker' with a's peerId and client.activeSpeaker is a's, and b is never
// announced; then a falls silent and b gets loud: the speaker becomes b, in exactly one switch.
import assert from 'node:assert/strict';
import { delay, e2eTest, joinAll } from './lib/harness.mjs';

const kLoud = 0.8;
const kQuiet = 0.02;
const kAnnounceMs = 10000; // from the tones being published to the first announcement
const kSwitchMs = 10000; // from the swap to the switch
const kSettleMs = 2000; // after the switch: no further change

// Records this page's 'activespeaker' events (window.speakerEvents: {peerId, name, trackId, at}).
function watchSpeaker(peer) {
  return peer.evaluate(() => {
    window.speakerEvents = [];
    window.sy.client.addEventListener('activespeaker', (e) => window.speakerEvents.push({ ...e.detail, at: Date.now() }));
  });
}

function speakerState(peer) {
  return peer.evaluate(() => ({ activeSpeaker: window.sy.client.activeSpeaker, events: window.speakerEvents }));
}

// A tone (frequency Hz, gain) through WebAudio, published as a 'microphone' track; window.tone
// keeps the nodes so setGain can change its loudness. Returns {trackId, state} (the AudioContext's).
function publishTone(peer, frequency, gain) {
  return peer.evaluate(
    async ({ frequency, gain }) => {
      const ctx = new AudioContext();
      const osc = new OscillatorNode(ctx, { type: 'sine', frequency });
      const amp = new GainNode(ctx, { gain });
      const dest = new MediaStreamAudioDestinationNode(ctx);
      osc.connect(amp).connect(dest);
      osc.start();
      // Autoplay is allowed (--autoplay-policy=no-user-gesture-required), but resume to be sure.
      if (ctx.state !== 'running') await ctx.resume();
      window.tone = { ctx, osc, amp, stream: dest.stream };
      const track = dest.stream.getAudioTracks()[0];
      const trackId = await window.sy.client.publish(track, { source: 'microphone', stream: dest.stream });
      return { trackId, state: ctx.state, sampleRate: ctx.sampleRate };
    },
    { frequency, gain },
  );
}

// The level Chromium measures at the published tone (media-source audioLevel, 0..1), which is what
// its RFC 6464 extension carries (as -dBov).
function toneLevel(peer) {
  return peer.evaluate(async () => {
    let level = null;
    for (const t of window.sy.client.localTracks.values()) {
      if (t.kind !== 'audio' || !t.transceiver) continue;
      (await t.transceiver.sender.getStats()).forEach((s) => {
        if (s.type === 'media-source' && s.audioLevel !== undefined) level = s.audioLevel;
      });
    }
    return level;
  });
}

function setGain(peer, gain) {
  return peer.evaluate((g) => {
    window.tone.amp.gain.setValueAtTime(g, window.tone.ctx.currentTime);
    return { state: window.tone.ctx.state, currentTime: window.tone.ctx.currentTime };
  }, gain);
}

e2eTest(
  'active speaker: of two publishers with tones the louder one is announced, and the speaker follows a swap',
  async (h, t) => {
    const server = await h.startServer();
    const chromium = await h.chromium();
    const peers = [];
    for (const name of ['a', 'b', 'c']) peers.push(await chromium.newPeer(server, name));
    const [a, b, c] = peers;
    await joinAll(peers, h.room());
    for (const p of peers) await watchSpeaker(p);

    const publishing = Date.now();
    // a first: published at the same time, b's negotiation sometimes finished first and its tone
    // (alone, so rightly the speaker) was announced before a's arrived (seen 1 in 4 runs).
    const ta = await publishTone(a, 440, kLoud);
    const tb = await publishTone(b, 660, kQuiet);
    assert.equal(ta.state, 'running', JSON.stringify(ta));
    assert.equal(tb.state, 'running', JSON.stringify(tb));
    const published = Date.now();
    h.mark(`tones published (a ${ta.trackId} gain ${kLoud}, b ${tb.trackId} gain ${kQuiet})`);

    // Every client hears both tones' packets (c receives a's and b's audio).
    await h.expectFlowing(
      c,
      [
        { peerId: a.peerId, kind: 'audio', trackId: ta.trackId },
        { peerId: b.peerId, kind: 'audio', trackId: tb.trackId },
      ],
      { windowMs: 1000, minPackets: 20 },
    );

    // a is announced to all three.
    const first = await h.waitFor(
      `every client to announce a (${a.peerId}) as the active speaker`,
      async () => {
        const states = await Promise.all(peers.map(speakerState));
        return states.every((s) => s.activeSpeaker === a.peerId && s.events.some((e) => e.peerId === a.peerId)) ? states : null;
      },
      { timeoutMs: kAnnounceMs + 5000, intervalMs: 100 },
    );
    const firstAt = Math.min(...first.map((s) => s.events.find((e) => e.peerId === a.peerId).at));
    const lastAt = Math.max(...first.map((s) => s.events.find((e) => e.peerId === a.peerId).at));
    t.diagnostic(
      `a announced ${((firstAt - publishing) / 1000).toFixed(2)} s after publishing started, ` +
        `${((firstAt - published) / 1000).toFixed(2)} s after both publish() calls resolved ` +
        `(at all three within ${lastAt - firstAt} ms; the poll saw it at ${((Date.now() - published) / 1000).toFixed(2)} s)`,
    );
    for (const [i, s] of first.entries()) {
      const e = s.events.find((x) => x.peerId === a.peerId);
      assert.equal(e.trackId, ta.trackId, `${peers[i].label}: ${JSON.stringify(s)}`);
      // The name of the peer (its own announcement carries '').
      assert.equal(e.name, peers[i] === a ? '' : 'a', `${peers[i].label}: ${JSON.stringify(s)}`);
    }
    assert.ok(firstAt - published <= kAnnounceMs, `a was announced ${firstAt - published} ms after publishing`);

    // a stays the speaker while it is the louder one; b is never announced.
    await delay(2000);
    t.diagnostic(`tone levels before the swap (media-source audioLevel): a ${await toneLevel(a)}, b ${await toneLevel(b)}`);
    const before = await Promise.all(peers.map(speakerState));
    for (const [i, s] of before.entries()) {
      assert.equal(s.activeSpeaker, a.peerId, `${peers[i].label}: ${JSON.stringify(s)}`);
      assert.deepEqual(
        s.events.map((e) => e.peerId),
        [a.peerId],
        `${peers[i].label}: announcements before the swap ${JSON.stringify(s.events)}`,
      );
    }

    // The swap: a silent, b loud.
    await Promise.all([setGain(a, 0), setGain(b, kLoud)]);
    const swapped = Date.now();
    h.mark('gains swapped');
    const after = await h.waitFor(
      `every client to announce b (${b.peerId}) as the active speaker`,
      async () => {
        const states = await Promise.all(peers.map(speakerState));
        return states.every((s) => s.activeSpeaker === b.peerId) ? states : null;
      },
      { timeoutMs: kSwitchMs + 5000, intervalMs: 100 },
    );
    const switchAt = Math.min(...after.map((s) => s.events.find((e) => e.peerId === b.peerId).at));
    t.diagnostic(`b announced ${((switchAt - swapped) / 1000).toFixed(2)} s after the swap`);
    assert.ok(switchAt - swapped <= kSwitchMs, `b was announced ${switchAt - swapped} ms after the swap`);
    await delay(kSettleMs);
    t.diagnostic(`tone levels after the swap: a ${await toneLevel(a)}, b ${await toneLevel(b)}`);
    const settled = await Promise.all(peers.map(speakerState));
    for (const [i, s] of settled.entries()) {
      assert.equal(s.activeSpeaker, b.peerId, `${peers[i].label}: ${JSON.stringify(s)}`);
      const since = s.events.filter((e) => e.at >= swapped);
      assert.deepEqual(
        since.map((e) => [e.peerId, e.trackId]),
        [[b.peerId, tb.trackId]],
        `${peers[i].label}: announcements after the swap ${JSON.stringify(s.events)}`,
      );
    }
    t.diagnostic(`announcements at c: ${settled[2].events.map((e) => `${e.name || e.peerId} at ${((e.at - published) / 1000).toFixed(2)} s`).join(', ')}`);

    // The room closes when they leave; its speaker_changes are in the server's log line.
    await Promise.all(peers.map((p) => p.call('leave')));
    const closed = await h.waitFor("the server's 'room media closed' line", async () => server.logLines.find((l) => l.includes('room media closed')), {
      timeoutMs: 15000,
    });
    const changes = /speaker_changes=(\d+)/.exec(closed);
    const warnings = server.logLines.filter((l) => /^\S+ \S+ (warn|warning|error|critical)\b/.test(l));
    t.diagnostic(`server warnings/errors: ${warnings.length}${warnings.length ? `\n${warnings.slice(0, 10).join('\n')}` : ''}`);
    t.diagnostic(`server: speaker_changes=${changes ? changes[1] : '?'}`);
    assert.ok(changes && Number(changes[1]) === 2, `the server counted other than 2 speaker changes: ${closed}`);
  },
  { timeoutMs: 120000 },
);
