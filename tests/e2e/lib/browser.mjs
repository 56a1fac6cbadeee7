// Headless browsers for the end-to-end tests, following shared/design/REAL-PEERS.md:
//  - Chromium (Debian `chromium`) through playwright-core, one persistent context on a new empty
//    user-data dir; several peers are several pages of that one instance.
//  - Firefox ESR (Debian `firefox-esr`) through puppeteer-core (WebDriver BiDi), with fake media
//    and a dead proxy so nothing leaves the machine.
// A Peer is one page at the server's origin with window.sy (page-helpers.mjs) installed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installPageHelpers } from './page-helpers.mjs';

export const chromiumPath = process.env.SWITCHYARD_E2E_CHROMIUM || '/usr/bin/chromium';
export const firefoxPath = process.env.SWITCHYARD_E2E_FIREFOX || '/usr/bin/firefox-esr';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

export const firefoxPrefs = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.loopback': true,
  // Without a camera/microphone permission for the origin Firefox gathers only its default-route
  // addresses ("use only default local addresses"), never 127.0.0.1, and it pairs a loopback
  // remote candidate (the server's) only with a loopback local one: ICE would fail. A fake
  // getUserMedia with permission.disabled does not count as a permission; these do.
  'permissions.default.camera': 1,
  'permissions.default.microphone': 1,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  // A dead proxy: any request to an outside host fails at once.
  'network.proxy.type': 1,
  'network.proxy.http': '127.0.0.1',
  'network.proxy.http_port': 9,
  'network.proxy.ssl': '127.0.0.1',
  'network.proxy.ssl_port': 9,
  'network.proxy.no_proxies_on': '127.0.0.1,localhost',
  'network.proxy.allow_hijacking_localhost': false,
  // Quiet background services.
  'app.update.enabled': false,
  'app.normandy.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'extensions.update.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
};

export class Peer {
  constructor(browser, page, label) {
    this.browser = browser;
    this.page = page;
    this.label = label;
    this.console = [];
    this.closed = false;
    page.on('console', (msg) => this.console.push(`[${label} console.${msg.type()}] ${msg.text()}`));
    page.on('pageerror', (err) => this.console.push(`[${label} pageerror] ${err && err.message ? err.message : err}`));
  }

  get kind() {
    return this.browser.kind;
  }

  // Runs window.sy[method](...args) in the page and returns its (JSON-able) result.
  call(method, ...args) {
    return this.page.evaluate(
      ([m, a]) => {
        if (!window.sy) throw new Error('page helpers are not installed');
        return window.sy[m](...a);
      },
      [method, args],
    );
  }

  evaluate(fn, arg) {
    return this.page.evaluate(fn, arg);
  }

  join(room, options = {}) {
    return this.call('join', room, { name: this.label, ...options });
  }

  publish(options = {}) {
    return this.call('publish', options);
  }

  stats() {
    return this.call('stats');
  }

  summary() {
    return this.call('summary');
  }

  events(type) {
    return this.call('eventsOf', type);
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await this.page.close().catch(() => {});
  }
}

class BrowserBase {
  constructor(kind) {
    this.kind = kind;
    this.peers = [];
    this.userDataDir = mkdtempSync(join(tmpdir(), `switchyard-e2e-${kind}-`));
    this.count = 0;
  }

  // A new page at the server's origin (/healthz: a page of that origin with no script of its
  // own), with the helpers installed. getUserMedia needs a secure context; 127.0.0.1 is one.
  async newPeer(server, label, { path = '/healthz' } = {}) {
    const page = await this.newPage();
    const peer = new Peer(this, page, label || `${this.kind}-${++this.count}`);
    this.peers.push(peer);
    await page.goto(new URL(path, server.url).href);
    await peer.evaluate(installPageHelpers);
    return peer;
  }

  // A plain page (no helpers): for the demo page.
  async newPlainPeer(server, label, path) {
    const page = await this.newPage();
    const peer = new Peer(this, page, label || `${this.kind}-${++this.count}`);
    this.peers.push(peer);
    await page.goto(new URL(path, server.url).href);
    return peer;
  }

  consoleLog() {
    return this.peers.flatMap((p) => p.console).join('\n');
  }

  removeUserDataDir() {
    rmSync(this.userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

class ChromiumBrowser extends BrowserBase {
  constructor() {
    super('chromium');
  }

  async launch() {
    const { chromium } = await import('playwright-core');
    this.context = await chromium.launchPersistentContext(this.userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      timeout: 30000,
    });
    this.version = this.context.browser()?.version() ?? 'unknown';
    // The persistent context opens one blank page; keep it (closing the last page may end it).
    return this;
  }

  newPage() {
    return this.context.newPage();
  }

  async close() {
    try {
      if (this.context) await this.context.close();
    } finally {
      this.removeUserDataDir();
    }
  }
}

class FirefoxBrowser extends BrowserBase {
  constructor() {
    super('firefox');
  }

  async launch() {
    const puppeteer = (await import('puppeteer-core')).default;
    this.browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: firefoxPath,
      headless: true,
      userDataDir: this.userDataDir,
      extraPrefsFirefox: firefoxPrefs,
      timeout: 60000,
      protocolTimeout: 60000,
    });
    this.version = await this.browser.version();
    return this;
  }

  newPage() {
    return this.browser.newPage();
  }

  async close() {
    try {
      if (this.browser) await this.browser.close();
    } finally {
      this.removeUserDataDir();
    }
  }
}

export async function launchChromium() {
  const b = new ChromiumBrowser();
  try {
    return await b.launch();
  } catch (e) {
    b.removeUserDataDir();
    throw e;
  }
}

export async function launchFirefox() {
  const b = new FirefoxBrowser();
  try {
    return await b.launch();
  } catch (e) {
    b.removeUserDataDir();
    throw e;
  }
}
