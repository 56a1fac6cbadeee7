// First-frame latency: how long a new peer waits, from its WebSocket opening to the first decoded
// frame of a peer already publishing in the room. Not a ctest test; run by hand:
//   node tests/e2e/first-frame.bench.mjs [runs=20]
// (SWITCHYARD_SERVER_BINARY: the server binary, default build/test/server/switchyard.)
// Each run opens a new page of one headless Chromium, joins (client.join opens the WebSocket:
// client.timeline.wsOpen), subscribes, and stamps the first frame twice: requestVideoFrameCallback
// on a <video> playing the remote track (presentation), and getStats framesDecoded > 0 polled
// every 5 ms (decode). Prints every run and median / p90 as Markdown.
import { startServer } from './lib/server.mjs';
import { launchChromium } from './lib/browser.mjs';

const runs = Number(process.argv[2] || 20);

// Runs in the new page: join, wait for the first remote video frame, return the marks.
async function measure(room) {
  const { SwitchyardClient } = await import('/switchyard.js');
  const client = new SwitchyardClient();
  window.benchClient = client;
  const marks = {};
  const framePresented = new Promise((resolve) => {
    client.addEventListener('track', (e) => {
      if (e.detail.kind !== 'video') return;
      marks.track = performance.now();
      const v = document.createElement('video');
      v.muted = true;
      v.playsInline = true;
      v.srcObject = new MediaStream([e.detail.track]);
      document.body.appendChild(v);
      v.requestVideoFrameCallback(() => resolve(performance.now()));
      v.play().catch(() => {});
    });
  });
  const frameDecoded = (async () => {
    for (;;) {
      if (client.pc) {
        const report = await client.pc.getStats();
        let decoded = false;
        report.forEach((s) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video' && s.framesDecoded > 0) decoded = true;
        });
        if (decoded) return performance.now();
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  await client.join(room, { name: 'bench' });
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no frame within 15 s')), 15000));
  const [presented, decoded] = await Promise.race([Promise.all([framePresented, frameDecoded]), timeout]);
  const t = client.timeline;
  const from = t.wsOpen;
  const out = {
    joined: t.joined - from,
    firstAnswer: t.firstAnswer - from,
    connected: t.connected - from,
    track: marks.track - from,
    decoded: decoded - from,
    presented: presented - from,
  };
  await client.leave();
  return out;
}

function quantile(values, q) {
  const s = [...values].sort((x, y) => x - y);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}

const server = await startServer();
const browser = await launchChromium();
const results = [];
let failure;
try {
  const room = `bench-${process.pid}`;
  const publisher = await browser.newPeer(server, 'publisher');
  await publisher.join(room);
  await publisher.publish({ audio: true, video: true });
  // Let the publisher's transport come up before the first run.
  for (let i = 0; i < 200; i++) {
    const st = await publisher.stats();
    if (st.outbound.some((o) => o.kind === 'video' && o.framesEncoded > 15)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPeer(server, `viewer-${i + 1}`);
    try {
      results.push(await page.evaluate(measure, room));
    } finally {
      await page.close();
    }
  }
} catch (e) {
  failure = e;
} finally {
  await browser.close().catch((e) => console.error(e));
  await server.stop().catch((e) => {
    failure = failure || e;
  });
}

const cols = ['joined', 'firstAnswer', 'connected', 'track', 'decoded', 'presented'];
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
console.log(`First remote video frame after the WebSocket opens (ms; headless Chromium ${browser.version}, 320x240 @ 15 fps, loopback, ${results.length} runs)\n`);
console.log(`| run | ${cols.join(' | ')} |`);
console.log(`|---|${cols.map(() => '---:').join('|')}|`);
results.forEach((r, i) => console.log(`| ${i + 1} | ${cols.map((c) => fmt(r[c])).join(' | ')} |`));
if (results.length) {
  for (const [label, q] of [['median', 0.5], ['p90', 0.9]]) {
    console.log(`| **${label}** | ${cols.map((c) => `**${fmt(quantile(results.map((r) => r[c]), q))}**`).join(' | ')} |`);
  }
}
console.log(`\njoined: \`joined\` reply; firstAnswer: first answer applied; connected: the RTCPeerConnection connected (ICE + DTLS); track: 'track' event; decoded: getStats framesDecoded > 0 (5 ms polls); presented: requestVideoFrameCallback.`);
if (failure) {
  console.error(failure);
  process.exitCode = 1;
}
