// Two Chromium peers publish audio and video; each decodes the other's video and receives its audio.
import assert from 'node:assert/strict';
import { e2eTest, joinAll } from './lib/harness.mjs';

e2eTest('two peers see and hear each other', async (h, t) => {
  const server = await h.startServer();
  const chromium = await h.chromium();
  const a = await chromium.newPeer(server, 'a');
  const b = await chromium.newPeer(server, 'b');
  await joinAll([a, b], h.room());
  const [pa, pb] = await Promise.all([a.publish(), b.publish()]);
  assert.equal(pa.length, 2, JSON.stringify(pa));
  assert.equal(pb.length, 2, JSON.stringify(pb));
  h.mark('published');
  const expectFrom = (peer, published) => published.map((p) => ({ peerId: peer.peerId, kind: p.kind, trackId: p.trackId }));
  const [ra, rb] = await Promise.all([h.expectFlowing(a, expectFrom(b, pb)), h.expectFlowing(b, expectFrom(a, pa))]);
  for (const [who, r] of [['a', ra], ['b', rb]]) {
    t.diagnostic(
      `${who} receives ${r
        .map((s) => (s.kind === 'video' ? `${s.codec} ${s.frameWidth}x${s.frameHeight} ${s.fps} fps` : `${s.codec} ${s.pps} pkt/s`))
        .join(', ')}`,
    );
  }
  // Captured at 320x240; the encoder may scale down under CPU load, never up.
  for (const s of [...ra, ...rb].filter((x) => x.kind === 'video')) assert.ok(s.frameWidth > 0 && s.frameWidth <= 320, JSON.stringify(s));
});
