// Starts the real switchyard binary for one test: loopback only, every port chosen by the OS
// (http.port, rtc.udp_port and rtc.tcp_port = 0, so tests never collide with each other or with
// a server already running), waits for the URL it prints and for /healthz, keeps its log, and on
// stop() sends SIGTERM, waits, and throws when it exited with an error or printed a sanitizer report.
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function serverBinary() {
  return process.env.SWITCHYARD_SERVER_BINARY || join(repoRoot, 'build', 'test', 'server', 'switchyard');
}

// Lines that mean a sanitizer found something (ASan, LSan, UBSan, TSan).
const sanitizerReport = /(ERROR: AddressSanitizer|ERROR: LeakSanitizer|WARNING: ThreadSanitizer|runtime error: |SUMMARY: \w+Sanitizer)/;

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

export class SwitchyardServer {
  constructor(child, url) {
    this.child = child;
    this.url = url; // http://127.0.0.1:PORT/
    const u = new URL(url);
    this.port = Number(u.port);
    this.wsUrl = `ws://${u.host}/ws`;
    this.exit = null; // {code, signal} once it exited
    this.logLines = [];
    this.stopping = false;
  }

  log() {
    return this.logLines.join('\n');
  }

  // The last n lines of the log, for failure messages.
  tail(n = 60) {
    return this.logLines.slice(-n).join('\n');
  }

  // Throws when the process died on its own (call it in polls to fail fast with the log).
  checkAlive() {
    if (this.exit && !this.stopping) {
      throw new Error(`switchyard exited during the test (code ${this.exit.code}, signal ${this.exit.signal}):\n${this.tail()}`);
    }
  }

  async stop({ timeoutMs = 10000 } = {}) {
    this.stopping = true;
    if (!this.exit) {
      this.child.kill('SIGTERM');
      let timer;
      const exited = await Promise.race([
        this.exited,
        new Promise((r) => {
          timer = setTimeout(() => r(false), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (exited === false) {
        this.child.kill('SIGKILL');
        await this.exited;
        live.delete(this.child);
        throw new Error(`switchyard did not stop within ${timeoutMs} ms of SIGTERM (killed):\n${this.tail()}`);
      }
    }
    live.delete(this.child);
    const problems = [];
    if (this.exit.code !== 0) problems.push(`exit code ${this.exit.code}, signal ${this.exit.signal}`);
    const report = this.logLines.findIndex((l) => sanitizerReport.test(l));
    if (report >= 0) problems.push(`sanitizer report:\n${this.logLines.slice(report, report + 40).join('\n')}`);
    if (problems.length) throw new Error(`switchyard: ${problems.join('; ')}\nlog tail:\n${this.tail()}`);
  }
}

// GET without keep-alive (fetch's pooled connection keeps node alive ~10 s after the test).
export function httpGet(url, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

function delay(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// env: extra SWITCHYARD_* settings (e.g. {SWITCHYARD_ROOMS_MAX_PEERS: '4'}).
export async function startServer({ env = {}, workers = 2, logLevel = 'info', startTimeoutMs = 15000 } = {}) {
  const binary = serverBinary();
  if (!existsSync(binary)) {
    throw new Error(`switchyard binary not found at ${binary} (build it, or set SWITCHYARD_SERVER_BINARY)`);
  }
  // The server refuses unknown SWITCHYARD_* variables (SWITCHYARD_SERVER_BINARY is one), so none
  // of ours leak through.
  const childEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SWITCHYARD_')) childEnv[k] = v;
  Object.assign(childEnv, {
    SWITCHYARD_HTTP_LISTEN_ADDRESS: '127.0.0.1',
    SWITCHYARD_HTTP_PORT: '0',
    SWITCHYARD_RTC_LISTEN_ADDRESSES: '127.0.0.1',
    SWITCHYARD_RTC_UDP_PORT: '0',
    SWITCHYARD_RTC_TCP_PORT: '0',
    SWITCHYARD_WORKERS_COUNT: String(workers),
    SWITCHYARD_LOG_LEVEL: logLevel,
    SWITCHYARD_LOG_FORMAT: 'text',
    ...env,
  });
  const child = spawn(binary, [], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let server = null;
  const lines = [];
  let resolveUrl;
  let rejectUrl;
  const urlPromise = new Promise((res, rej) => {
    resolveUrl = res;
    rejectUrl = rej;
  });
  const onData = (stream) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        (server ? server.logLines : lines).push(line);
        const m = /listening on (http:\/\/\S+)/.exec(line);
        if (m) resolveUrl(m[1]);
      }
    });
  };
  onData(child.stdout);
  onData(child.stderr);
  const exited = new Promise((res) => {
    child.on('exit', (code, signal) => {
      if (server) server.exit = { code, signal };
      rejectUrl(new Error(`switchyard exited at start (code ${code}, signal ${signal}):\n${lines.join('\n')}`));
      res(true);
    });
  });
  child.on('error', (e) => rejectUrl(e));
  let timer;
  let url;
  try {
    url = await Promise.race([
      urlPromise,
      new Promise((_, rej) => {
        timer = setTimeout(() => rej(new Error(`switchyard printed no URL within ${startTimeoutMs} ms:\n${lines.join('\n')}`)), startTimeoutMs);
      }),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    live.delete(child);
    throw e;
  } finally {
    clearTimeout(timer);
  }
  server = new SwitchyardServer(child, url);
  server.logLines.push(...lines);
  server.exited = exited;
  if (child.exitCode !== null || child.signalCode !== null) server.exit = { code: child.exitCode, signal: child.signalCode };
  // /healthz must answer before the test uses it.
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    server.checkAlive();
    try {
      const res = await httpGet(new URL('/healthz', url));
      if (res.status === 200) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      await server.stop().catch(() => {});
      throw new Error(`switchyard /healthz did not answer within ${startTimeoutMs} ms:\n${server.tail()}`);
    }
    await delay(50);
  }
  return server;
}
