// Captures real SDP offers from headless Chromium into tests/fixtures/sdp/chromium-<name>.sdp.
//
// A developer tool, not a CI step:
//   (cd tests/e2e && npm ci) && node tests/e2e/capture-sdp-offers.mjs
//
// Launch flags follow shared/design/REAL-PEERS.md: nothing leaves the machine (no STUN/TURN servers,
// background networking off). getUserMedia needs a secure context, so the page is served by a tiny
// HTTP server on 127.0.0.1 (loopback counts as potentially trustworthy). Each offer is saved after ICE gathering completes,
// so host candidates are present. Any address that is not loopback (127.0.0.0/8, ::1) is rewritten
// to a documentation address (192.0.2.x, 2001:db8::x, RFC 5737 / RFC 3849) before saving, and the
// script prints every rewrite it made.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import { chromiumArgs } from './lib/browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'fixtures', 'sdp');

// The flags of the e2e harness (REAL-PEERS.md): one list for every headless Chromium we start.
const args = chromiumArgs;

// Runs in the page: builds one RTCPeerConnection per scenario, creates the offer, waits for ICE
// gathering to complete and returns the final local description.
async function captureInPage(scenario) {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const gathered = new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve();
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
  });
  const wantAudio = scenario !== 'video' && scenario !== 'data';
  const wantVideo = scenario !== 'audio' && scenario !== 'data';
  // 'video' is plain (non-simulcast) video, so the offer carries a=ssrc-group:FID with rtx.
  const simulcast = scenario !== 'video';
  const wantData = scenario === 'data' || scenario === 'audio-video-simulcast-data';
  if (wantAudio || wantVideo) {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: wantAudio,
      video: wantVideo ? { width: 1280, height: 720 } : false,
    });
    for (const track of stream.getAudioTracks()) {
      pc.addTransceiver(track, { direction: 'sendrecv', streams: [stream] });
    }
    for (const track of stream.getVideoTracks()) {
      const init = { direction: 'sendrecv', streams: [stream] };
      if (simulcast) {
        init.sendEncodings = [
          { rid: 'q', scaleResolutionDownBy: 4 },
          { rid: 'h', scaleResolutionDownBy: 2 },
          { rid: 'f', scaleResolutionDownBy: 1 },
        ];
      }
      pc.addTransceiver(track, init);
    }
  }
  if (wantData) pc.createDataChannel('switchyard');
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  await Promise.race([gathered, new Promise((r) => setTimeout(r, 10000))]);
  const sdp = pc.localDescription.sdp;
  pc.close();
  return sdp;
}

function isLoopbackV4(ip) {
  return /^127\./.test(ip);
}

// Documentation ranges (RFC 5737, RFC 3849) are already safe to publish.
function isDocumentation(ip) {
  return /^(192\.0\.2|198\.51\.100|203\.0\.113)\./.test(ip) || /^2001:db8:/i.test(ip);
}

// Rewrites every non-loopback IP address in candidate lines, c= and o= lines and raddr fields.
function sanitize(sdp, rewrites) {
  const map = new Map();
  let v4 = 0;
  let v6 = 0;
  const replaceIp = (ip) => {
    if (ip === '0.0.0.0' || ip === '::' || ip === '::1' || isLoopbackV4(ip) || isDocumentation(ip)) return ip;
    if (!/^[0-9.]+$/.test(ip) && !ip.includes(':')) return ip; // hostnames / mDNS names: keep
    if (!map.has(ip)) {
      const repl = ip.includes(':') ? `2001:db8::${++v6}` : `192.0.2.${200 + ++v4}`;
      map.set(ip, repl);
      rewrites.push(`${ip} -> ${repl}`);
    }
    return map.get(ip);
  };
  return sdp
    .split('\r\n')
    .map((line) => {
      let m;
      if ((m = /^(a=candidate:\S+ \d+ \S+ \d+ )(\S+)( .*)$/.exec(line))) {
        line = m[1] + replaceIp(m[2]) + m[3];
        line = line.replace(/ raddr (\S+)/, (_, ip) => ` raddr ${replaceIp(ip)}`);
      } else if ((m = /^(c=IN IP[46] )(\S+)(.*)$/.exec(line))) {
        line = m[1] + replaceIp(m[2]) + m[3];
      } else if ((m = /^(o=\S+ \S+ \S+ IN IP[46] )(\S+)$/.exec(line))) {
        line = m[1] + replaceIp(m[2]);
      } else if ((m = /^(a=rtcp:\d+ IN IP[46] )(\S+)$/.exec(line))) {
        line = m[1] + replaceIp(m[2]);
      }
      return line;
    })
    .join('\r\n');
}

const scenarios = ['audio', 'video', 'audio-video-simulcast', 'data', 'audio-video-simulcast-data'];

const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<!doctype html><title>switchyard sdp capture</title>');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const pageUrl = `http://127.0.0.1:${server.address().port}/`;

const userDataDir = mkdtempSync(join(tmpdir(), 'switchyard-sdp-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args,
});
try {
  const version = context.browser()?.version() ?? 'unknown';
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(pageUrl);
  mkdirSync(outDir, { recursive: true });
  for (const scenario of scenarios) {
    const raw = await page.evaluate(captureInPage, scenario);
    const rewrites = [];
    const sdp = sanitize(raw, rewrites);
    const file = join(outDir, `chromium-${scenario}.sdp`);
    writeFileSync(file, sdp);
    const candidates = sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:')).length;
    console.log(`${file}: ${sdp.length} bytes, ${candidates} candidates`);
    for (const r of rewrites) console.log(`  rewrote non-loopback address ${r}`);
  }
  console.log(`chromium version: ${version}`);
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
  server.close();
}
