// Code that runs inside a browser page (Chromium or Firefox). installPageHelpers is serialized by
// page.evaluate, so it must be self-contained: it defines window.sy, a thin test driver around
// the SwitchyardClient of /switchyard.js, that records every client event and reads getStats().
export function installPageHelpers() {
  if (window.sy) return;
  const capture = { width: 320, height: 240, frameRate: 15 };
  const plain = (v) => {
    if (v === null || v === undefined) return v;
    if (typeof v !== 'object') return v;
    if (v instanceof MediaStreamTrack) return { trackLabel: v.label, id: v.id, kind: v.kind, readyState: v.readyState };
    if (v instanceof MediaStream) return { streamId: v.id };
    if (v instanceof RTCRtpTransceiver) return { mid: v.mid };
    if (typeof RTCDataChannel !== 'undefined' && v instanceof RTCDataChannel) {
      return { label: v.label, protocol: v.protocol, id: v.id, readyState: v.readyState };
    }
    if (v instanceof Error) return { error: String(v), code: v.code };
    const out = Array.isArray(v) ? [] : {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  };
  // Every signaling message sent and received on any WebSocket of the page, for diagnostics.
  const signaling = [];
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => signaling.push({ dir: 'in', at: performance.now(), data: String(e.data) }));
    }
    send(data) {
      signaling.push({ dir: 'out', at: performance.now(), data: String(data) });
      return super.send(data);
    }
  };
  const sy = {
    signaling,
    client: null,
    events: [], // {type, detail, at}
    localStreams: [],
    extraStreams: [],
    rawSockets: new Map(),
    trackObjects: new Map(), // trackId -> MediaStreamTrack of every 'track' event (kept after it ends)
    channels: new Map(), // key -> RTCDataChannel made by createChannel
    // Every 'datachannel' event: {peerId, name, label, protocol, channel, messages (every message's
    // data, string or ArrayBuffer), arrivals (Date.now() of each message), bytes, at, firstAt, lastAt
    // (Date.now() of the first and last message)}.
    remoteChannels: [],

    // dataChannels: the client's option (negotiate the data section at join, to receive channels).
    async join(room, { name, url, dataChannels } = {}) {
      const { SwitchyardClient } = await import('/switchyard.js');
      const options = url ? { url } : {};
      if (dataChannels) options.dataChannels = true;
      const client = new SwitchyardClient(options);
      sy.client = client;
      for (const type of ['peerjoined', 'peerleft', 'track', 'trackended', 'datachannel', 'encodings', 'connectionstatechange', 'closed', 'error']) {
        client.addEventListener(type, (e) => sy.events.push({ type, detail: plain(e.detail), at: performance.now() }));
      }
      client.addEventListener('track', (e) => sy.trackObjects.set(e.detail.trackId, e.detail.track));
      client.addEventListener('datachannel', (e) => {
        const { channel, peerId, name: peerName, label, protocol } = e.detail;
        const entry = { peerId, name: peerName, label, protocol, channel, messages: [], arrivals: [], bytes: 0, at: performance.now(), firstAt: null, lastAt: null };
        channel.addEventListener('message', (m) => {
          entry.messages.push(m.data);
          entry.arrivals.push(Date.now());
          entry.bytes += typeof m.data === 'string' ? m.data.length : m.data.byteLength;
          entry.lastAt = Date.now();
          if (entry.firstAt === null) entry.firstAt = entry.lastAt;
        });
        sy.remoteChannels.push(entry);
      });
      const joined = await client.join(room, { name });
      return plain(joined);
    },

    async getUserMedia({ audio = true, video = true } = {}) {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio,
        video: video ? { width: { ideal: capture.width }, height: { ideal: capture.height }, frameRate: { ideal: capture.frameRate } } : false,
      });
      sy.localStreams.push(stream);
      return stream;
    },

    // Publishes getUserMedia audio and/or video; returns [{trackId, kind}].
    async publish({ audio = true, video = true, videoCodec, audioCodec } = {}) {
      const stream = await sy.getUserMedia({ audio, video });
      const published = [];
      const jobs = stream.getTracks().map(async (track) => {
        const codec = track.kind === 'video' ? videoCodec : audioCodec;
        const options = { source: track.kind === 'video' ? 'camera' : 'microphone', stream };
        if (codec) options.codec = codec;
        const trackId = await sy.client.publish(track, options);
        published.push({ trackId, kind: track.kind });
      });
      await Promise.all(jobs);
      return published;
    },

    // A second video track from a canvas (a moving picture, so the encoder keeps sending frames).
    async publishCanvas({ source = 'screen', width = 320, height = 240, fps = 15 } = {}) {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext('2d');
      let n = 0;
      const timer = setInterval(() => {
        n++;
        ctx.fillStyle = `hsl(${(n * 7) % 360} 70% 50%)`;
        ctx.fillRect(0, 0, width, height);
        ctx.fillStyle = '#fff';
        ctx.font = '40px sans-serif';
        ctx.fillText(String(n), 20, 80);
      }, 1000 / fps);
      const stream = canvas.captureStream(fps);
      sy.extraStreams.push({ stream, timer, canvas });
      const track = stream.getVideoTracks()[0];
      const trackId = await sy.client.publish(track, { source, stream });
      return { trackId, kind: 'video' };
    },

    async unpublish(trackId) {
      await sy.client.unpublish(trackId);
    },

    async leave() {
      await sy.client.leave();
    },

    summary() {
      const c = sy.client;
      if (!c) return null;
      return {
        peerId: c.peerId,
        peers: [...c.peers.keys()],
        remoteTracks: [...c.remoteTracks.values()].map((t) => ({
          trackId: t.trackId,
          peerId: t.peerId,
          kind: t.kind,
          source: t.source,
          readyState: t.track ? t.track.readyState : null,
          mid: t.transceiver ? t.transceiver.mid : null,
        })),
        localTracks: [...c.localTracks.values()].map((t) => ({ trackId: t.trackId, kind: t.kind, source: t.source })),
        negotiations: c.negotiations,
        connectionState: c.pc ? c.pc.connectionState : null,
        iceConnectionState: c.pc ? c.pc.iceConnectionState : null,
        signalingState: c.pc ? c.pc.signalingState : null,
        timeline: plain(c.timeline),
      };
    },

    // Inbound RTP per subscribed remote track (receiver.getStats(), so each report belongs to one
    // track in Chromium and Firefox alike), plus the outbound RTP of the local tracks.
    async stats() {
      const c = sy.client;
      const inbound = [];
      for (const t of c.remoteTracks.values()) {
        const entry = {
          trackId: t.trackId,
          peerId: t.peerId,
          kind: t.kind,
          source: t.source,
          mid: t.transceiver ? t.transceiver.mid : null,
          readyState: t.track ? t.track.readyState : null,
          trackIdentifier: t.track ? t.track.id : null,
          packetsReceived: 0,
          packetsLost: 0,
          bytesReceived: 0,
          framesDecoded: 0,
          frameWidth: 0,
          frameHeight: 0,
          codec: null,
          ssrc: null,
        };
        const receiver = t.transceiver ? t.transceiver.receiver : null;
        if (receiver && t.track && t.track.readyState === 'live') {
          const report = await receiver.getStats();
          const byId = new Map();
          report.forEach((s) => byId.set(s.id, s));
          report.forEach((s) => {
            if (s.type !== 'inbound-rtp') return;
            entry.ssrc = s.ssrc;
            entry.packetsReceived += s.packetsReceived || 0;
            entry.packetsLost += s.packetsLost || 0;
            entry.bytesReceived += s.bytesReceived || 0;
            entry.framesDecoded += s.framesDecoded || 0;
            entry.frameWidth = s.frameWidth || entry.frameWidth;
            entry.frameHeight = s.frameHeight || entry.frameHeight;
            if (s.trackIdentifier) entry.statsTrackIdentifier = s.trackIdentifier;
            if (s.mid !== undefined) entry.statsMid = s.mid;
            const codec = s.codecId ? byId.get(s.codecId) : null;
            if (codec) entry.codec = codec.mimeType;
            if (s.decoderImplementation) entry.decoder = s.decoderImplementation;
          });
        }
        inbound.push(entry);
      }
      const outbound = [];
      if (c.pc) {
        const report = await c.pc.getStats();
        const byId = new Map();
        report.forEach((s) => byId.set(s.id, s));
        report.forEach((s) => {
          if (s.type !== 'outbound-rtp') return;
          const codec = s.codecId ? byId.get(s.codecId) : null;
          outbound.push({
            kind: s.kind,
            mid: s.mid,
            packetsSent: s.packetsSent,
            bytesSent: s.bytesSent,
            framesEncoded: s.framesEncoded,
            codec: codec ? codec.mimeType : null,
          });
        });
      }
      return { inbound, outbound, state: sy.summary() };
    },

    // readyState of the MediaStreamTrack each 'track' event delivered for these trackIds.
    trackStates(trackIds) {
      const out = {};
      for (const id of trackIds) {
        const t = sy.trackObjects.get(id);
        out[id] = t ? t.readyState : 'never received';
      }
      return out;
    },

    // ---- data channels ----

    // client.createDataChannel(label, options), kept under `key`.
    createChannel(key, label, options = {}) {
      const channel = sy.client.createDataChannel(label, options);
      sy.channels.set(key, channel);
      return sy.channelState(key);
    },

    channelState(key) {
      const c = sy.channels.get(key);
      if (!c) return null;
      return { label: c.label, protocol: c.protocol, id: c.id, readyState: c.readyState, bufferedAmount: c.bufferedAmount, ordered: c.ordered };
    },

    // Sends on channel `key`: a string as is, {bytes: number[]} as an ArrayBuffer. Returns bufferedAmount.
    send(key, data) {
      const c = sy.channels.get(key);
      c.send(typeof data === 'string' ? data : new Uint8Array(data.bytes).buffer);
      return c.bufferedAmount;
    },

    closeChannel(key) {
      sy.channels.get(key).close();
    },

    // The SCTP transport's state (null before the data section was negotiated).
    sctpState() {
      const pc = sy.client && sy.client.pc;
      return pc && pc.sctp ? pc.sctp.state : null;
    },

    // The 'datachannel' channels: what they are and how much they received.
    remoteChannelList() {
      return sy.remoteChannels.map((e, index) => ({
        index,
        peerId: e.peerId,
        name: e.name,
        label: e.label,
        protocol: e.protocol,
        channelProtocol: e.channel.protocol,
        readyState: e.channel.readyState,
        binaryType: e.channel.binaryType,
        ordered: e.channel.ordered,
        count: e.messages.length,
        bytes: e.bytes,
      }));
    },

    // Messages [start, end) of remote channel `index`: {s: string} or {b: number[]} (binary).
    remoteMessages(index, start = 0, end = undefined) {
      return sy.remoteChannels[index].messages
        .slice(start, end)
        .map((m) => (typeof m === 'string' ? { s: m } : m instanceof ArrayBuffer ? { b: [...new Uint8Array(m)] } : { other: String(m) }));
    },

    // SHA-256 (hex) and length of the binary messages of remote channel `index`, concatenated.
    async remoteDigest(index) {
      const entry = sy.remoteChannels[index];
      const all = new Uint8Array(entry.messages.reduce((n, m) => n + (m instanceof ArrayBuffer ? m.byteLength : 0), 0));
      let at = 0;
      for (const m of entry.messages) {
        if (!(m instanceof ArrayBuffer)) continue;
        all.set(new Uint8Array(m), at);
        at += m.byteLength;
      }
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
      return { bytes: all.byteLength, sha256: [...digest].map((x) => x.toString(16).padStart(2, '0')).join('') };
    },

    eventsOf(type) {
      return sy.events.filter((e) => e.type === type);
    },

    // A bare WebSocket client (no media), to ask the server about a room: joins, returns the
    // joined reply, and keeps the socket under `key` until rawLeave(key).
    async rawJoin(key, wsUrl, room, name = 'observer') {
      const ws = new WebSocket(wsUrl);
      sy.rawSockets.set(key, ws);
      const messages = [];
      ws.addEventListener('message', (e) => messages.push(JSON.parse(e.data)));
      await new Promise((res, rej) => {
        ws.addEventListener('open', res, { once: true });
        ws.addEventListener('error', () => rej(new Error('raw WebSocket error')), { once: true });
      });
      ws.send(JSON.stringify({ type: 'join', id: 1, room, name }));
      const reply = await sy.waitMessage(messages, (m) => m.id === 1, 5000);
      ws.messages = messages;
      return reply;
    },

    async rawLeave(key) {
      const ws = sy.rawSockets.get(key);
      if (!ws) return null;
      ws.send(JSON.stringify({ type: 'leave', id: 2 }));
      const reply = await sy.waitMessage(ws.messages, (m) => m.id === 2, 5000);
      ws.close();
      sy.rawSockets.delete(key);
      return reply;
    },

    rawMessages(key) {
      const ws = sy.rawSockets.get(key);
      return ws ? ws.messages : [];
    },

    async waitMessage(messages, pred, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const m = messages.find(pred);
        if (m) return m;
        if (performance.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms: ${JSON.stringify(messages)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  window.sy = sy;
}
