// The frame of every end-to-end test: a server and browsers that are always cleaned up (also on
// failure), polls with deadlines, and media expectations read from getStats() in the receiving page.
import test from 'node:test';
import { startServer } from './server.mjs';
import { launchChromium, launchFirefox } from './browser.mjs';

export const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const delay3s = () => new Promise((r) => setTimeout(r, 3000).unref()).then(() => 'timed out');
const safeJson = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

export class Harness {
  constructor(name) {
    this.name = name;
    this.cleanups = [];
    this.server = null;
    this.browsers = [];
    this.started = Date.now();
    this.marks = [];
  }

  defer(fn) {
    this.cleanups.push(fn);
  }

  mark(what) {
    this.marks.push(`${((Date.now() - this.started) / 1000).toFixed(1)}s ${what}`);
  }

  async startServer(options) {
    this.server = await startServer(options);
    this.defer(() => this.server.stop());
    this.mark(`server at ${this.server.url}`);
    return this.server;
  }

  async chromium() {
    const b = await launchChromium();
    this.browsers.push(b);
    this.defer(() => b.close());
    this.mark(`chromium ${b.version}`);
    return b;
  }

  async firefox() {
    const b = await launchFirefox();
    this.browsers.push(b);
    this.defer(() => b.close());
    this.mark(`firefox ${b.version}`);
    return b;
  }

  // A room name unique to this test run.
  room(prefix = this.name) {
    return `${prefix}-${process.pid}-${Math.floor(Math.random() * 1e6)}`.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64);
  }

  // Polls fn until it returns a truthy value; throws after timeoutMs with the last value seen.
  async waitFor(what, fn, { timeoutMs = 20000, intervalMs = 200 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last;
    let lastError;
    for (;;) {
      if (this.server) this.server.checkAlive();
      try {
        last = await fn();
        lastError = undefined;
        if (last) return last;
      } catch (e) {
        lastError = e;
      }
      if (Date.now() > deadline) {
        const seen = lastError ? `last error: ${lastError.stack || lastError}` : `last value: ${JSON.stringify(last)}`;
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${seen}`);
      }
      await delay(intervalMs);
    }
  }

  // Waits until `peer` receives every expected remote track and its media flows: for each
  // expectation {peerId?, kind, trackId?, codec?} a distinct live inbound track matches, video
  // decodes frames (framesDecoded > 0, frameWidth > 0) and audio receives packets; then, over a
  // window of at least windowMs, every one of them keeps going (framesDecoded / packetsReceived
  // rise by at least minFrames / minPackets). Returns the final matched stats.
  async expectFlowing(peer, expected, { timeoutMs = 30000, windowMs = 3000, minFrames = 10, minPackets = 40 } = {}) {
    const match = (inbound) => {
      const used = new Set();
      const out = [];
      for (const want of expected) {
        const hit = inbound.find(
          (s) =>
            !used.has(s.trackId) &&
            s.readyState === 'live' &&
            s.kind === want.kind &&
            (!want.peerId || s.peerId === want.peerId) &&
            (!want.trackId || s.trackId === want.trackId) &&
            (!want.codec || (s.codec && s.codec.toLowerCase() === `${want.kind}/${want.codec}`.toLowerCase())),
        );
        if (!hit) return null;
        used.add(hit.trackId);
        out.push(hit);
      }
      return out;
    };
    const started = (s) => (s.kind === 'video' ? s.framesDecoded > 0 && s.frameWidth > 0 : s.packetsReceived > 0);
    let lastStats;
    const first = await this.waitFor(
      `${peer.label} to receive ${JSON.stringify(expected)}`,
      async () => {
        lastStats = await peer.stats();
        const m = match(lastStats.inbound);
        return m && m.every(started) ? m : null;
      },
      { timeoutMs },
    ).catch((e) => {
      e.message += `\n${peer.label} stats: ${JSON.stringify(lastStats)}`;
      throw e;
    });
    const t0 = Date.now();
    const base = new Map(first.map((s) => [s.trackId, s]));
    const grew = (s) => {
      const b = base.get(s.trackId);
      return s.kind === 'video' ? s.framesDecoded - b.framesDecoded >= minFrames : s.packetsReceived - b.packetsReceived >= minPackets;
    };
    let now;
    await this.waitFor(
      `${peer.label}: media of ${[...base.keys()].join(',')} to keep flowing for ${windowMs} ms`,
      async () => {
        const st = await peer.stats();
        now = st.inbound.filter((s) => base.has(s.trackId) && s.readyState === 'live');
        return Date.now() - t0 >= windowMs && now.length === base.size && now.every(grew);
      },
      { timeoutMs: windowMs + 15000, intervalMs: 250 },
    ).catch((e) => {
      e.message += `\nat start: ${JSON.stringify(first)}\nnow: ${JSON.stringify(now)}`;
      throw e;
    });
    const secs = (Date.now() - t0) / 1000;
    return now.map((s) => {
      const b = base.get(s.trackId);
      return {
        ...s,
        fps: s.kind === 'video' ? +((s.framesDecoded - b.framesDecoded) / secs).toFixed(1) : undefined,
        pps: +((s.packetsReceived - b.packetsReceived) / secs).toFixed(1),
      };
    });
  }

  async diagnose() {
    const lines = [`---- diagnostics for ${this.name}`, ...this.marks];
    for (const b of this.browsers) {
      for (const p of b.peers) {
        if (p.closed) continue;
        try {
          const st = await Promise.race([p.stats(), delay3s()]);
          lines.push(`${p.label} (${b.kind}): ${JSON.stringify(st)}`);
          // The last offer and answer this page exchanged (SDP in full), then the other messages.
          const sig = await Promise.race([p.evaluate(() => (window.sy ? window.sy.signaling : [])), delay3s()]);
          if (Array.isArray(sig)) {
            const parsed = sig.map((m) => ({ ...m, msg: safeJson(m.data) }));
            for (const type of ['offer', 'answer']) {
              const last = parsed.filter((m) => m.msg && m.msg.type === type).pop();
              if (last) lines.push(`${p.label} last ${type}: ${JSON.stringify({ ...last.msg, sdp: undefined })}\n${last.msg.sdp}`);
            }
            const rest = parsed.filter((m) => !m.msg || !m.msg.sdp).map((m) => `${m.dir} ${m.at.toFixed(0)} ${m.data}`);
            lines.push(`${p.label} signaling:\n${rest.slice(-40).join('\n')}`);
          }
          const events = await Promise.race([p.evaluate(() => (window.sy ? window.sy.events : [])), delay3s()]);
          if (Array.isArray(events)) {
            lines.push(`${p.label} events:\n${events.slice(-40).map((e) => `${e.at.toFixed(0)} ${e.type} ${JSON.stringify(e.detail)}`).join('\n')}`);
          }
        } catch (e) {
          lines.push(`${p.label} (${b.kind}): stats failed: ${e.message}`);
        }
      }
      const log = b.consoleLog();
      if (log) lines.push(`${b.kind} console:\n${log.split('\n').slice(-80).join('\n')}`);
    }
    if (this.server) lines.push(`server log tail:\n${this.server.tail(80)}`);
    console.error(lines.join('\n'));
  }

  // Runs every cleanup, last first; returns the errors.
  async cleanup() {
    const errors = [];
    while (this.cleanups.length) {
      const fn = this.cleanups.pop();
      try {
        await fn();
      } catch (e) {
        errors.push(e);
      }
    }
    return errors;
  }
}

// test() with a Harness that is always cleaned up: a failing test prints the peers' stats, the
// browsers' consoles and the server log; a clean test still fails when cleanup fails (e.g. the
// server exited with an error or printed a sanitizer report).
// After timeoutMs the test fails and is cleaned up (browsers closed, server stopped) while its body
// is still waiting, so nothing is left running for the rest of the CI run.
export function e2eTest(name, fn, { timeoutMs = 90000 } = {}) {
  test(name, { timeout: timeoutMs + 60000 }, async (t) => {
    const h = new Harness(name.replace(/[^A-Za-z0-9]+/g, '-'));
    let failure;
    let timer;
    try {
      await Promise.race([
        fn(h, t),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${name}: timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (e) {
      failure = e;
      await h.diagnose().catch((d) => console.error(`diagnostics failed: ${d}`));
    } finally {
      clearTimeout(timer);
    }
    const errors = await h.cleanup();
    if (failure) {
      for (const e of errors) console.error(`cleanup after failure: ${e.stack || e}`);
      throw failure;
    }
    if (errors.length) throw errors[0];
    t.diagnostic(`${name}: ${((Date.now() - h.started) / 1000).toFixed(1)} s`);
  });
}

// Joins every peer to `room` (in order) and returns their peerIds.
export async function joinAll(peers, room) {
  const ids = [];
  for (const p of peers) {
    const joined = await p.join(room);
    p.peerId = joined.peerId;
    ids.push(joined.peerId);
  }
  return ids;
}
