// Two Chromium peers, data only: a sends a 20 MiB file of random bytes in 64 KiB chunks on a
// reliable ordered channel, keeping bufferedAmount under 1 MiB ('bufferedamountlow'); b gets every
// byte, in order: the SHA-256 of what b received equals the one a computed.
import assert from 'node:assert/strict';
import { e2eTest } from './lib/harness.mjs';

const kFileBytes = 20 * 1024 * 1024;
const kChunk = 64 * 1024;
const kMaxBuffered = 1024 * 1024;

e2eTest(
  'data channels: a 20 MiB file arrives intact',
  async (h, t) => {
    const server = await h.startServer();
    const chromium = await h.chromium();
    const a = await chromium.newPeer(server, 'a');
    const b = await chromium.newPeer(server, 'b');
    const room = h.room();
    for (const p of [a, b]) {
      const joined = await p.join(room, { dataChannels: true });
      p.peerId = joined.peerId;
    }
    for (const p of [a, b]) {
      await h.waitFor(`${p.label}: SCTP transport connected`, async () => (await p.call('sctpState')) === 'connected', { timeoutMs: 30000 });
    }
    await a.call('createChannel', 'file', 'file', { protocol: 'file-transfer' });
    await h.waitFor('a: file channel open', async () => (await a.call('channelState', 'file')).readyState === 'open');
    const relayed = await h.waitFor("b: a 'file' channel from a", async () => (await b.call('remoteChannelList')).find((x) => x.label === 'file'));
    assert.equal(relayed.peerId, a.peerId, JSON.stringify(relayed));
    assert.equal(relayed.protocol, 'file-transfer', JSON.stringify(relayed));
    assert.equal(relayed.channelProtocol, `from=${a.peerId};file-transfer`, JSON.stringify(relayed));
    h.mark('file channel open at b');

    // a: the file, its digest, then the transfer in the background (polled below).
    const source = await a.evaluate(
      async ({ fileBytes, chunk, maxBuffered }) => {
        const file = new Uint8Array(fileBytes);
        for (let at = 0; at < fileBytes; at += chunk) crypto.getRandomValues(file.subarray(at, Math.min(at + chunk, fileBytes)));
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', file));
        const ch = window.sy.channels.get('file');
        const progress = { sent: 0, maxBufferedAmount: 0, waits: 0, startedAt: Date.now(), doneAt: null, error: null };
        window.fileSend = progress;
        ch.bufferedAmountLowThreshold = maxBuffered / 4;
        const lowered = () =>
          new Promise((resolve, reject) => {
            const onClose = () => reject(new Error(`channel ${ch.readyState} after ${progress.sent} bytes`));
            ch.addEventListener('close', onClose, { once: true });
            ch.addEventListener(
              'bufferedamountlow',
              () => {
                ch.removeEventListener('close', onClose);
                resolve();
              },
              { once: true },
            );
          });
        (async () => {
          for (let at = 0; at < fileBytes; at += chunk) {
            const end = Math.min(at + chunk, fileBytes);
            if (ch.bufferedAmount + (end - at) > maxBuffered) {
              progress.waits += 1;
              await lowered();
            }
            ch.send(file.slice(at, end).buffer);
            progress.sent = end;
            progress.maxBufferedAmount = Math.max(progress.maxBufferedAmount, ch.bufferedAmount);
          }
          progress.doneAt = Date.now();
        })().catch((e) => {
          progress.error = String(e);
        });
        return { sha256: [...digest].map((x) => x.toString(16).padStart(2, '0')).join(''), startedAt: progress.startedAt };
      },
      { fileBytes: kFileBytes, chunk: kChunk, maxBuffered: kMaxBuffered },
    );
    h.mark('a sending');

    let progress;
    let received;
    await h
      .waitFor(
        `b: ${kFileBytes} bytes`,
        async () => {
          progress = await a.evaluate(() => window.fileSend);
          if (progress.error) throw new Error(`a: ${progress.error}`);
          received = (await b.call('remoteChannelList'))[relayed.index];
          return received.bytes >= kFileBytes;
        },
        { timeoutMs: 60000, intervalMs: 250 },
      )
      .catch((e) => {
        e.message += `\na: ${JSON.stringify(progress)}\nb: ${JSON.stringify(received)}`;
        throw e;
      });
    const timing = await b.evaluate((index) => {
      const e = window.sy.remoteChannels[index];
      return { firstAt: e.firstAt, lastAt: e.lastAt };
    }, relayed.index);
    h.mark('b has every byte');
    const result = await b.call('remoteDigest', relayed.index);
    assert.equal(result.bytes, kFileBytes, JSON.stringify(result));
    assert.equal(received.count, kFileBytes / kChunk, JSON.stringify(received));
    assert.equal(result.sha256, source.sha256, 'the SHA-256 of what b received differs from what a sent');
    assert.ok(progress.maxBufferedAmount <= kMaxBuffered, JSON.stringify(progress));

    const secs = (timing.lastAt - source.startedAt) / 1000;
    const mbps = kFileBytes / 1e6 / secs;
    t.diagnostic(
      `20 MiB a -> server -> b in ${secs.toFixed(2)} s: ${mbps.toFixed(1)} MB/s ` +
        `(first byte after ${timing.firstAt - source.startedAt} ms; a waited for bufferedamountlow ${progress.waits} times, ` +
        `max bufferedAmount ${progress.maxBufferedAmount}; sha256 ${result.sha256.slice(0, 16)}...)`,
    );
    for (const p of [a, b]) assert.deepEqual(await p.events('error'), [], `${p.label} had errors`);
  },
  { timeoutMs: 90000 },
);
