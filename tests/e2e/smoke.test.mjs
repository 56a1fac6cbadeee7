// The harness itself: the server on OS-chosen loopback ports, headless Chromium and Firefox with
// fake capture at 320x240, and room signaling over the real WebSocket (no media, no module).
import assert from 'node:assert/strict';
import { e2eTest } from './lib/harness.mjs';
import { httpGet, startServer } from './lib/server.mjs';

e2eTest('server: starts on free loopback ports, answers /healthz, stops cleanly', async (h) => {
  const a = await h.startServer();
  const b = await startServer();
  h.defer(() => b.stop());
  assert.notEqual(a.port, b.port);
  for (const s of [a, b]) {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await httpGet(new URL('/healthz', s.url));
    assert.equal(res.status, 200);
  }
  // The media sockets are bound to loopback only.
  assert.ok(!/0\.0\.0\.0/.test(a.log().split('\n').filter((l) => /media listening/.test(l)).join('\n')), a.log());
});

async function checkCapture(peer) {
  const got = await peer.evaluate(async () => {
    const stream = await window.sy.getUserMedia({ audio: true, video: true });
    const video = stream.getVideoTracks()[0];
    const audio = stream.getAudioTracks()[0];
    // Frames really arrive: play it in a <video> and wait for its picture size and clock.
    const el = document.createElement('video');
    el.muted = true;
    el.playsInline = true;
    el.srcObject = stream;
    document.body.appendChild(el);
    await el.play();
    const t0 = performance.now();
    while ((el.videoWidth === 0 || el.currentTime < 0.3) && performance.now() - t0 < 10000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const result = {
      video: video.readyState,
      audio: audio.readyState,
      settings: video.getSettings(),
      videoWidth: el.videoWidth,
      currentTime: el.currentTime,
    };
    for (const t of stream.getTracks()) t.stop();
    el.remove();
    return result;
  });
  assert.equal(got.video, 'live', JSON.stringify(got));
  assert.equal(got.audio, 'live', JSON.stringify(got));
  assert.equal(got.settings.width, 320, JSON.stringify(got));
  assert.equal(got.settings.height, 240, JSON.stringify(got));
  assert.ok(got.videoWidth === 320 && got.currentTime > 0, JSON.stringify(got));
}

e2eTest('chromium: fake capture at 320x240 plays', async (h) => {
  const server = await h.startServer();
  const chromium = await h.chromium();
  const peer = await chromium.newPeer(server, 'c1');
  await checkCapture(peer);
});

e2eTest('firefox: fake capture at 320x240 plays', async (h) => {
  const server = await h.startServer();
  const firefox = await h.firefox();
  const peer = await firefox.newPeer(server, 'f1');
  await checkCapture(peer);
});

e2eTest('signaling: join, peerJoined, leave, peerLeft over the real WebSocket', async (h) => {
  const server = await h.startServer();
  const chromium = await h.chromium();
  const a = await chromium.newPeer(server, 'a');
  const b = await chromium.newPeer(server, 'b');
  const room = h.room('smoke');
  const ja = await a.call('rawJoin', 'x', server.wsUrl, room, 'Alice');
  assert.equal(ja.type, 'joined', JSON.stringify(ja));
  assert.deepEqual(ja.peers, []);
  const jb = await b.call('rawJoin', 'x', server.wsUrl, room, 'Bob');
  assert.equal(jb.type, 'joined', JSON.stringify(jb));
  assert.deepEqual(jb.peers, [{ peerId: ja.peerId, name: 'Alice' }]);
  await h.waitFor('peerJoined at a', async () =>
    (await a.call('rawMessages', 'x')).find((m) => m.type === 'peerJoined' && m.peer.peerId === jb.peerId),
  );
  assert.equal((await b.call('rawLeave', 'x')).type, 'left');
  await h.waitFor('peerLeft at a', async () =>
    (await a.call('rawMessages', 'x')).find((m) => m.type === 'peerLeft' && m.peerId === jb.peerId),
  );
  await a.call('rawLeave', 'x');
});
