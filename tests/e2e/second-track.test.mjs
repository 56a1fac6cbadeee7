// A peer publishes a second video track (a canvas) mid-call: the others receive and decode it;
// it unpublishes it: the track ends for them, and its camera keeps flowing.
import assert from 'node:assert/strict';
import { e2eTest, joinAll } from './lib/harness.mjs';

e2eTest('a second video track published and unpublished mid-call', async (h, t) => {
  const server = await h.startServer();
  const chromium = await h.chromium();
  const peers = [];
  for (const name of ['a', 'b', 'c']) peers.push(await chromium.newPeer(server, name));
  const [a, b, c] = peers;
  await joinAll(peers, h.room());
  const published = await Promise.all(peers.map((p) => p.publish()));
  const aCamera = published[0].find((x) => x.kind === 'video').trackId;
  await Promise.all([b, c].map((p) => h.expectFlowing(p, [{ peerId: a.peerId, kind: 'video', trackId: aCamera }], { windowMs: 1000 })));
  h.mark('camera flowing');

  const screen = await a.call('publishCanvas', { source: 'screen' });
  assert.ok(screen.trackId && screen.trackId !== aCamera, JSON.stringify(screen));
  const got = await Promise.all(
    [b, c].map((p) =>
      h.expectFlowing(p, [
        { peerId: a.peerId, kind: 'video', trackId: screen.trackId },
        { peerId: a.peerId, kind: 'video', trackId: aCamera },
      ]),
    ),
  );
  for (const r of got) {
    const s = r.find((x) => x.trackId === screen.trackId);
    assert.equal(s.source, 'screen', JSON.stringify(s));
    t.diagnostic(`second track at ${s.frameWidth}x${s.frameHeight} ${s.codec} ${s.fps} fps`);
  }
  h.mark('second track flowing');

  await a.call('unpublish', screen.trackId);
  for (const p of [b, c]) {
    await h.waitFor(`${p.label}: trackended ${screen.trackId}`, async () =>
      (await p.events('trackended')).some((e) => e.detail.trackId === screen.trackId),
    );
    assert.equal((await p.call('trackStates', [screen.trackId]))[screen.trackId], 'ended');
    const ended = (await p.events('trackended')).filter((e) => e.detail.trackId !== screen.trackId);
    assert.deepEqual(ended, [], 'only the unpublished track ended');
  }
  await Promise.all([b, c].map((p) => h.expectFlowing(p, [{ peerId: a.peerId, kind: 'video', trackId: aCamera }], { windowMs: 1000 })));
});
