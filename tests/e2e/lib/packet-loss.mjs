// Random packet loss on the server's media ports with nftables (this kernel has no netem): a table
// of the test's own, on the INPUT hook, dropping `percent`% of the UDP packets to and from the given
// ports. Loopback traffic passes the input hook once per direction. Not the output hook: a datagram
// dropped there makes sendmsg() fail with EPERM and Chromium sends it again at once, which is not
// loss. Needs root and nft (Debian package nftables; deploy/install-deps.sh --test installs it).
//
//   const loss = PacketLoss.require(`switchyard_e2e_media_${process.pid}`);
//   h.defer(() => loss.remove());
//   loss.install(await mediaUdpPorts(h, server, workers), 5);
//   ... const {toServer, fromServer} = loss.counters(); loss.remove();
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function nftBinary() {
  for (const dir of (process.env.PATH || '').split(':').concat(['/usr/sbin', '/sbin'])) {
    if (dir && existsSync(`${dir}/nft`)) return `${dir}/nft`;
  }
  return null;
}

export class PacketLoss {
  // Fails with a clear message when nft is missing or the process is not root.
  static require(table) {
    const binary = nftBinary();
    if (!binary) throw new Error('this test needs nft (Debian package nftables: deploy/install-deps.sh --test installs it)');
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      throw new Error(`this test needs root to install an nftables rule (uid ${process.getuid()})`);
    }
    return new PacketLoss(binary, table);
  }

  constructor(binary, table) {
    this.binary = binary;
    this.table = table;
  }

  #nft(args, input) {
    const r = spawnSync(this.binary, args, { input, encoding: 'utf8', timeout: 10000 });
    if (r.error) throw new Error(`nft ${args.join(' ')}: ${r.error.message}`);
    return r;
  }

  // Drops `percent`% of UDP packets with destination or source port in `ports` (a fresh table).
  install(ports, percent) {
    this.remove();
    const set = `{ ${ports.join(', ')} }`;
    const ruleset = [
      `table inet ${this.table} {`,
      '  chain loss {',
      '    type filter hook input priority 0; policy accept;',
      `    udp dport ${set} counter`,
      `    udp dport ${set} numgen random mod 100 < ${percent} counter drop`,
      `    udp sport ${set} counter`,
      `    udp sport ${set} numgen random mod 100 < ${percent} counter drop`,
      '  }',
      '}',
      '',
    ].join('\n');
    const made = this.#nft(['-f', '-'], ruleset);
    if (made.status !== 0) throw new Error(`nft -f - failed (${made.status}): ${made.stderr}\n${ruleset}`);
  }

  // Deletes the table; one that is not there is fine (deleted already, or never made).
  remove() {
    const r = this.#nft(['delete', 'table', 'inet', this.table]);
    if (r.status !== 0 && !/No such file or directory/.test(r.stderr)) {
      throw new Error(`nft delete table inet ${this.table}: ${r.stderr}`);
    }
  }

  // {toServer: {packets, dropped}, fromServer: {packets, dropped}} from the table's counters.
  counters() {
    const r = this.#nft(['-j', 'list', 'table', 'inet', this.table]);
    if (r.status !== 0) throw new Error(`nft list table inet ${this.table}: ${r.stderr}`);
    const out = { toServer: { packets: 0, dropped: 0 }, fromServer: { packets: 0, dropped: 0 } };
    for (const item of JSON.parse(r.stdout).nftables) {
      if (!item.rule) continue;
      const expr = item.rule.expr;
      const port = expr.find((e) => e.match && e.match.left.payload && e.match.left.payload.protocol === 'udp');
      const counter = expr.find((e) => e.counter);
      if (!port || !counter) continue;
      const side = port.match.left.payload.field === 'dport' ? out.toServer : out.fromServer;
      if (expr.some((e) => 'drop' in e)) side.dropped += counter.counter.packets;
      else side.packets += counter.counter.packets;
    }
    return out;
  }
}

// The UDP ports of every worker's media socket, from the server's 'worker media listening' lines;
// waits (h.waitFor) until all `workers` have logged theirs.
export function mediaUdpPorts(h, server, workers) {
  return h.waitFor(
    `${workers} 'worker media listening' lines with a UDP port`,
    async () => {
      const ports = new Set();
      for (const line of server.logLines) {
        if (!line.includes('worker media listening')) continue;
        for (const m of line.matchAll(/udp=(\S+)/g)) {
          for (const addr of m[1].split(',')) {
            const port = Number(addr.slice(addr.lastIndexOf(':') + 1));
            if (port > 0) ports.add(port);
          }
        }
      }
      return ports.size >= workers ? [...ports] : null;
    },
    { timeoutMs: 5000 },
  );
}
