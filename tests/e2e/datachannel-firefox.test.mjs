// Data channels between Firefox and Chromium through the relay, both ways: each opens a channel
// (Firefox an unordered maxRetransmits:0 one); strings, an empty string and binary messages arrive
// as sent, 64 KiB ones included. Firefox's SCTP stack (usrsctp in Gecko) and Chromium's (dcSCTP)
// both talk to the server's usrsctp.
import assert from 'node:assert/strict';
import { e2eTest } from './lib/harness.mjs';

e2eTest('data channels: chromium and firefox exchange messages both ways', async (h, t) => {
  const server = await h.startServer();
  const [chromium, firefox] = await Promise.all([h.chromium(), h.firefox()]);
  const c = await chromium.newPeer(server, 'chromium');
  const f = await firefox.newPeer(server, 'firefox');
  const room = h.room();
  for (const p of [c, f]) {
    const joined = await p.join(room, { dataChannels: true });
    p.peerId = joined.peerId;
  }
  for (const p of [c, f]) {
    await h.waitFor(`${p.label}: SCTP transport connected`, async () => (await p.call('sctpState')) === 'connected', { timeoutMs: 30000 });
  }
  await c.call('createChannel', 'chat', 'chat', { protocol: 'text' });
  await f.call('createChannel', 'state', 'state', { ordered: false, maxRetransmits: 0 });
  for (const [p, key] of [[c, 'chat'], [f, 'state']]) {
    await h.waitFor(`${p.label}: ${key} open`, async () => (await p.call('channelState', key)).readyState === 'open');
  }
  const atFirefox = await h.waitFor("firefox: the 'chat' channel from chromium", async () => (await f.call('remoteChannelList')).find((x) => x.label === 'chat'));
  const atChromium = await h.waitFor("chromium: the 'state' channel from firefox", async () => (await c.call('remoteChannelList')).find((x) => x.label === 'state'));
  assert.equal(atFirefox.peerId, c.peerId);
  assert.equal(atFirefox.channelProtocol, `from=${c.peerId};text`);
  assert.equal(atChromium.peerId, f.peerId);
  assert.equal(atChromium.ordered, false);

  const big = Array.from({ length: 65536 }, (_, i) => (i * 13) & 0xff);
  const small = [0, 1, 2, 253, 254, 255];
  for (const [sender, key] of [[c, 'chat'], [f, 'state']]) {
    await sender.call('send', key, `hello from ${sender.label}`);
    await sender.call('send', key, '');
    await sender.call('send', key, { bytes: small });
    await sender.call('send', key, { bytes: big });
  }
  for (const [receiver, entry] of [[f, atFirefox], [c, atChromium]]) {
    await h.waitFor(`${receiver.label}: 4 messages`, async () => (await receiver.call('remoteChannelList'))[entry.index].count >= 4, { timeoutMs: 20000 });
    const got = await receiver.call('remoteMessages', entry.index);
    const sender = receiver === f ? c : f;
    assert.deepEqual(got[0], { s: `hello from ${sender.label}` });
    assert.deepEqual(got[1], { s: '' });
    assert.deepEqual(got[2], { b: small });
    assert.equal(got[3].b.length, big.length);
    assert.ok(got[3].b.every((x, i) => x === big[i]), `${receiver.label}: the 64 KiB message differs`);
  }
  t.diagnostic('chromium -> firefox (reliable, ordered) and firefox -> chromium (unordered, maxRetransmits 0): string, empty, 6 B and 64 KiB binary');
});
