// A receiver that stops reading does not grow the server: two Chromium instances, a (sender) and
// b (receiver, data only). With sctp.max_buffered_bytes_per_peer and sctp.receive_buffer_bytes at
// 1 MiB, b's whole browser is frozen (SIGSTOP) for ~8 s while a sends 64 KiB chunks on a reliable
// channel as fast as its flow control allows (bufferedAmount kept at or under 8 MiB). The server's
// RSS stays within baseline + 2 * (1 MiB + 1 MiB) + slack, a's bufferedAmount fills to its
// high-water mark and stays there (the back-pressure reached the sender), and after SIGCONT every
// chunk arrives at b, complete and in order, and a's buffer drains. The server's counters for a
// (logged when a leaves) show read pauses.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { delay, e2eTest } from './lib/harness.mjs';

const MiB = 1024 * 1024;
const kChunk = 64 * 1024;
const kHighWater = 8 * MiB; // Chromium closes a channel whose buffer passes 16 MiB
const kFreezeMs = 8000; // well under the 30 s ICE consent timeout
const kServerBuffer = 1 * MiB; // sctp.max_buffered_bytes_per_peer
const kServerWindow = 1 * MiB; // sctp.receive_buffer_bytes
const kRssSlack = 24 * MiB; // allocator noise
const kRssBound = 2 * (kServerBuffer + kServerWindow) + kRssSlack;
// What a can hand to its channel while b is frozen: its own buffer, the server's window and send
// buffer toward b, the message the server holds, and what was in flight toward b and b's kernel
// socket buffer when it froze. An unthrottled sender pushes hundreds of MiB in the same time.
const kSentBound = kHighWater + 2 * (kServerBuffer + kServerWindow) + 4 * MiB;

function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

// Every process of one browser instance: those naming its (unique) user data dir, and their
// descendants.
function browserPids(userDataDir) {
  let named = [];
  try {
    named = execFileSync('pgrep', ['-f', userDataDir], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch (e) {
    if (e.status !== 1) throw e; // 1: none
  }
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone
    }
  }
  const all = new Set();
  const visit = (pid) => {
    if (all.has(pid) || pid === process.pid) return;
    all.add(pid);
    for (const c of children.get(pid) || []) visit(c);
  };
  named.forEach(visit);
  return [...all];
}

function signalAll(pids, signal) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

e2eTest(
  'data channels: a frozen reader does not grow the server, the sender is held back, and nothing is lost',
  async (h, t) => {
    const asan = process.env.ASAN_OPTIONS ? `${process.env.ASAN_OPTIONS}:quarantine_size_mb=8` : 'quarantine_size_mb=8';
    const server = await h.startServer({
      env: {
        SWITCHYARD_SCTP_MAX_BUFFERED_BYTES_PER_PEER: String(kServerBuffer),
        SWITCHYARD_SCTP_RECEIVE_BUFFER_BYTES: String(kServerWindow),
        ASAN_OPTIONS: asan,
      },
    });
    const pid = server.child.pid;
    const browserA = await h.chromium();
    const browserB = await h.chromium();
    const a = await browserA.newPeer(server, 'a');
    const b = await browserB.newPeer(server, 'b');
    const room = h.room();
    a.peerId = (await a.join(room)).peerId;
    b.peerId = (await b.join(room, { dataChannels: true })).peerId;
    await h.waitFor('b: SCTP transport connected', async () => (await b.call('sctpState')) === 'connected', { timeoutMs: 30000 });
    await a.call('createChannel', 'bulk', 'bulk');
    await h.waitFor('a: bulk open', async () => (await a.call('channelState', 'bulk')).readyState === 'open', { timeoutMs: 30000 });
    const relayed = await h.waitFor("b: a 'bulk' channel from a", async () => (await b.call('remoteChannelList')).find((x) => x.label === 'bulk'));
    assert.equal(relayed.peerId, a.peerId, JSON.stringify(relayed));
    await a.call('send', 'bulk', 'hello');
    await h.waitFor('b: the first message', async () => (await b.call('remoteChannelList'))[relayed.index].count >= 1);
    assert.deepEqual(await b.call('remoteMessages', relayed.index), [{ s: 'hello' }]);
    h.mark('bulk channel open, first message at b');

    // a's sender: chunk n is 64 KiB whose first 4 bytes are n (little endian) and the rest
    // (n + i) & 255; it sends while bufferedAmount + chunk <= high-water, else waits for
    // 'bufferedamountlow' (threshold: high-water - 4 chunks), until told to stop.
    await a.evaluate(
      ({ chunk, highWater }) => {
        const ch = window.sy.channels.get('bulk');
        const progress = { chunks: 0, bytes: 0, waits: 0, maxBuffered: 0, stop: false, stoppedAt: null, error: null, running: false };
        window.bulk = progress;
        ch.bufferedAmountLowThreshold = highWater - 4 * chunk;
        const make = (n) => {
          const bytes = new Uint8Array(chunk);
          for (let i = 0; i < chunk; i++) bytes[i] = (n + i) & 255;
          new DataView(bytes.buffer).setUint32(0, n, true);
          return bytes.buffer;
        };
        window.bulkStart = () => {
          progress.running = true;
          (async () => {
            while (!progress.stop) {
              if (ch.readyState !== 'open') throw new Error(`channel ${ch.readyState} after ${progress.chunks} chunks`);
              if (ch.bufferedAmount + chunk > highWater) {
                progress.waits += 1;
                // Polled too, so a stop request is seen while the buffer stays full.
                await new Promise((resolve) => {
                  const timer = setTimeout(resolve, 100);
                  ch.addEventListener(
                    'bufferedamountlow',
                    () => {
                      clearTimeout(timer);
                      resolve();
                    },
                    { once: true },
                  );
                });
                continue;
              }
              ch.send(make(progress.chunks));
              progress.chunks += 1;
              progress.bytes += chunk;
              progress.maxBuffered = Math.max(progress.maxBuffered, ch.bufferedAmount);
              if (progress.chunks % 8 === 0) await new Promise((r) => setTimeout(r, 0));
            }
            progress.stoppedAt = Date.now();
          })()
            .catch((e) => {
              progress.error = String(e);
            })
            .finally(() => {
              progress.running = false;
            });
        };
      },
      { chunk: kChunk, highWater: kHighWater },
    );

    // Freeze b's whole browser; it is always thawed, also on failure.
    const pids = browserPids(browserB.userDataDir);
    assert.ok(pids.length >= 2, `b's browser processes: ${JSON.stringify(pids)}`);
    const aPids = new Set(browserPids(browserA.userDataDir));
    assert.ok(!pids.some((p) => aPids.has(p) || p === pid), 'b shares processes with a or the server');
    let frozen = false;
    const thaw = () => {
      if (frozen) signalAll(pids, 'SIGCONT');
      frozen = false;
    };
    h.defer(thaw);
    const samples = [];
    let sampler = null;
    h.defer(() => clearInterval(sampler));
    let freeze;
    let thawedAt;
    let aSamples = [];
    try {
      signalAll(pids, 'SIGSTOP');
      frozen = true;
      h.mark(`b frozen (${pids.length} processes)`);
      await delay(1000);
      const baseline = rssBytes(pid);
      sampler = setInterval(() => {
        try {
          samples.push({ at: Date.now(), rss: rssBytes(pid), frozen });
        } catch {
          // the server exited: checkAlive reports it
        }
      }, 250);
      const startedAt = Date.now();
      await a.evaluate(() => window.bulkStart());
      h.mark('a sending');
      // a's bufferedAmount every 250 ms while b is frozen.
      while (Date.now() - startedAt < kFreezeMs) {
        server.checkAlive();
        const st = await a.evaluate(() => ({ ...window.bulk, buffered: window.sy.channels.get('bulk').bufferedAmount, at: Date.now() }));
        if (st.error) throw new Error(`a: ${st.error}`);
        aSamples.push({ at: st.at - startedAt, buffered: st.buffered, bytes: st.bytes });
        await delay(250);
      }
      await a.evaluate(() => {
        window.bulk.stop = true;
      });
      await h.waitFor('a: sender stopped', async () => !(await a.evaluate(() => window.bulk.running)), { timeoutMs: 5000, intervalMs: 50 });
      const stopped = await a.evaluate(() => ({ ...window.bulk, buffered: window.sy.channels.get('bulk').bufferedAmount }));
      if (stopped.error) throw new Error(`a: ${stopped.error}`);
      const frozenRss = samples.filter((s) => s.frozen).map((s) => s.rss);
      freeze = { baseline, maxRss: Math.max(baseline, ...frozenRss), stopped, startedAt };
      h.mark(`a stopped: ${stopped.chunks} chunks, bufferedAmount ${stopped.buffered}`);
    } finally {
      thaw();
      thawedAt = Date.now();
    }
    h.mark('b thawed');

    // Everything arrives at b, in order and complete; a's buffer drains.
    const total = freeze.stopped.chunks;
    let list;
    let drainedAt = null;
    await h
      .waitFor(
        `b: ${total} chunks`,
        async () => {
          if (drainedAt === null && (await a.call('channelState', 'bulk')).bufferedAmount === 0) drainedAt = Date.now();
          list = await b.call('remoteChannelList');
          return list[relayed.index].count >= total + 1;
        },
        { timeoutMs: 45000, intervalMs: 100 },
      )
      .catch((e) => {
        e.message += `\nb: ${JSON.stringify(list)}`;
        throw e;
      });
    const deliveredAt = Date.now();
    await h.waitFor('a: bufferedAmount 0', async () => {
      const st = await a.call('channelState', 'bulk');
      if (st.bufferedAmount === 0 && drainedAt === null) drainedAt = Date.now();
      return st.bufferedAmount === 0;
    });
    clearInterval(sampler);
    const check = await b.evaluate(
      ({ index, chunk, total }) => {
        const m = window.sy.remoteChannels[index].messages;
        const problems = [];
        let bytes = 0;
        for (let n = 0; n < m.length - 1 && problems.length < 5; n++) {
          const data = m[n + 1];
          if (!(data instanceof ArrayBuffer) || data.byteLength !== chunk) {
            problems.push(`chunk ${n}: ${Object.prototype.toString.call(data)} of ${data && data.byteLength} bytes`);
            continue;
          }
          bytes += data.byteLength;
          const view = new Uint8Array(data);
          const seq = new DataView(data).getUint32(0, true);
          if (seq !== n) problems.push(`chunk ${n} has sequence number ${seq}`);
          for (let i = 4; i < chunk; i++) {
            if (view[i] !== ((n + i) & 255)) {
              problems.push(`chunk ${n}: byte ${i} is ${view[i]}`);
              break;
            }
          }
        }
        if (m.length !== total + 1) problems.push(`${m.length - 1} chunks, ${total} sent`);
        return { problems, bytes, readyState: window.sy.remoteChannels[index].channel.readyState };
      },
      { index: relayed.index, chunk: kChunk, total },
    );

    // a leaves: the server logs its data-channel counters.
    const before = server.logLines.length;
    await a.call('leave');
    const closedLine = await h.waitFor("the server's 'data channels closed' line for a", async () =>
      server.logLines.slice(before).find((l) => l.includes('data channels closed')),
    );
    const counter = (name) => {
      const m = new RegExp(`\\b${name}=(\\d+)`).exec(closedLine);
      return m ? Number(m[1]) : null;
    };

    const allRss = samples.map((s) => s.rss);
    const maxRss = Math.max(freeze.baseline, ...allRss);
    const fmt = (x) => `${(x / MiB).toFixed(1)} MiB`;
    const full = aSamples.filter((s) => s.buffered + kChunk > kHighWater);
    const firstFull = full.length ? full[0].at : null;
    const afterFull = firstFull === null ? [] : aSamples.filter((s) => s.at >= firstFull);
    const minAfterFull = afterFull.length ? Math.min(...afterFull.map((s) => s.buffered)) : null;
    const bytesAt = (ms) => (aSamples.filter((s) => s.at <= ms).pop() || { bytes: 0 }).bytes;
    t.diagnostic(
      `server RSS: baseline ${fmt(freeze.baseline)}, max while b frozen ${fmt(freeze.maxRss)} (+${fmt(freeze.maxRss - freeze.baseline)}), ` +
        `max overall ${fmt(maxRss)} (+${fmt(maxRss - freeze.baseline)}), bound +${fmt(kRssBound)}; ${samples.length} samples`,
    );
    t.diagnostic(
      `a during the ${kFreezeMs} ms freeze: handed ${fmt(freeze.stopped.bytes)} (${total} chunks) to its channel, bound ${fmt(kSentBound)}; ` +
        `bufferedAmount at the high-water mark after ${firstFull} ms, min after that ${minAfterFull}, at the end ${freeze.stopped.buffered}, ` +
        `max ${freeze.stopped.maxBuffered}; handed by 2 s ${fmt(bytesAt(2000))}, by ${kFreezeMs} ms ${fmt(freeze.stopped.bytes)}`,
    );
    t.diagnostic(
      `after SIGCONT: b has ${check.bytes} bytes (${total} chunks) in ${deliveredAt - thawedAt} ms, a's bufferedAmount 0 after ${drainedAt - thawedAt} ms; ` +
        `server for a: ${closedLine.slice(closedLine.indexOf('data channels closed'))}`,
    );

    assert.ok(maxRss - freeze.baseline <= kRssBound, `server RSS grew by ${fmt(maxRss - freeze.baseline)} (bound ${fmt(kRssBound)})`);
    assert.ok(freeze.stopped.maxBuffered <= kHighWater, JSON.stringify(freeze.stopped));
    assert.ok(firstFull !== null, `a's bufferedAmount never reached the high-water mark: ${JSON.stringify(aSamples)}`);
    assert.ok(
      minAfterFull + 4 * kChunk >= kHighWater && freeze.stopped.buffered + 4 * kChunk >= kHighWater,
      `a's bufferedAmount fell from the high-water mark while b was frozen: ${JSON.stringify(aSamples)}`,
    );
    assert.ok(freeze.stopped.bytes <= kSentBound, `a handed ${fmt(freeze.stopped.bytes)} to its channel while b was frozen (bound ${fmt(kSentBound)})`);
    assert.deepEqual(check.problems, [], JSON.stringify(check));
    assert.equal(check.bytes, total * kChunk);
    assert.equal(check.readyState, 'open');
    assert.ok(counter('read_pauses') > 0, `no read pauses for a: ${closedLine}`);
    assert.equal(counter('messages_in'), total + 1, closedLine);
    for (const p of [a, b]) assert.deepEqual(await p.events('error'), [], `${p.label} had errors`);
  },
  { timeoutMs: 90000 },
);
