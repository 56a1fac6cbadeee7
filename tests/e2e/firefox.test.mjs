// A Chromium peer and a Firefox peer see and hear each other (default codecs: Firefox has no H264).
import { e2eTest, joinAll } from './lib/harness.mjs';

e2eTest('chromium and firefox see and hear each other', async (h, t) => {
  const server = await h.startServer();
  const [chromium, firefox] = await Promise.all([h.chromium(), h.firefox()]);
  const c = await chromium.newPeer(server, 'chromium');
  const f = await firefox.newPeer(server, 'firefox');
  await joinAll([c, f], h.room());
  const [pc, pf] = await Promise.all([c.publish(), f.publish()]);
  const expectFrom = (peer, published) => published.map((p) => ({ peerId: peer.peerId, kind: p.kind, trackId: p.trackId }));
  const [rc, rf] = await Promise.all([h.expectFlowing(c, expectFrom(f, pf)), h.expectFlowing(f, expectFrom(c, pc))]);
  const show = (r) => r.map((s) => (s.kind === 'video' ? `${s.codec} ${s.frameWidth}x${s.frameHeight} ${s.fps} fps` : `${s.codec} ${s.pps} pkt/s`)).join(', ');
  t.diagnostic(`chromium receives ${show(rc)}`);
  t.diagnostic(`firefox receives ${show(rf)}`);
});
