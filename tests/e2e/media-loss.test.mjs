// Video through 5% random packet loss: a publishes camera video (VP8) and audio, b subscribes;
// while nftables drops 5% of the UDP packets to and from the server's media ports (input hook,
// each direction of the loopback hop once; see datachannel-loss.test.mjs for why not the output
// hook) for kLossMs, b keeps decoding (framesDecoded rises by most of the frames sent, the time
// spent frozen stays a small fraction of the window) and the losses were repaired: b NACKed
// (nackCount > 0) and the server answered from its retransmission buffer and NACKed a for what it
// lost itself (its 'room media closed' line, logged when the last peer leaves: retransmissions_sent
// > 0 and nacks_sent > 0). Needs root and nft (package nftables); the test's own table
// (switchyard_e2e_media_<pid>) is always deleted afterwards.
// Calibration (Release, 2 cores, Chromium fake camera 320x240 VP8): without loss b freezes 0
// times. With the loss and this server, b decoded ~8 fps (a's encoder drops from 15 to ~7 fps under
// the loss) with 3-5 freezes totalling 1.0-1.9 s of 15 s (7-13%); a server that ignores NACKs
// (23aae63) left b at 1.5 fps, 9.5 s of 15 frozen (64%), 8 seconds without a decoded frame, 3 PLIs:
// the bounds below (30% frozen, a frame every second, 60% of a's frames) reject that.
import assert from 'node:assert/strict';
import { delay, e2eTest } from './lib/harness.mjs';
import { PacketLoss, mediaUdpPorts } from './lib/packet-loss.mjs';

const kLossMs = 15000;
const kLossPercent = 5;
// At most this fraction of the loss window may be spent frozen (Chromium's totalFreezesDuration).
const kMaxFrozenFraction = 0.3;
// framesDecoded must rise by at least this fraction of the frames a encoded in the window, and by
// at least kMinFramesVsBefore of (b's fps before the loss) * window.
const kMinFramesFraction = 0.6;
const kMinFramesVsBefore = 0.3;
const kTable = `switchyard_e2e_media_${process.pid}`;

// The RTP stats of a page's video: the inbound-rtp of its (single) subscribed video track and the
// outbound-rtp of its published video track, whichever it has.
function videoRtp(peer) {
  return peer.evaluate(async () => {
    const c = window.sy.client;
    const pick = (s, keys) => Object.fromEntries(keys.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
    const out = { at: Date.now(), inbound: null, outbound: null };
    for (const t of c.remoteTracks.values()) {
      if (t.kind !== 'video' || !t.transceiver || !t.track || t.track.readyState !== 'live') continue;
      (await t.transceiver.receiver.getStats()).forEach((s) => {
        if (s.type !== 'inbound-rtp') return;
        out.inbound = pick(s, [
          'ssrc',
          'packetsReceived',
          'packetsLost',
          'framesDecoded',
          'framesDropped',
          'keyFramesDecoded',
          'freezeCount',
          'totalFreezesDuration',
          'pauseCount',
          'totalPausesDuration',
          'nackCount',
          'pliCount',
          'firCount',
          'retransmittedPacketsReceived',
          'frameWidth',
          'frameHeight',
          'framesPerSecond',
        ]);
      });
    }
    for (const t of c.localTracks.values()) {
      if (t.kind !== 'video' || !t.transceiver) continue;
      (await t.transceiver.sender.getStats()).forEach((s) => {
        if (s.type !== 'outbound-rtp') return;
        out.outbound = pick(s, [
          'ssrc',
          'packetsSent',
          'framesEncoded',
          'nackCount',
          'pliCount',
          'firCount',
          'retransmittedPacketsSent',
          'framesPerSecond',
          'targetBitrate',
          'qualityLimitationReason',
          'qualityLimitationDurations',
        ]);
      });
    }
    if (c.pc) {
      (await c.pc.getStats()).forEach((s) => {
        // What the server's receiver reports say about a's video (fraction lost, cumulative lost, RTT).
        if (s.type === 'remote-inbound-rtp' && s.kind === 'video') {
          out.remoteInbound = pick(s, ['ssrc', 'fractionLost', 'packetsLost', 'roundTripTime', 'roundTripTimeMeasurements', 'jitter']);
        }
        if (s.type === 'candidate-pair' && s.nominated && s.availableOutgoingBitrate !== undefined) out.availableOutgoingBitrate = s.availableOutgoingBitrate;
      });
    }
    return out;
  });
}

// key=value pairs of a text log line.
function logFields(line) {
  const out = {};
  for (const m of line.matchAll(/(\w+)=(\S+)/g)) out[m[1]] = /^\d+$/.test(m[2]) ? Number(m[2]) : m[2];
  return out;
}

e2eTest(
  'media: at 5% packet loss the subscriber keeps decoding video, repaired by NACK and retransmission',
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
    b.peerId = (await b.join(room)).peerId;
    const published = await a.publish({ videoCodec: 'VP8' });
    assert.equal(published.length, 2, JSON.stringify(published));
    const video = published.find((p) => p.kind === 'video');
    const flowing = await h.expectFlowing(
      b,
      published.map((p) => ({ peerId: a.peerId, kind: p.kind, trackId: p.trackId, codec: p.kind === 'video' ? 'VP8' : undefined })),
      { timeoutMs: 40000 },
    );
    const fps = flowing.find((s) => s.kind === 'video').fps;
    h.mark(`b decodes a's video at ${fps} fps`);

    // A moment without loss: what Chromium reports for the freezes of a clean stream.
    const clean0 = await videoRtp(b);
    await delay(3000);
    const clean1 = await videoRtp(b);
    const cleanFreezes = clean1.inbound.freezeCount - clean0.inbound.freezeCount;
    const cleanFrozen = clean1.inbound.totalFreezesDuration - clean0.inbound.totalFreezesDuration;
    t.diagnostic(
      `without loss: b decodes ${((clean1.inbound.framesDecoded - clean0.inbound.framesDecoded) / ((clean1.at - clean0.at) / 1000)).toFixed(1)} fps, ` +
        `${cleanFreezes} freezes (${cleanFrozen.toFixed(2)} s), nackCount ${clean1.inbound.nackCount}, packetsLost ${clean1.inbound.packetsLost}`,
    );

    // The loss: this test's own table, made fresh and always deleted.
    h.defer(() => loss.remove());
    const [b0, a0] = await Promise.all([videoRtp(b), videoRtp(a)]);
    loss.install(ports, kLossPercent);
    h.mark(`nft table ${kTable} drops ${kLossPercent}% of UDP to/from ${ports.join(',')}`);

    // b's framesDecoded once a second through the loss.
    const perSecond = [];
    let last = b0;
    while (Date.now() - b0.at < kLossMs) {
      await delay(Math.min(1000, Math.max(0, kLossMs - (Date.now() - b0.at))));
      server.checkAlive();
      const now = await videoRtp(b);
      if (!now.inbound) throw new Error(`b lost a's video track: ${JSON.stringify(now)}`);
      perSecond.push(Math.round((now.inbound.framesDecoded - last.inbound.framesDecoded) / ((now.at - last.at) / 1000)));
      last = now;
    }
    const [b1, a1] = await Promise.all([videoRtp(b), videoRtp(a)]);
    const counters = loss.counters();
    loss.remove();
    h.mark('nft table deleted');

    const secs = (b1.at - b0.at) / 1000;
    const d = (k, x0 = b0.inbound, x1 = b1.inbound) => (x1[k] ?? 0) - (x0[k] ?? 0);
    const framesDecoded = d('framesDecoded');
    const freezes = d('freezeCount');
    const frozen = d('totalFreezesDuration');
    const nacks = d('nackCount');
    const lost = d('packetsLost');
    const received = d('packetsReceived');
    const pct = (x) => `${(100 * x).toFixed(1)}%`;
    const dropRate = (side) => (side.packets ? side.dropped / side.packets : 0);
    t.diagnostic(
      `nft: to the server ${counters.toServer.dropped} of ${counters.toServer.packets} packets dropped (${pct(dropRate(counters.toServer))}), ` +
        `from the server ${counters.fromServer.dropped} of ${counters.fromServer.packets} (${pct(dropRate(counters.fromServer))})`,
    );
    t.diagnostic(
      `b during ${secs.toFixed(1)} s of loss: ${framesDecoded} frames decoded (${(framesDecoded / secs).toFixed(1)} fps, ${fps} fps before; ` +
        `per second ${perSecond.join('/')}), ${freezes} freezes totalling ${frozen.toFixed(2)} s (${pct(frozen / secs)} of the window), ` +
        `nackCount +${nacks}, pliCount +${d('pliCount')}, keyFramesDecoded +${d('keyFramesDecoded')}, framesDropped +${d('framesDropped')}, ` +
        `packetsReceived +${received}, packetsLost +${lost}, retransmittedPacketsReceived +${d('retransmittedPacketsReceived')}`,
    );
    const ao0 = a0.outbound || {};
    const ao1 = a1.outbound || {};
    t.diagnostic(
      `a (publisher) during the loss: packetsSent +${d('packetsSent', ao0, ao1)}, framesEncoded +${d('framesEncoded', ao0, ao1)}, ` +
        `nackCount +${d('nackCount', ao0, ao1)}, retransmittedPacketsSent +${d('retransmittedPacketsSent', ao0, ao1)}, pliCount +${d('pliCount', ao0, ao1)}; ` +
        `encoder ${ao0.framesPerSecond} -> ${ao1.framesPerSecond} fps, target bitrate ${ao0.targetBitrate} -> ${ao1.targetBitrate}, ` +
        `available outgoing bitrate ${a0.availableOutgoingBitrate} -> ${a1.availableOutgoingBitrate}, quality limitation ${ao1.qualityLimitationReason} ` +
        `${JSON.stringify(ao1.qualityLimitationDurations)}; the server's receiver reports at the end: ${JSON.stringify(a1.remoteInbound)}`,
    );

    // The peers leave: the room closes and the server logs its media counters.
    await Promise.all([a.call('leave'), b.call('leave')]);
    const closedLine = await h.waitFor("the server's 'room media closed' line", async () => server.logLines.find((l) => l.includes('room media closed')), {
      timeoutMs: 15000,
    });
    const sc = logFields(closedLine);
    const names = [
      'rtp_received',
      'rtp_forwarded',
      'nacks_sent',
      'rtx_repaired',
      'retransmissions_requested',
      'retransmissions_sent',
      'retransmissions_missed',
      'keyframe_requests_sent',
      'receiver_reports_sent',
      'sender_reports_sent',
      'speaker_changes',
      'send_failed',
    ];
    const warnings = server.logLines.filter((l) => /^\S+ \S+ (warn|warning|error|critical)\b/.test(l));
    t.diagnostic(`server warnings/errors: ${warnings.length}${warnings.length ? `\n${warnings.slice(0, 10).join('\n')}` : ''}`);
    t.diagnostic(`server: ${names.map((k) => `${k}=${sc[k]}`).join(' ')}`);

    assert.ok(counters.toServer.dropped > 0 && counters.fromServer.dropped > 0, `nft dropped no packets: ${JSON.stringify(counters)}`);
    assert.ok(lost + nacks > 0, `b saw no loss at all: ${JSON.stringify({ b0, b1 })}`);
    // The reference is what a encoded in the window, not the frame rate before the loss: a's
    // encoder halves its frame rate at the lower target bitrate its congestion control settles on
    // under the loss (15 -> ~7 fps, target 30 kbps), which no repair at the server can change.
    // kMinFramesVsBefore still fails a publisher that all but stops.
    const encoded = d('framesEncoded', ao0, ao1);
    assert.ok(
      framesDecoded >= encoded * kMinFramesFraction,
      `b decoded ${framesDecoded} frames in ${secs.toFixed(1)} s of loss, a encoded ${encoded}: ${JSON.stringify({ b0, b1, a0, a1, perSecond })}`,
    );
    assert.ok(
      framesDecoded >= fps * secs * kMinFramesVsBefore,
      `b decoded ${framesDecoded} frames in ${secs.toFixed(1)} s of loss, fewer than ${kMinFramesVsBefore} x ${fps} fps: ${JSON.stringify({ b0, b1, a0, a1, perSecond })}`,
    );
    assert.ok(
      frozen < secs * kMaxFrozenFraction,
      `b was frozen ${frozen.toFixed(2)} s of ${secs.toFixed(1)} s (${freezes} freezes): ${JSON.stringify({ b0, b1, perSecond })}`,
    );
    assert.ok(perSecond.every((n) => n > 0), `a second without a decoded frame at b: ${perSecond.join('/')}`);
    assert.ok(nacks > 0, `b sent no NACK: ${JSON.stringify({ b0, b1 })}`);
    assert.ok(sc.retransmissions_sent > 0, `the server retransmitted nothing: ${closedLine}`);
    assert.ok(sc.nacks_sent > 0, `the server sent no NACK to a: ${closedLine}`);
    assert.ok(sc.retransmissions_requested > 0, `the server got no NACK for retransmission: ${closedLine}`);
  },
  { timeoutMs: 150000 },
);
