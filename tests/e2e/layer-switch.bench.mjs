// Layer-switch time after a bandwidth step: how long the server's per-subscriber bandwidth estimate
// takes to move a subscriber to the low simulcast layer when its downlink drops, and back to the
// high layer when the downlink recovers. Not a ctest test; run by hand, as root:
//   node tests/e2e/layer-switch.bench.mjs [cycles=4] [highKbit=3000] [lowKbit=250]
// (SWITCHYARD_SERVER_BINARY: the server binary, default build/test/server/switchyard.)
// One headless Chromium hosts publisher a (1280x720 fake camera, VP8 simulcast q/h/f, lowest first),
// subscriber b (no cap: keeps every layer needed at a, so the switch time is the server's alone) and
// subscriber c, whose downlink is capped with tc (lib/bandwidth.mjs) at highKbit, then stepped to
// lowKbit and back `cycles` times. After each step c's decoded frameWidth is polled every 100 ms:
// the time from the step to the first frame of the new layer (<= 320 wide down, 1280 up) is the
// switch time; a step that does not switch within its bound (30 s down, 45 s up) counts as a
// timeout; a step taken while c is not on the other layer (the previous one did not switch) is not
// counted. Also per step: c's freeze time and PLIs until the switch. Prints Markdown tables.
import { startServer } from './lib/server.mjs';
import { launchChromium } from './lib/browser.mjs';
import { BandwidthLimit, udpPortOf } from './lib/bandwidth.mjs';
import { publishSimulcast } from './lib/simulcast.mjs';

const cycles = Number(process.argv[2] || 4);
const highKbit = Number(process.argv[3] || 3000);
const lowKbit = Number(process.argv[4] || 250); // q (~125 kbit/s) fits, h (~350) does not
const kLowMaxWidth = 320;
const kHighWidth = 1280;
const kDownBoundMs = 30000;
const kUpBoundMs = 45000;
const kHoldMs = 5000; // on each level after the switch, before the next step
const kPollMs = 100;
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

// Polls c until done(stats) or boundMs: {ms (null on timeout), stats}.
async function waitSwitch(c, done, boundMs) {
  const t0 = Date.now();
  let s = null;
  while (Date.now() - t0 <= boundMs) {
    s = await inbound(c);
    if (s && done(s)) return { ms: Date.now() - t0, stats: s };
    await delay(kPollMs);
  }
  return { ms: null, stats: s };
}

const median = (xs) => {
  if (!xs.length) return null;
  const v = [...xs].sort((x, y) => x - y);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

const cap = BandwidthLimit.require();
const server = await startServer({ workers: 1 });
const browser = await launchChromium();
const rows = []; // {cycle, direction, fromKbit, toKbit, ms, freezeS, plis, width}
const waiter = {
  async waitFor(what, fn, { timeoutMs = 20000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await fn();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await delay(100);
    }
  },
};
let failure = null;
try {
  const a = await browser.newPeer(server, 'a');
  const b = await browser.newPeer(server, 'b');
  const c = await browser.newPeer(server, 'c');
  const room = `bench-layer-switch-${process.pid}`;
  await a.join(room);
  await a.evaluate(publishSimulcast);
  await b.join(room);
  await c.join(room);
  process.stderr.write('waiting for c to decode 1280 wide ...');
  await waiter.waitFor('c on 1280', async () => {
    const s = await inbound(c);
    return s && s.frameWidth === kHighWidth && s.framesDecoded > 30;
  }, { timeoutMs: 40000 });
  process.stderr.write(' ok\n');
  cap.install(await udpPortOf(waiter, c), highKbit);
  process.stderr.write(`c capped at ${highKbit} kbit/s; settling ...`);
  const settled = await waitSwitch(c, (s) => s.frameWidth === kHighWidth, kUpBoundMs);
  await delay(kHoldMs);
  process.stderr.write(settled.ms === null ? ` c not on ${kHighWidth} at ${highKbit} kbit/s (${settled.stats && settled.stats.frameWidth})\n` : ' ok\n');
  for (let cycle = 1; cycle <= cycles; cycle++) {
    for (const [direction, toKbit, fromKbit, done, bound] of [
      ['down', lowKbit, highKbit, (s) => s.frameWidth > 0 && s.frameWidth <= kLowMaxWidth, kDownBoundMs],
      ['up', highKbit, lowKbit, (s) => s.frameWidth === kHighWidth, kUpBoundMs],
    ]) {
      process.stderr.write(`cycle ${cycle}/${cycles}: ${fromKbit} -> ${toKbit} kbit/s ...`);
      const before = await inbound(c);
      // A step counts only from the other layer (a down step that never switched makes the next up
      // step meaningless).
      const from = !before ? false : direction === 'down' ? before.frameWidth === kHighWidth : before.frameWidth <= kLowMaxWidth;
      cap.set(toKbit);
      const r = from ? await waitSwitch(c, done, bound) : { ms: null, stats: await inbound(c) };
      const after = r.stats || before;
      const d = (k) => (after[k] ?? 0) - (before[k] ?? 0);
      rows.push({ cycle, direction, fromKbit, toKbit, from, ms: r.ms, freezeS: d('totalFreezesDuration'), plis: d('pliCount'), width: after.frameWidth });
      if (!from) process.stderr.write(` c was not on the ${direction === 'down' ? 'high' : 'low'} layer before the step (${before && before.frameWidth} wide): not counted\n`);
      else process.stderr.write(r.ms === null ? ` no switch within ${bound} ms (frameWidth ${after.frameWidth})\n` : ` ${after.frameWidth} wide after ${r.ms} ms\n`);
      await delay(kHoldMs);
    }
  }
} catch (e) {
  failure = e;
} finally {
  try {
    cap.remove();
  } catch (e) {
    console.error(String(e));
  }
  await browser.close().catch((e) => console.error(e));
  await server.stop().catch((e) => console.error(String(e)));
}
if (failure) {
  console.error(failure);
  process.exitCode = 1;
}
console.log(`Layer switch after a downlink step, c capped with tc (${highKbit} <-> ${lowKbit} kbit/s); a sends q 320 / h 640 / f 1280.\n`);
console.log('| cycle | step (kbit/s) | switch time (ms) | c frameWidth after | c freeze until switch (s) | c PLIs until switch |');
console.log('|---:|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.cycle} | ${r.fromKbit} → ${r.toKbit} (${r.direction}) | ${!r.from ? 'not counted' : r.ms === null ? 'timeout' : r.ms} | ${r.width} | ${r.freezeS.toFixed(2)} | ${r.plis} |`);
}
console.log('\n| direction | steps counted | switched in bound | median (ms) | max (ms) |');
console.log('|---|---:|---:|---:|---:|');
for (const direction of ['down', 'up']) {
  const all = rows.filter((r) => r.direction === direction && r.from);
  const times = all.filter((r) => r.ms !== null).map((r) => r.ms);
  console.log(`| ${direction} | ${all.length} | ${times.length} | ${times.length ? median(times) : '-'} | ${times.length ? Math.max(...times) : '-'} |`);
}
