// Four Chromium peers publish audio and video; each decodes the three remote videos.
import { e2eTest, joinAll } from './lib/harness.mjs';

e2eTest('four peers each decode three remote videos', async (h, t) => {
  const server = await h.startServer();
  const chromium = await h.chromium();
  const peers = [];
  for (const name of ['a', 'b', 'c', 'd']) peers.push(await chromium.newPeer(server, name));
  await joinAll(peers, h.room());
  const published = await Promise.all(peers.map((p) => p.publish()));
  h.mark('published');
  const results = await Promise.all(
    peers.map((p) =>
      h.expectFlowing(
        p,
        peers
          .filter((o) => o !== p)
          .map((o) => ({ peerId: o.peerId, kind: 'video', trackId: published[peers.indexOf(o)].find((x) => x.kind === 'video').trackId })),
      ),
    ),
  );
  results.forEach((r, i) => t.diagnostic(`${peers[i].label}: ${r.map((s) => `${s.peerId} ${s.codec} ${s.fps} fps`).join(', ')}`));
});
