// Four Chromium peers, data only (no media): a's 'chat' channel reaches b, c and d as a channel
// from a (1,000 strings in order, then an empty string and a binary message, as sent); a directed
// channel {to: c} reaches c only; what b sends on its relayed channel goes nowhere; closing a's
// channel closes the relayed ones, and a leaving closes the rest.
import assert from 'node:assert/strict';
import { delay, e2eTest } from './lib/harness.mjs';

const kCount = 1000;
const kBinary = Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % 256);

e2eTest(
  'data channels: a chat channel reaches three peers in order, a directed one only its peer',
  async (h, t) => {
    const server = await h.startServer();
    const chromium = await h.chromium();
    const peers = [];
    for (const name of ['a', 'b', 'c', 'd']) peers.push(await chromium.newPeer(server, name));
    const [a, b, c, d] = peers;
    const others = [b, c, d];
    const room = h.room();
    // b, c and d only receive: the dataChannels option negotiates their data section at join (their
    // offer has only m=application). a offers nothing until its first createDataChannel().
    for (const p of peers) {
      const joined = await p.join(room, p === a ? {} : { dataChannels: true });
      p.peerId = joined.peerId;
    }
    // The receivers' associations are up, so the server opens the relayed channels at all of them as
    // soon as a's channel opens.
    for (const p of others) {
      await h.waitFor(`${p.label}: SCTP transport connected`, async () => (await p.call('sctpState')) === 'connected', { timeoutMs: 30000 });
    }
    assert.equal(await a.call('sctpState'), null, 'a negotiated a data section before creating a channel');
    assert.equal((await a.summary()).negotiations, 0);
    h.mark('receivers connected');

    const created = await a.call('createChannel', 'chat', 'chat');
    assert.equal(created.protocol, '', JSON.stringify(created));
    await h.waitFor('a: chat open', async () => (await a.call('channelState', 'chat')).readyState === 'open', { timeoutMs: 30000 });
    assert.equal((await a.summary()).negotiations, 1);
    const t0 = Date.now();
    const chatAt = new Map();
    for (const p of others) {
      const ch = await h.waitFor(`${p.label}: a 'chat' channel from a`, async () =>
        (await p.call('remoteChannelList')).find((x) => x.label === 'chat'),
      );
      assert.equal(ch.peerId, a.peerId, JSON.stringify(ch));
      assert.equal(ch.name, 'a', JSON.stringify(ch));
      assert.equal(ch.protocol, '', JSON.stringify(ch));
      assert.equal(ch.channelProtocol, `from=${a.peerId}`, JSON.stringify(ch));
      assert.equal(ch.binaryType, 'arraybuffer', JSON.stringify(ch));
      assert.equal(ch.ordered, true, JSON.stringify(ch));
      chatAt.set(p, ch.index);
      const events = (await p.events('datachannel')).filter((e) => e.detail.label === 'chat');
      assert.equal(events.length, 1, JSON.stringify(events));
    }
    h.mark('relayed chat channels open');

    // 1,000 strings, then '' and a binary message, sent at once (~140 KB: no back-pressure needed).
    const sent = await a.evaluate(
      ({ count, binary }) => {
        const ch = window.sy.channels.get('chat');
        const text = 'x'.repeat(100);
        let maxBuffered = 0;
        for (let i = 0; i < count; i++) {
          ch.send(JSON.stringify({ msg: `msg ${i}`, i, text }));
          maxBuffered = Math.max(maxBuffered, ch.bufferedAmount);
        }
        ch.send('');
        ch.send(new Uint8Array(binary).buffer);
        return { maxBuffered, at: Date.now() };
      },
      { count: kCount, binary: kBinary },
    );
    for (const p of others) {
      await h
        .waitFor(
          `${p.label}: ${kCount + 2} chat messages`,
          async () => (await p.call('remoteChannelList'))[chatAt.get(p)].count >= kCount + 2,
          { timeoutMs: 30000, intervalMs: 100 },
        )
        .catch(async (e) => {
          e.message += `\n${p.label} channels: ${JSON.stringify(await p.call('remoteChannelList'))}`;
          throw e;
        });
    }
    const elapsed = Date.now() - t0;
    for (const p of others) {
      const check = await p.evaluate(
        ({ index, count, binary }) => {
          const entry = window.sy.remoteChannels[index];
          const m = entry.messages;
          const problems = [];
          const text = 'x'.repeat(100);
          for (let i = 0; i < count && problems.length < 5; i++) {
            let parsed = null;
            try {
              parsed = typeof m[i] === 'string' ? JSON.parse(m[i]) : null;
            } catch {
              // reported below
            }
            if (!parsed || parsed.i !== i || parsed.msg !== `msg ${i}` || parsed.text !== text) {
              problems.push(`message ${i}: ${typeof m[i] === 'string' ? m[i].slice(0, 80) : Object.prototype.toString.call(m[i])}`);
            }
          }
          const empty = m[count];
          if (empty !== '') problems.push(`message ${count} is not an empty string: ${JSON.stringify(empty)} (${typeof empty})`);
          const bin = m[count + 1];
          if (!(bin instanceof ArrayBuffer)) {
            problems.push(`message ${count + 1} is not an ArrayBuffer: ${Object.prototype.toString.call(bin)}`);
          } else {
            const bytes = [...new Uint8Array(bin)];
            if (bytes.length !== binary.length || bytes.some((x, i) => x !== binary[i])) {
              problems.push(`message ${count + 1}: ${bytes.length} bytes differ from the ${binary.length} sent`);
            }
          }
          if (m.length !== count + 2) problems.push(`${m.length} messages, ${count + 2} expected`);
          return { problems, count: m.length, lastAt: entry.lastAt };
        },
        { index: chatAt.get(p), count: kCount, binary: kBinary },
      );
      assert.deepEqual(check.problems, [], `${p.label}: ${JSON.stringify(check)}`);
    }
    t.diagnostic(`${kCount} chat messages + '' + ${kBinary.length}-byte binary at 3 peers in ${elapsed} ms (max bufferedAmount at a: ${sent.maxBuffered} bytes)`);

    // A directed channel: only c gets it.
    const dm = await a.call('createChannel', 'dm', 'dm', { to: c.peerId });
    assert.equal(dm.protocol, `to=${c.peerId}`, JSON.stringify(dm));
    await h.waitFor('a: dm open', async () => (await a.call('channelState', 'dm')).readyState === 'open');
    const cDm = await h.waitFor("c: a 'dm' channel from a", async () => (await c.call('remoteChannelList')).find((x) => x.label === 'dm'));
    assert.equal(cDm.peerId, a.peerId, JSON.stringify(cDm));
    assert.equal(cDm.channelProtocol, `from=${a.peerId}`, JSON.stringify(cDm));
    await a.call('send', 'dm', 'hello c');
    await a.call('send', 'dm', 'second');
    await h.waitFor('c: 2 dm messages', async () => (await c.call('remoteChannelList'))[cDm.index].count >= 2);
    assert.deepEqual(await c.call('remoteMessages', cDm.index), [{ s: 'hello c' }, { s: 'second' }]);
    // Relayed channels are receive-only: what b sends on its 'chat' channel from a reaches nobody.
    await b.evaluate((index) => window.sy.remoteChannels[index].channel.send('dropped by the server'), chatAt.get(b));
    await delay(1500);
    for (const p of [b, d]) {
      const list = await p.call('remoteChannelList');
      assert.ok(!list.some((x) => x.label === 'dm'), `${p.label} got the dm channel: ${JSON.stringify(list)}`);
    }
    for (const p of [c, d]) {
      const list = await p.call('remoteChannelList');
      assert.equal(list[chatAt.get(p)].count, kCount + 2, `${p.label} got more chat messages: ${JSON.stringify(list)}`);
      assert.equal(list.length, p === c ? 2 : 1, `${p.label}: ${JSON.stringify(list)}`);
    }
    assert.equal((await a.call('remoteChannelList')).length, 0, 'a got a channel');

    // Closing a's chat channel closes the three relayed ones.
    await a.call('closeChannel', 'chat');
    for (const p of others) {
      await h.waitFor(`${p.label}: relayed chat channel closed`, async () => (await p.call('remoteChannelList'))[chatAt.get(p)].readyState === 'closed');
    }
    const cList = await c.call('remoteChannelList');
    assert.equal(cList[cDm.index].readyState, 'open', `closing chat closed dm: ${JSON.stringify(cList)}`);
    for (const p of peers) assert.deepEqual(await p.events('error'), [], `${p.label} had errors`);

    // a leaves: its channels are closed at a, and the relayed dm channel at c closes.
    await a.call('leave');
    const aDm = await a.call('channelState', 'dm');
    assert.ok(aDm.readyState === 'closed' || aDm.readyState === 'closing', JSON.stringify(aDm));
    assert.equal(await a.evaluate(() => window.sy.client.dataChannels.size), 0);
    await h.waitFor('c: relayed dm channel closed after a left', async () => (await c.call('remoteChannelList'))[cDm.index].readyState === 'closed');
  },
  { timeoutMs: 60000 },
);
