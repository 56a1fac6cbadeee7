// Four peers in a call; one page is closed: the others get 'peerleft' and 'trackended' for its
// tracks, those tracks end, and the server's room holds three peers.
import assert from 'node:assert/strict';
import { e2eTest, joinAll } from './lib/harness.mjs';

e2eTest('a peer that closes its page leaves the call', async (h) => {
  const server = await h.startServer();
  const chromium = await h.chromium();
  const peers = [];
  for (const name of ['a', 'b', 'c', 'd']) peers.push(await chromium.newPeer(server, name));
  const room = h.room();
  const [a, b, c, d] = peers;
  const stay = [a, b, c];
  // d is in the room first and publishes; the others join after it, so d's tracks are the first
  // m-sections (the BUNDLE tag) of their offers: when d leaves they stop that section.
  await joinAll([d], room);
  const dPublished = await d.publish();
  const dTracks = dPublished.map((p) => p.trackId);
  await joinAll(stay, room);
  const published = await Promise.all(stay.map((p) => p.publish()));
  // Everyone receives d's audio and video before it goes.
  await Promise.all(stay.map((p) => h.expectFlowing(p, dPublished.map((x) => ({ peerId: d.peerId, kind: x.kind, trackId: x.trackId })), { windowMs: 1000 })));
  h.mark('d flowing to a, b, c');

  await d.close();
  h.mark('d closed');
  for (const p of stay) {
    await h.waitFor(`${p.label}: peerleft ${d.peerId} and trackended for ${dTracks}`, async () => {
      const left = (await p.events('peerleft')).some((e) => e.detail.peerId === d.peerId);
      const ended = new Set((await p.events('trackended')).map((e) => e.detail.trackId));
      return left && dTracks.every((id) => ended.has(id));
    });
    const states = await p.call('trackStates', dTracks);
    for (const id of dTracks) assert.equal(states[id], 'ended', `${p.label}: ${JSON.stringify(states)}`);
    const summary = await p.summary();
    assert.ok(!summary.peers.includes(d.peerId), JSON.stringify(summary));
  }

  // The others stay in the call: connected, in the room, and they still see each other.
  for (const p of stay) {
    const s = await h.waitFor(`${p.label}: renegotiated after d left`, async () => {
      const x = await p.summary();
      if (x.signalingState === 'closed') return x;
      return x.signalingState === 'stable' && x.remoteTracks.every((t) => t.peerId !== d.peerId) ? x : null;
    });
    assert.equal(s.connectionState, 'connected', `${p.label} lost its connection when d left: ${JSON.stringify(s)}`);
    assert.deepEqual(await p.events('closed'), [], `${p.label}'s signaling was closed`);
  }
  const others = (p) => stay.filter((o) => o !== p).map((o) => ({ peerId: o.peerId, kind: 'video', trackId: published[stay.indexOf(o)].find((x) => x.kind === 'video').trackId }));
  await Promise.all(stay.map((p) => h.expectFlowing(p, others(p), { windowMs: 1000 })));

  // The server's view: a fifth (signaling-only) client joining the room sees the three left.
  const joined = await a.call('rawJoin', 'observer', server.wsUrl, room, 'observer');
  assert.equal(joined.type, 'joined', JSON.stringify(joined));
  assert.deepEqual(joined.peers.map((p) => p.peerId).sort(), stay.map((p) => p.peerId).sort());
  assert.ok(!joined.tracks.some((t) => t.peerId === d.peerId), JSON.stringify(joined.tracks));
  assert.equal(joined.tracks.length, 6, JSON.stringify(joined.tracks));
  assert.equal((await a.call('rawLeave', 'observer')).type, 'left');
});
