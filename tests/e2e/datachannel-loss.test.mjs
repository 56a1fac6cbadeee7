// Two Chromium peers, data only, while nftables drops 5% of the UDP packets to and from the
// server's media ports (each direction of the loopback hop passes the input hook once): a's
// unordered maxRetransmits:0 channel 'state' (a message every 10 ms) keeps delivering most of its
// messages with no stall over 1 s, and a's reliable ordered channel 'log' (a message every 50 ms)
// delivers every message, in order, through the loss. Needs root and nft (package nftables); the
// test's own table (switchyard_e2e_<pid>) is always deleted afterwards.
// Why the input hook, not output: a locally sent datagram dropped on the output hook fails its
// sendmsg() with EPERM, and Chromium sends it again at once (its data packets to the server grow by
// about the number dropped, and the 'state' loss falls to ~0.5%): the sender sees the drop, which a
// network loss never shows. Dropped on the input hook, the datagram was sent and is silently lost.
import assert from 'node:assert/strict';
import { delay, e2eTest } from './lib/harness.mjs';
import { PacketLoss, mediaUdpPorts } from './lib/packet-loss.mjs';

const kRunMs = 8000;
const kStateEveryMs = 10;
const kLogEveryMs = 50;
const kLossPercent = 5;
const kTable = `switchyard_e2e_${process.pid}`;


e2eTest(
  'data channels: an unreliable channel keeps working and a reliable one delivers everything at 5% packet loss',
  async (h, t) => {
    const loss = PacketLoss.require(kTable);
    const workers = 2;
    const server = await h.startServer({ workers });
    const ports = await mediaUdpPorts(h, server, workers);
    h.mark(`server media UDP ports ${ports.join(',')}`);

    const chromium = await h.chromium();
    const a = await chromium.newPeer(server, 'a');
    const b = await chromium.newPeer(server, 'b');
    const room = h.room();
    a.peerId = (await a.join(room)).peerId;
    b.peerId = (await b.join(room, { dataChannels: true })).peerId;
    await h.waitFor('b: SCTP transport connected', async () => (await b.call('sctpState')) === 'connected', { timeoutMs: 30000 });
    await a.call('createChannel', 'state', 'state', { ordered: false, maxRetransmits: 0 });
    await a.call('createChannel', 'log', 'log');
    for (const key of ['state', 'log']) {
      await h.waitFor(`a: ${key} open`, async () => (await a.call('channelState', key)).readyState === 'open', { timeoutMs: 30000 });
    }
    const relayed = await h.waitFor("b: 'state' and 'log' channels from a", async () => {
      const list = await b.call('remoteChannelList');
      const state = list.find((x) => x.label === 'state');
      const log = list.find((x) => x.label === 'log');
      return state && log && state.readyState === 'open' && log.readyState === 'open' ? { state, log } : null;
    });
    assert.equal(relayed.state.peerId, a.peerId, JSON.stringify(relayed));
    assert.equal(relayed.state.ordered, false, JSON.stringify(relayed));
    assert.equal(relayed.log.ordered, true, JSON.stringify(relayed));
    const maxRetransmits = await b.evaluate((index) => window.sy.remoteChannels[index].channel.maxRetransmits, relayed.state.index);
    assert.equal(maxRetransmits, 0, 'the relayed state channel is not maxRetransmits:0');
    assert.equal((await b.events('datachannel')).length, 2);
    h.mark('channels open at b');

    // The loss: this test's own table, made fresh and always deleted.
    h.defer(() => loss.remove());
    loss.install(ports, kLossPercent);
    h.mark(`nft table ${kTable} drops ${kLossPercent}% of UDP to/from ${ports.join(',')}`);

    // a sends for kRunMs: 'state' every 10 ms and 'log' every 50 ms, on a schedule (a late timer
    // catches up), each message {seq, t, ...} of ~200 bytes.
    const run = await a.evaluate(
      ({ runMs, stateEveryMs, logEveryMs }) => {
        const state = window.sy.channels.get('state');
        const log = window.sy.channels.get('log');
        const progress = { stateSent: 0, logSent: 0, startedAt: Date.now(), doneAt: null, error: null, maxBuffered: 0 };
        window.lossRun = progress;
        const stateCount = Math.floor(runMs / stateEveryMs);
        const logCount = Math.floor(runMs / logEveryMs);
        const pad = 'p'.repeat(150);
        const timer = setInterval(() => {
          try {
            const elapsed = Date.now() - progress.startedAt;
            const stateDue = Math.min(stateCount, Math.floor(elapsed / stateEveryMs) + 1);
            const logDue = Math.min(logCount, Math.floor(elapsed / logEveryMs) + 1);
            while (progress.stateSent < stateDue) {
              state.send(JSON.stringify({ seq: progress.stateSent, t: Date.now(), pad }));
              progress.stateSent += 1;
            }
            while (progress.logSent < logDue) {
              log.send(JSON.stringify({ seq: progress.logSent, t: Date.now(), line: `log line ${progress.logSent} ${pad}` }));
              progress.logSent += 1;
            }
            progress.maxBuffered = Math.max(progress.maxBuffered, state.bufferedAmount + log.bufferedAmount);
            if (progress.stateSent >= stateCount && progress.logSent >= logCount) {
              progress.doneAt = Date.now();
              clearInterval(timer);
            }
          } catch (e) {
            progress.error = `${e} (state ${state.readyState}, log ${log.readyState})`;
            clearInterval(timer);
          }
        }, 5);
        return { startedAt: progress.startedAt, stateCount, logCount };
      },
      { runMs: kRunMs, stateEveryMs: kStateEveryMs, logEveryMs: kLogEveryMs },
    );
    h.mark('a sending');
    let progress;
    await h.waitFor(
      'a: done sending',
      async () => {
        progress = await a.evaluate(() => window.lossRun);
        if (progress.error) throw new Error(`a: ${progress.error}`);
        return progress.doneAt !== null;
      },
      { timeoutMs: kRunMs + 10000, intervalMs: 250 },
    );
    h.mark('a done');
    // Every 'log' message (reliable: retransmitted through the loss), then a moment for stragglers.
    let list;
    await h
      .waitFor(
        `b: ${run.logCount} 'log' messages`,
        async () => {
          list = await b.call('remoteChannelList');
          return list[relayed.log.index].count >= run.logCount;
        },
        { timeoutMs: 20000, intervalMs: 100 },
      )
      .catch((e) => {
        e.message += `\nb channels: ${JSON.stringify(list)}`;
        throw e;
      });
    await delay(1000);
    const counters = loss.counters();
    loss.remove();
    h.mark('nft table deleted');

    const result = await b.evaluate(
      ({ stateIndex, logIndex, logCount, startedAt, doneAt, runMs }) => {
        const parse = (m) => {
          try {
            return typeof m === 'string' ? JSON.parse(m) : null;
          } catch {
            return null;
          }
        };
        const st = window.sy.remoteChannels[stateIndex];
        const lg = window.sy.remoteChannels[logIndex];
        const problems = [];
        // 'state': distinct sequence numbers, each at most once; arrival gaps and 1-s windows.
        const seen = new Set();
        let outOfOrder = 0;
        let lastSeq = -1;
        for (const m of st.messages) {
          const p = parse(m);
          if (!p || typeof p.seq !== 'number') {
            problems.push(`state: bad message ${String(m).slice(0, 80)}`);
            continue;
          }
          if (seen.has(p.seq)) problems.push(`state: seq ${p.seq} twice`);
          seen.add(p.seq);
          if (p.seq < lastSeq) outOfOrder += 1;
          lastSeq = p.seq;
        }
        const times = [startedAt, ...st.arrivals, doneAt];
        let maxGap = 0;
        let maxGapAt = 0;
        for (let i = 1; i < times.length; i++) {
          if (times[i] - times[i - 1] > maxGap) {
            maxGap = times[i] - times[i - 1];
            maxGapAt = times[i - 1] - startedAt;
          }
        }
        // Arrivals per 1-s window of the run (the last message is sent just before runMs).
        const windows = new Array(Math.ceil(runMs / 1000)).fill(0);
        for (const x of st.arrivals) {
          const w = Math.floor((x - startedAt) / 1000);
          if (w >= 0 && w < windows.length) windows[w] += 1;
        }
        const latencies = st.messages.map(parse).filter(Boolean).map((p, i) => st.arrivals[i] - p.t);
        latencies.sort((x, y) => x - y);
        // 'log': every message, in order, complete.
        for (let i = 0; i < Math.max(logCount, lg.messages.length) && problems.length < 10; i++) {
          const p = parse(lg.messages[i]);
          if (!p || p.seq !== i || typeof p.line !== 'string' || !p.line.startsWith(`log line ${i} `) || p.line.length !== `log line ${i} `.length + 150) {
            problems.push(`log message ${i}: ${String(lg.messages[i]).slice(0, 80)}`);
          }
        }
        return {
          stateReceived: st.messages.length,
          stateDistinct: seen.size,
          outOfOrder,
          maxGap,
          maxGapAt,
          windows,
          latencyMedian: latencies[Math.floor(latencies.length / 2)],
          latencyMax: latencies[latencies.length - 1],
          logReceived: lg.messages.length,
          stateReadyState: st.channel.readyState,
          logReadyState: lg.channel.readyState,
          problems,
        };
      },
      { stateIndex: relayed.state.index, logIndex: relayed.log.index, logCount: run.logCount, startedAt: run.startedAt, doneAt: progress.doneAt, runMs: kRunMs },
    );
    const aState = await a.call('channelState', 'state');
    const aLog = await a.call('channelState', 'log');
    const received = result.stateReceived / progress.stateSent;
    const pct = (x) => `${(100 * x).toFixed(1)}%`;
    const dropRate = (side) => (side.packets ? side.dropped / side.packets : 0);
    t.diagnostic(
      `state (unordered, maxRetransmits 0): sent ${progress.stateSent}, received ${result.stateReceived} (${pct(received)}, ` +
        `loss ${pct(1 - received)}), ${result.outOfOrder} out of order, longest gap ${result.maxGap} ms (at ${result.maxGapAt} ms), ` +
        `per 1-s window ${result.windows.join('/')}, latency median ${result.latencyMedian} ms max ${result.latencyMax} ms`,
    );
    t.diagnostic(`log (reliable, ordered): sent ${progress.logSent}, received ${result.logReceived}; a's max bufferedAmount ${progress.maxBuffered}`);
    t.diagnostic(
      `nft: to the server ${counters.toServer.dropped} of ${counters.toServer.packets} packets dropped (${pct(dropRate(counters.toServer))}), ` +
        `from the server ${counters.fromServer.dropped} of ${counters.fromServer.packets} (${pct(dropRate(counters.fromServer))})`,
    );

    assert.equal(progress.stateSent, run.stateCount);
    assert.equal(progress.logSent, run.logCount);
    assert.ok(counters.toServer.dropped > 0 && counters.fromServer.dropped > 0, `nft dropped no packets: ${JSON.stringify(counters)}`);
    assert.deepEqual(result.problems, [], JSON.stringify(result));
    assert.equal(result.stateDistinct, result.stateReceived, JSON.stringify(result));
    assert.ok(received >= 0.8 && received <= 1, `b received ${pct(received)} of the 'state' messages: ${JSON.stringify(result)}`);
    assert.ok(result.stateReceived < progress.stateSent, `no 'state' message was lost (${result.stateReceived}): was anything dropped?`);
    assert.ok(result.windows.every((n) => n > 0), `a 1-s window without 'state' messages: ${JSON.stringify(result)}`);
    assert.ok(result.maxGap < 1000, `'state' stalled for ${result.maxGap} ms: ${JSON.stringify(result)}`);
    assert.equal(result.logReceived, run.logCount, JSON.stringify(result));
    assert.equal(result.stateReadyState, 'open');
    assert.equal(result.logReadyState, 'open');
    assert.equal(aState.readyState, 'open', JSON.stringify(aState));
    assert.equal(aLog.readyState, 'open', JSON.stringify(aLog));
    for (const p of [a, b]) assert.deepEqual(await p.events('error'), [], `${p.label} had errors`);
  },
  { timeoutMs: 60000 },
);
