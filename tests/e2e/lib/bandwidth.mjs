// A downlink cap for one browser peer connection, with tc on the loopback device: the server's
// packets to that connection's UDP socket (destination port = the local port of its selected
// candidate pair, from getStats) pass a token bucket of `kbit` kbit/s with a short queue (`latencyMs`,
// beyond it they are dropped, as at a real bottleneck); everything else on `lo` passes untouched.
//
//   root htb (handle 5ee1:, default class 5ee1:1)  ── 5ee1:1 htb 10 Gbit/s: everything else
//                                                  └─ 5ee1:3 htb rate = ceil = the cap, leaf bfifo
//                                                     (5ee3:) of latencyMs at that rate, picked by
//                                                     a u32 filter on the UDP destination port
//
// The rate is changed live (`tc class change`, the queue with it); lift() raises it to 1 Gbit/s (no
// cap in effect). (This kernel has htb, tbf and u32 but not prio or netem.)
// One cap at a time per machine (a root qdisc on `lo`): install() refuses when `lo` has a root qdisc
// that is not ours. Needs root and tc (Debian package iproute2). remove() deletes the qdisc; an exit
// handler does it too, so a crashed test leaves nothing behind.
//
//   const cap = BandwidthLimit.require();
//   h.defer(() => cap.remove());
//   cap.install(await udpPortOf(c), 400);   ... cap.set(3000); cap.lift(); cap.counters();
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const kHandle = '5ee1';
const installed = new Set();
process.on('exit', () => {
  for (const cap of installed) {
    try {
      cap.remove();
    } catch {
      // best effort at exit
    }
  }
});

function tcBinary() {
  for (const dir of (process.env.PATH || '').split(':').concat(['/usr/sbin', '/sbin'])) {
    if (dir && existsSync(`${dir}/tc`)) return `${dir}/tc`;
  }
  return null;
}

export class BandwidthLimit {
  // Fails with a clear message when tc is missing or the process is not root.
  static require({ device = 'lo', latencyMs = 80 } = {}) {
    const binary = tcBinary();
    if (!binary) throw new Error('this test needs tc (Debian package iproute2)');
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      throw new Error(`this test needs root to install a tc qdisc on ${device} (uid ${process.getuid()})`);
    }
    return new BandwidthLimit(binary, device, latencyMs);
  }

  constructor(binary, device, latencyMs) {
    this.binary = binary;
    this.device = device;
    this.latencyMs = latencyMs;
    this.port = null;
    this.kbit = null;
  }

  #tc(args, { check = true } = {}) {
    const r = spawnSync(this.binary, args, { encoding: 'utf8', timeout: 10000 });
    if (r.error) throw new Error(`tc ${args.join(' ')}: ${r.error.message}`);
    if (check && r.status !== 0) throw new Error(`tc ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r;
  }

  // The capped class for `kbit`: a burst of ~10 ms of traffic, at least one full-size packet (1600
  // bytes, tc's own floor). A larger burst lets a few packets after a pause through at loopback
  // speed, which a serial bottleneck never does, and makes short probes look faster than the link.
  #rate(kbit) {
    const burst = String(Math.max(1600, Math.round((kbit * 1000) / 8 / 100)));
    return ['htb', 'rate', `${kbit}kbit`, 'ceil', `${kbit}kbit`, 'burst', burst, 'cburst', burst, 'quantum', '1500'];
  }

  // Its queue: latencyMs at `kbit` (at least 3 full-size packets), beyond that packets are dropped.
  #queue(kbit) {
    return ['bfifo', 'limit', String(Math.max(4500, Math.round((kbit * 1000 * this.latencyMs) / 8 / 1000)))];
  }

  // The root qdisc of the device: {kind, handle} (noqueue when none was added).
  rootQdisc() {
    const r = this.#tc(['-j', 'qdisc', 'show', 'dev', this.device, 'root']);
    const list = JSON.parse(r.stdout || '[]');
    return list.find((q) => q.root) || list[0] || null;
  }

  // Caps the UDP packets to local port `port` at `kbit` kbit/s.
  install(port, kbit) {
    if (!(port > 0 && port < 65536)) throw new Error(`BandwidthLimit.install: bad port ${port}`);
    const root = this.rootQdisc();
    if (root && root.kind !== 'noqueue' && root.handle !== `${kHandle}:`) {
      throw new Error(`${this.device} has a root qdisc already (${JSON.stringify(root)}): another test's? not touching it`);
    }
    this.remove();
    installed.add(this);
    const dev = ['dev', this.device];
    try {
      this.#tc(['qdisc', 'add', ...dev, 'root', 'handle', `${kHandle}:`, 'htb', 'default', '1']);
      this.#tc(['class', 'add', ...dev, 'parent', `${kHandle}:`, 'classid', `${kHandle}:1`, 'htb', 'rate', '10gbit', 'burst', '4mb', 'cburst', '4mb', 'quantum', '200000']);
      this.#tc(['class', 'add', ...dev, 'parent', `${kHandle}:`, 'classid', `${kHandle}:3`, ...this.#rate(kbit)]);
      this.#tc(['qdisc', 'add', ...dev, 'parent', `${kHandle}:3`, 'handle', '5ee3:', ...this.#queue(kbit)]);
      this.#tc(['filter', 'add', ...dev, 'parent', `${kHandle}:`, 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'protocol', '17', '0xff', 'match', 'ip', 'dport', String(port), '0xffff', 'flowid', `${kHandle}:3`]);
    } catch (e) {
      this.remove();
      throw e;
    }
    this.port = port;
    this.kbit = kbit;
  }

  // Changes the cap live.
  set(kbit) {
    if (this.port === null) throw new Error('BandwidthLimit.set before install');
    this.#tc(['class', 'change', 'dev', this.device, 'parent', `${kHandle}:`, 'classid', `${kHandle}:3`, ...this.#rate(kbit)]);
    this.#tc(['qdisc', 'change', 'dev', this.device, 'parent', `${kHandle}:3`, 'handle', '5ee3:', ...this.#queue(kbit)]);
    this.kbit = kbit;
  }

  // No cap in effect (1 Gbit/s), the filter stays (set() caps again).
  lift() {
    this.set(1000000);
  }

  // The capped queue's counters: {sentBytes, sentPackets, dropped, overlimits, backlogBytes}.
  counters() {
    const r = this.#tc(['-s', '-j', 'qdisc', 'show', 'dev', this.device]);
    const q = JSON.parse(r.stdout || '[]').find((x) => x.handle === '5ee3:');
    if (!q) return null;
    return { sentBytes: q.bytes, sentPackets: q.packets, dropped: q.drops, overlimits: q.overlimits, backlogBytes: q.backlog };
  }

  // Deletes our root qdisc (with its filter and band); one that is not there is fine.
  remove() {
    installed.delete(this);
    this.port = null;
    const root = this.rootQdisc();
    if (!root || root.handle !== `${kHandle}:`) return;
    this.#tc(['qdisc', 'del', 'dev', this.device, 'root']);
  }
}

// The local UDP port of a peer's selected ICE candidate pair (its socket toward the server), read
// from getStats in its page. Waits (h.waitFor) until the pair is selected.
export function udpPortOf(h, peer) {
  return h.waitFor(
    `${peer.label}'s selected candidate pair`,
    () =>
      peer.evaluate(async () => {
        const pc = window.sy && window.sy.client && window.sy.client.pc;
        if (!pc) return null;
        const stats = await pc.getStats();
        let pairId = null;
        stats.forEach((s) => {
          if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
        });
        const pair = pairId && stats.get(pairId);
        const local = pair && stats.get(pair.localCandidateId);
        if (!local || local.protocol !== 'udp' || !local.port) return null;
        return local.port;
      }),
    { timeoutMs: 20000 },
  );
}
