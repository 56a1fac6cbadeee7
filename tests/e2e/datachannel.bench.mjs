// Data-channel throughput and message rate between two Chromium peers, relayed by Switchyard, and
// the same between the two pages connected directly (RTCPeerConnection to RTCPeerConnection over
// loopback, no server) as the baseline of this machine, in one run. Not a ctest test; run by hand:
//   node tests/e2e/datachannel.bench.mjs [runs=3] [megabytes=64] [messages=50000]
// (SWITCHYARD_SERVER_BINARY: the server binary, default build/test/server/switchyard.)
// Throughput: `megabytes` MiB in 64 KiB binary messages on a reliable ordered channel, the sender
// keeping bufferedAmount under 4 MiB; MB/s = bytes / (last arrival - first send) at the receiver.
// Message rate: `messages` 100-byte string messages on a reliable ordered channel, the sender
// keeping bufferedAmount under 1 MiB; msgs/s likewise. Prints every run and the medians as Markdown.
import { startServer } from './lib/server.mjs';
import { launchChromium } from './lib/browser.mjs';

const runs = Number(process.argv[2] || 3);
const megabytes = Number(process.argv[3] || 64);
const messageCount = Number(process.argv[4] || 50000);
const kChunk = 64 * 1024;

// In a page: the receiving side. Resolves window.benchDone when `expected` messages arrived.
function installReceiver() {
  window.benchReceive = (channel, expected) => {
    const stats = { count: 0, bytes: 0, first: 0, last: 0 };
    window.benchStats = stats;
    window.benchDone = new Promise((resolve) => {
      channel.binaryType = 'arraybuffer';
      channel.onmessage = (m) => {
        const now = performance.now();
        if (stats.count === 0) stats.first = now;
        stats.count += 1;
        stats.bytes += typeof m.data === 'string' ? m.data.length : m.data.byteLength;
        stats.last = now;
        if (stats.count === expected) resolve(stats);
      };
    });
  };
}

// In a page: sends `count` messages (binary of `size` bytes, or strings of `size` characters) with
// bufferedAmount kept under `highWater`. Returns the performance.now() of the first send.
async function sendAll({ count, size, binary, highWater, key }) {
  const channel = window[key];
  channel.bufferedAmountLowThreshold = highWater / 2;
  const payload = binary ? new Uint8Array(size).fill(7).buffer : 'x'.repeat(size);
  const start = performance.now();
  for (let i = 0; i < count; i += 1) {
    if (channel.bufferedAmount + size > highWater) {
      await new Promise((resolve) => channel.addEventListener('bufferedamountlow', resolve, { once: true }));
    }
    channel.send(payload);
  }
  return start;
}

// The two pages' performance.now() clocks have different origins: performance.timeOrigin converts
// both to one time line.
async function measure(sender, receiver, key, { count, size, binary, highWater }) {
  await receiver.evaluate(([k, n]) => window.benchReceive(window[k], n), [key, count]);
  const [senderOrigin, receiverOrigin] = await Promise.all([
    sender.evaluate(() => performance.timeOrigin),
    receiver.evaluate(() => performance.timeOrigin),
  ]);
  const start = await sender.evaluate(sendAll, { count, size, binary, highWater, key });
  const stats = await receiver.evaluate(
    (ms) => Promise.race([window.benchDone, new Promise((_, r) => setTimeout(() => r(new Error('timeout')), ms))]),
    120000,
  );
  const seconds = (receiverOrigin + stats.last - (senderOrigin + start)) / 1000;
  return { seconds, bytes: stats.bytes, count: stats.count };
}

// Two pages of the same server origin, joined to one room; a opens channel `label`, b gets it.
async function viaSwitchyard(browser, server, room) {
  const a = await browser.newPeer(server, 'a');
  const b = await browser.newPeer(server, 'b');
  for (const p of [a, b]) await p.evaluate(installReceiver);
  await b.evaluate(async (r) => {
    const { SwitchyardClient } = await import('/switchyard.js');
    const client = new SwitchyardClient({ dataChannels: true });
    client.addEventListener('datachannel', (e) => {
      window[`sfu-${e.detail.label}`] = e.detail.channel;
    });
    await client.join(r, { name: 'b' });
    window.benchClient = client;
  }, room);
  await a.evaluate(async (r) => {
    const { SwitchyardClient } = await import('/switchyard.js');
    const client = new SwitchyardClient();
    await client.join(r, { name: 'a' });
    for (const label of ['bulk', 'small']) {
      const ch = client.createDataChannel(label);
      window[`sfu-${label}`] = ch;
      await new Promise((resolve) => ch.addEventListener('open', resolve, { once: true }));
    }
    window.benchClient = client;
  }, room);
  for (const label of ['bulk', 'small']) {
    for (let i = 0; i < 200; i += 1) {
      if (await b.evaluate((k) => Boolean(window[k]) && window[k].readyState === 'open', `sfu-${label}`)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { a, b, prefix: 'sfu-' };
}

// The same two channels over a direct RTCPeerConnection between two pages (signaling by the bench).
async function direct(browser, server) {
  const a = await browser.newPeer(server, 'a-direct');
  const b = await browser.newPeer(server, 'b-direct');
  for (const p of [a, b]) await p.evaluate(installReceiver);
  await b.evaluate(() => {
    window.pc = new RTCPeerConnection();
    window.pc.ondatachannel = (e) => {
      window[`p2p-${e.channel.label}`] = e.channel;
    };
  });
  const offer = await a.evaluate(async () => {
    window.pc = new RTCPeerConnection();
    for (const label of ['bulk', 'small']) window[`p2p-${label}`] = window.pc.createDataChannel(label);
    await window.pc.setLocalDescription();
    await new Promise((r) => (window.pc.iceGatheringState === 'complete' ? r() : (window.pc.onicegatheringstatechange = () => window.pc.iceGatheringState === 'complete' && r())));
    return window.pc.localDescription.toJSON();
  });
  const answer = await b.evaluate(async (o) => {
    await window.pc.setRemoteDescription(o);
    await window.pc.setLocalDescription();
    await new Promise((r) => (window.pc.iceGatheringState === 'complete' ? r() : (window.pc.onicegatheringstatechange = () => window.pc.iceGatheringState === 'complete' && r())));
    return window.pc.localDescription.toJSON();
  }, offer);
  await a.evaluate((s) => window.pc.setRemoteDescription(s), answer);
  for (const label of ['bulk', 'small']) {
    for (let i = 0; i < 200; i += 1) {
      if (await b.evaluate((k) => Boolean(window[k]) && window[k].readyState === 'open', `p2p-${label}`)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { a, b, prefix: 'p2p-' };
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const server = await startServer({ workers: 2, logLevel: 'warn' });
const browser = await launchChromium();
const results = { 'sfu-': { mbps: [], mps: [] }, 'p2p-': { mbps: [], mps: [] } };
try {
  const setups = [await viaSwitchyard(browser, server, `dc-bench-${process.pid}`), await direct(browser, server)];
  const bulkCount = Math.ceil((megabytes * 1024 * 1024) / kChunk);
  console.log('| run | path | MB/s (64 KiB messages) | msgs/s (100-byte messages) |');
  console.log('|---|---|---|---|');
  for (let run = 1; run <= runs; run += 1) {
    for (const { a, b, prefix } of setups) {
      process.stderr.write(`run ${run}/${runs} ${prefix === 'sfu-' ? 'switchyard' : 'direct'}: ${megabytes} MiB ...`);
      const bulk = await measure(a, b, `${prefix}bulk`, { count: bulkCount, size: kChunk, binary: true, highWater: 4 * 1024 * 1024 });
      process.stderr.write(` ${messageCount} messages ...`);
      const small = await measure(a, b, `${prefix}small`, { count: messageCount, size: 100, binary: false, highWater: 1024 * 1024 });
      process.stderr.write(' done\n');
      const mbps = bulk.bytes / 1e6 / bulk.seconds;
      const mps = small.count / small.seconds;
      results[prefix].mbps.push(mbps);
      results[prefix].mps.push(mps);
      console.log(`| ${run} | ${prefix === 'sfu-' ? 'via Switchyard' : 'direct (no server)'} | ${mbps.toFixed(1)} | ${Math.round(mps)} |`);
    }
  }
  const sfu = results['sfu-'];
  const p2p = results['p2p-'];
  console.log('');
  console.log('| path | median MB/s | median msgs/s |');
  console.log('|---|---|---|');
  console.log(`| via Switchyard | ${median(sfu.mbps).toFixed(1)} | ${Math.round(median(sfu.mps))} |`);
  console.log(`| direct (no server) | ${median(p2p.mbps).toFixed(1)} | ${Math.round(median(p2p.mps))} |`);
  console.log(`| ratio | ${(median(sfu.mbps) / median(p2p.mbps)).toFixed(2)} | ${(median(sfu.mps) / median(p2p.mps)).toFixed(2)} |`);
} finally {
  await browser.close().catch((e) => console.error(e));
  await server.stop().catch((e) => console.error(String(e)));
}
