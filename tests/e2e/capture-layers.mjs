// Diagnostic (not a test): what Chromium's encoders put in their streams by default, read from the
// publisher's outbound-rtp stats (scalabilityMode per encoding): VP8 simulcast (three rids) and VP9
// with scalabilityMode 'L3T3_KEY' (one stream). Prints JSON. Usage: node capture-layers.mjs
// (SWITCHYARD_SERVER_BINARY as for the tests).
import { startServer } from './lib/server.mjs';
import { launchChromium } from './lib/browser.mjs';

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

async function publish([codec, sendEncodings]) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { width: 1280, height: 720 } });
  const track = stream.getVideoTracks()[0];
  const trackId = await window.sy.client.publish(track, { source: 'camera', stream, codec, sendEncodings });
  return trackId;
}

async function outbound() {
  const out = [];
  for (const t of window.sy.client.localTracks.values()) {
    if (t.kind !== 'video' || !t.transceiver) continue;
    const params = t.transceiver.sender.getParameters();
    (await t.transceiver.sender.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp') out.push({ rid: s.rid, scalabilityMode: s.scalabilityMode, frameWidth: s.frameWidth, framesEncoded: s.framesEncoded, encoderImplementation: s.encoderImplementation });
    });
    out.push({ parameters: params.encodings.map((e) => ({ rid: e.rid, scalabilityMode: e.scalabilityMode })), codecs: params.codecs.map((c) => c.mimeType) });
  }
  return out;
}

const server = await startServer();
const chromium = await launchChromium();
const result = {};
try {
  for (const [name, codec, encodings] of [
    ['vp8-simulcast', 'VP8', [{ rid: 'q', scaleResolutionDownBy: 4 }, { rid: 'h', scaleResolutionDownBy: 2 }, { rid: 'f' }]],
    ['vp9-l3t3-key', 'VP9', [{ scalabilityMode: 'L3T3_KEY' }]],
  ]) {
    const a = await chromium.newPeer(server, 'a');
    await a.join(`capture-${name}-${process.pid}`);
    await a.evaluate(publish, [codec, encodings]);
    await delay(8000);
    result[name] = await a.evaluate(outbound);
    await a.close();
  }
} finally {
  await chromium.close();
  await server.stop();
}
console.log(JSON.stringify(result, null, 1));
