// Five peers join the same room at the same moment while publishing: every negotiation succeeds
// and each peer decodes the four other videos.
import assert from 'node:assert/strict';
import { e2eTest } from './lib/harness.mjs';

e2eTest('five peers join and publish at once', async (h, t) => {
  const server = await h.startServer();
  const chromium = await h.chromium();
  const peers = [];
  for (const name of ['a', 'b', 'c', 'd', 'e']) peers.push(await chromium.newPeer(server, name));
  const room = h.room();
  const published = await Promise.all(
    peers.map(async (p) => {
      const joined = await p.join(room);
      p.peerId = joined.peerId;
      return p.publish();
    }),
  );
  h.mark('all joined and published');
  assert.equal(new Set(peers.map((p) => p.peerId)).size, 5);
  const results = await Promise.all(
    peers.map((p) =>
      h.expectFlowing(
        p,
        peers
          .filter((o) => o !== p)
          .map((o) => ({ peerId: o.peerId, kind: 'video', trackId: published[peers.indexOf(o)].find((x) => x.kind === 'video').trackId })),
        { timeoutMs: 40000 },
      ),
    ),
  );
  for (const [i, p] of peers.entries()) {
    const errors = await p.events('error');
    assert.deepEqual(errors, [], `${p.label} client errors`);
    const s = await p.summary();
    t.diagnostic(`${p.label}: ${s.negotiations} negotiations; ${results[i].map((x) => `${x.fps} fps`).join(', ')}`);
  }
});
