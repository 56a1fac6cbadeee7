// Video recovery under random packet loss: seconds of video freeze per minute at a subscriber, at
// 0%, 1%, 5% and 10% loss (nftables on the server's media ports, both directions; see
// lib/packet-loss.mjs). Not a ctest test; run by hand, as root:
//   node tests/e2e/loss-recovery.bench.mjs [secondsPerLevel=60]
// (SWITCHYARD_SERVER_BINARY: the server binary, default build/test/server/switchyard.)
// One headless Chromium hosts publisher a (fake camera 320x240, VP8, audio) and subscriber b; for
// each loss level b's inbound video stats are read before and after: freeze time
// (totalFreezesDuration) scaled to one minute, frames decoded per second, NACKs sent, packets lost
// after repair; and a's encoder frame rate. Prints a Markdown table.
import { startServer } from './lib/server.mjs';
import { launchChromium } from './lib/browser.mjs';
import { PacketLoss, mediaUdpPorts } from './lib/packet-loss.mjs';

const seconds = Number(process.argv[2] || 60);
const levels = [0, 1, 5, 10];
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

function inbound(peer) {
  return peer.evaluate(async () => {
    for (const t of window.sy.client.remoteTracks.values()) {
      if (t.kind !== 'video') continue;
      let out = null;
      (await t.transceiver.receiver.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp') out = { ...s };
      });
      return out;
    }
    return null;
  });
}

function outbound(peer) {
  return peer.evaluate(async () => {
    for (const t of window.sy.client.localTracks.values()) {
      if (t.kind !== 'video') continue;
      let out = null;
      (await t.transceiver.sender.getStats()).forEach((s) => {
        if (s.type === 'outbound-rtp') out = { ...s };
      });
      return out;
    }
    return null;
  });
}

const workers = 2;
const server = await startServer({ workers });  // info: the media ports are in the log
const browser = await launchChromium();
const loss = PacketLoss.require(`switchyard_bench_loss_${process.pid}`);
const rows = [];
try {
  // mediaUdpPorts waits through a harness's waitFor; a small one does here.
  const waiter = {
    async waitFor(what, fn) {
      for (let i = 0; i < 50; i++) {
        const value = await fn();
        if (value) return value;
        await delay(100);
      }
      throw new Error(`timed out waiting for ${what}`);
    },
  };
  const ports = await mediaUdpPorts(waiter, server, workers);
  const a = await browser.newPeer(server, 'a');
  const b = await browser.newPeer(server, 'b');
  const room = `bench-loss-${process.pid}`;
  await a.join(room);
  await b.join(room);
  await a.publish({ videoCodec: 'VP8' });
  for (let i = 0; i < 100; i++) {
    const s = await inbound(b);
    if (s && s.framesDecoded > 30) break;
    await delay(200);
  }
  for (const percent of levels) {
    process.stderr.write(`${percent}% loss for ${seconds} s ...`);
    if (percent > 0) loss.install(ports, percent);
    const [b0, a0] = [await inbound(b), await outbound(a)];
    const t0 = Date.now();
    await delay(seconds * 1000);
    const [b1, a1] = [await inbound(b), await outbound(a)];
    const dropped = percent > 0 ? loss.counters() : null;
    loss.remove();
    const secs = (Date.now() - t0) / 1000;
    const d = (k, x0, x1) => (x1[k] ?? 0) - (x0[k] ?? 0);
    rows.push({
      percent,
      measured: dropped ? ((dropped.toServer.dropped + dropped.fromServer.dropped) / Math.max(1, dropped.toServer.packets + dropped.fromServer.packets)) * 100 : 0,
      freezePerMinute: (d('totalFreezesDuration', b0, b1) / secs) * 60,
      freezes: d('freezeCount', b0, b1),
      fps: d('framesDecoded', b0, b1) / secs,
      encodedFps: d('framesEncoded', a0, a1) / secs,
      nacks: d('nackCount', b0, b1),
      lost: d('packetsLost', b0, b1),
      keyframes: d('keyFramesDecoded', b0, b1),
    });
    process.stderr.write(' done\n');
    await delay(3000);  // settle between levels
  }
} finally {
  try {
    loss.remove();
  } catch (e) {
    console.error(String(e));
  }
  await browser.close().catch((e) => console.error(e));
  await server.stop().catch((e) => console.error(String(e)));
}
console.log(`| loss (set) | dropped (measured) | freeze s/min | freezes | decoded fps | a encoded fps | NACKs sent by b | packets lost after repair | keyframes decoded |`);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.percent}% | ${r.measured.toFixed(1)}% | ${r.freezePerMinute.toFixed(2)} | ${r.freezes} | ${r.fps.toFixed(1)} | ${r.encodedFps.toFixed(1)} | ${r.nacks} | ${r.lost} | ${r.keyframes} |`);
}
