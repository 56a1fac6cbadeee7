// One publisher restricted to H264, one to VP9: a third peer decodes both, and its stats name the
// codecs.
import assert from 'node:assert/strict';
import { e2eTest, joinAll } from './lib/harness.mjs';

e2eTest('H264 and VP9 publishers, one subscriber decodes both', async (h, t) => {
  const server = await h.startServer();
  const chromium = await h.chromium();
  const p264 = await chromium.newPeer(server, 'h264');
  const pvp9 = await chromium.newPeer(server, 'vp9');
  const viewer = await chromium.newPeer(server, 'viewer');
  await joinAll([p264, pvp9, viewer], h.room());
  const [a, b] = await Promise.all([
    p264.publish({ audio: false, videoCodec: 'H264' }),
    pvp9.publish({ audio: false, videoCodec: 'VP9' }),
  ]);
  const r = await h.expectFlowing(viewer, [
    { peerId: p264.peerId, kind: 'video', trackId: a[0].trackId, codec: 'H264' },
    { peerId: pvp9.peerId, kind: 'video', trackId: b[0].trackId, codec: 'VP9' },
  ]);
  t.diagnostic(r.map((s) => `${s.codec} ${s.decoder ?? ''} ${s.frameWidth}x${s.frameHeight} ${s.fps} fps`).join('; '));
  // The publishers really send what they were restricted to.
  for (const [p, codec] of [[p264, 'video/H264'], [pvp9, 'video/VP9']]) {
    const st = await p.stats();
    const out = st.outbound.filter((o) => o.kind === 'video');
    assert.equal(out.length, 1, JSON.stringify(out));
    assert.equal(out[0].codec, codec, JSON.stringify(out));
  }
});
