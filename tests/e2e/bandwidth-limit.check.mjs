// Checks lib/bandwidth.mjs alone, without a browser: a UDP blast over loopback at several offered
// rates through the cap (installed, changed live, lifted), with the received rate and the one-way
// delay of the packets. Not a ctest test; run by hand, as root:
//   node tests/e2e/bandwidth-limit.check.mjs
// Seen on the dev machine (1200-byte payloads, 3 s each, rates of payload bytes, one-way delay p50):
//   no cap, 2000 offered: 1942 received, 0.1 ms
//   cap 400: 2000 offered -> 400, 71 ms (queue full: 80 ms of latency, the rest dropped); 300 -> 291
//     (all), 0.2 ms
//   cap 1000 (changed live): 2000 -> 995, 76 ms;  cap 300: 3000 -> 304, 97 ms (the queue's floor
//     of 3 full packets is 120 ms at 300 kbit/s)
//   cap 3000: 2000 -> all, 0.1 ms; 5000 -> 2982, 76 ms;  lifted: 5000 -> all, 0.1 ms
// (With a burst of 3 packets instead of 1, cap 400 passed 410 and cap 300 passed 314.)
import dgram from 'node:dgram';
import { BandwidthLimit } from './lib/bandwidth.mjs';

const rx = dgram.createSocket('udp4');
const tx = dgram.createSocket('udp4');
await new Promise((r) => rx.bind(0, '127.0.0.1', r));
const port = rx.address().port;
let bytes = 0;
let packets = 0;
let delays = [];
rx.on('message', (m) => {
  bytes += m.length;
  packets++;
  delays.push(Number(process.hrtime.bigint() - m.readBigUInt64BE(0)) / 1e6);
});
const cap = BandwidthLimit.require();

async function blast(offeredKbit, ms = 3000) {
  bytes = 0;
  packets = 0;
  delays = [];
  const tickMs = 5;
  const perTick = ((offeredKbit * 1000) / 8 / 1200) * (tickMs / 1000);
  const t0 = Date.now();
  let sent = 0;
  let due = 0;
  while (Date.now() - t0 < ms) {
    due += perTick;
    for (; due >= 1; due--) {
      const buf = Buffer.alloc(1200);
      buf.writeBigUInt64BE(process.hrtime.bigint(), 0);
      tx.send(buf, port, '127.0.0.1');
      sent++;
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  await new Promise((r) => setTimeout(r, 300));
  delays.sort((x, y) => x - y);
  const p = (q) => (delays.length ? delays[Math.min(delays.length - 1, Math.floor(q * delays.length))].toFixed(1) : '-');
  return `offered ${offeredKbit} kbit/s: sent ${sent}, received ${packets} = ${Math.round((bytes * 8) / ms)} kbit/s, delay p50 ${p(0.5)} ms p95 ${p(0.95)} ms`;
}

try {
  console.log(`no cap       ${await blast(2000)}`);
  cap.install(port, 400);
  console.log(`cap 400      ${await blast(2000)}  ${JSON.stringify(cap.counters())}`);
  console.log(`cap 400      ${await blast(300)}`);
  cap.set(1000);
  console.log(`cap 1000     ${await blast(2000)}`);
  cap.set(300);
  console.log(`cap 300      ${await blast(3000)}`);
  cap.set(3000);
  console.log(`cap 3000     ${await blast(2000)}`);
  console.log(`cap 3000     ${await blast(5000)}`);
  cap.lift();
  console.log(`lifted       ${await blast(5000)}`);
} finally {
  cap.remove();
  rx.close();
  tx.close();
}
console.log(`after remove: root qdisc ${JSON.stringify(cap.rootQdisc())}`);
