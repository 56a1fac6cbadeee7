/**
 * switchyard.js: the browser client of the Switchyard SFU (ES module, no dependencies, no build step).
 * Served by the server at /switchyard.js. The wire protocol is described in docs/protocol.md.
 *
 * @example
 *   import { SwitchyardClient } from '/switchyard.js';
 *   const client = new SwitchyardClient();                 // ws(s)://<location.host>/ws
 *   client.addEventListener('track', (e) => { video.srcObject = e.detail.stream; });
 *   const { peerId, peers, tracks } = await client.join('team-1', { name: 'Alice' });
 *   const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
 *   const micId = await client.publish(media.getAudioTracks()[0], { stream: media });
 *   const camId = await client.publish(media.getVideoTracks()[0], { stream: media, codec: 'VP8' });
 *   client.setMuted(micId, true);
 *   await client.unpublish(camId);
 *   const chat = client.createDataChannel('chat');           // every other peer gets a 'datachannel'
 *   chat.onopen = () => chat.send('hello');
 *   const dm = client.createDataChannel('dm', { to: peers[0].peerId });    // that one peer only
 *   client.addEventListener('datachannel', (e) => {
 *     const { channel, peerId, name, label } = e.detail;  // a channel some peer opened (receive only)
 *     channel.onmessage = (m) => console.log(`${label} from ${name || peerId}:`, m.data);
 *   });
 *   await client.leave();
 *
 * Model. One WebSocket (signaling) and one RTCPeerConnection (BUNDLE, rtcp-mux) per client. The client
 * always offers and the server only answers, so there is never glare. Offers are serialized: one offer
 * is in flight at a time, and every change made meanwhile (publish, unpublish, a remote track published
 * or unpublished) is coalesced into one more round after it. The server is ICE-lite and lists its
 * candidates in its answer, so local ICE candidates are not trickled. A client joins once; after
 * leave() or a 'closed' event, make a new SwitchyardClient.
 *
 * Data channels (docs/protocol.md "Data channels"). The server relays them per sender, without an
 * envelope: a channel this client creates (label L, protocol P) is opened by the server at every other
 * peer (or, with `to`, at one peer) with the same label and reliability and the protocol
 * `from=<this peerId>[;P]`, and what is sent on it arrives there as sent (string, binary, empty).
 * Those channels (the 'datachannel' events) are receive-only: the server drops what is sent on them;
 * to answer a peer, create a channel `{to: peerId}`. A client takes part in data channels once its
 * offer carried the data section (m=application, SCTP): after its first createDataChannel(), or from
 * join() on with the `dataChannels` option. A client that only receives needs that option, since the
 * server can open channels only on a client that negotiated the data section.
 *
 * Errors. Every promise rejects with an Error carrying a string `.code`: the server's error code
 * (`room_full`, `negotiation_failed`, ... see docs/protocol.md) or one of the client's own:
 * `timeout` (no reply within requestTimeoutMs), `closed` (the connection closed or the client left),
 * `not_joined`, `already_joined`, `unknown_track`, `unsupported_codec`, `rejected` (the server
 * refused to receive a published track), `bad_reply`, `connect_failed`.
 *
 * @typedef {Object} PeerInfo
 * @property {string} peerId
 * @property {string} name            display name ('' when none was given)
 *
 * @typedef {Object} TrackInfo          a track as the server announces it
 * @property {string} trackId
 * @property {string} peerId            publisher
 * @property {'audio'|'video'} kind
 * @property {string} source            'camera', 'screen', 'microphone', ...
 *
 * @typedef {Object} RemoteTrack        an entry of client.remoteTracks (a live, subscribed track)
 * @property {string} trackId
 * @property {string} peerId
 * @property {'audio'|'video'} kind
 * @property {string} source
 * @property {MediaStreamTrack} track   transceiver.receiver.track
 * @property {MediaStream} stream       the stream pc.ontrack gave for this transceiver (the server's
 *                                      msid names the publisher's peerId, so one peer's tracks share it),
 *                                      or a new MediaStream([track])
 * @property {RTCRtpTransceiver} transceiver
 *
 * @typedef {Object} LocalTrack         an entry of client.localTracks (a published track)
 * @property {string} trackId
 * @property {'audio'|'video'} kind
 * @property {string} source
 * @property {MediaStreamTrack} track
 * @property {RTCRtpTransceiver} transceiver
 * @property {boolean} muted
 *
 * @class SwitchyardClient
 * @extends EventTarget
 *
 * constructor(options?)
 *   options.url               WebSocket URL; default `ws(s)://${location.host}/ws`
 *   options.rtcConfiguration  extra RTCConfiguration (iceServers, certificates, ...); bundlePolicy is
 *                             always 'max-bundle' and rtcpMuxPolicy 'require'
 *   options.requestTimeoutMs  reply timeout of every request, default 15000
 *   options.dataChannels      true: negotiate the data section with the first offer after join(), so
 *                             channels the others create reach this client even if it never creates one
 *                             (it keeps an internal negotiated channel, id 0, for that; never used).
 *                             Default false: the data section comes with the first createDataChannel().
 *
 * join(room, {name, token}?) -> Promise<{peerId, peers: PeerInfo[], tracks: TrackInfo[]}>
 *   Opens the WebSocket, sends `join`, and subscribes to every track already published in the room
 *   ('track' events follow as they go live). Peers already in the room are in client.peers; no
 *   'peerjoined' is dispatched for them.
 * publish(track, {source, stream, codec, sendEncodings}?) -> Promise<string trackId>
 *   Adds a sendonly transceiver, renegotiates, resolves with the trackId the server gave it.
 *   source: label the others see (default 'camera' for video, 'microphone' for audio).
 *   stream: the MediaStream to associate (msid). codec: 'VP8'|'VP9'|'H264'|'AV1'|'opus'|'PCMU'|'PCMA'
 *   restricts the transceiver to that codec (plus RTX) with setCodecPreferences; H264 is restricted to
 *   packetization-mode=1. sendEncodings (optional): passed to addTransceiver (e.g. simulcast).
 *   With simulcast the server switches encodings nobody receives off and back on (see the
 *   'encodings' event).
 * unpublish(trackId) -> Promise<void>      stops the transceiver and renegotiates
 * setMuted(trackId, muted) -> void         local only: the sender track's `enabled`
 * setLayer(trackId, 'low'|'medium'|'high'|'off', {temporalLayer}?) -> Promise<void>
 *   For a remote track whose publisher sends simulcast (publish() with sendEncodings carrying rids,
 *   lowest resolution first, e.g. [{rid:'q', scaleResolutionDownBy:4}, {rid:'h', scaleResolutionDownBy:2},
 *   {rid:'f'}]): which layer this client receives (default 'high'; 'low' for thumbnails; 'off' pauses
 *   it). The server switches at the layer's next keyframe. For a VP9 SVC track (sendEncodings
 *   [{scalabilityMode: 'L3T3_KEY'}]): its spatial layer (low = the smallest, medium = the second, high =
 *   all). temporalLayer (optional, VP8/VP9, 0..7): the highest temporal layer received (0 = the base
 *   frame rate; omitted: unchanged, all by default). May be called before the track's 'track' event
 *   (the preference is kept). Other tracks ignore it.
 * createDataChannel(label, {to, protocol, ordered, maxRetransmits, maxPacketLifeTime}?) -> RTCDataChannel
 *   Creates a channel on client.pc (binaryType 'arraybuffer') whose messages the server relays to every
 *   other peer, or only to peer `to`. Its protocol is `to=<to>[;protocol]` with `to`, else `protocol`
 *   (default ''). ordered / maxRetransmits / maxPacketLifeTime: as RTCDataChannelInit (at most one of
 *   the last two); the channels the others get have the same. The first call renegotiates (the offer
 *   gains the data section) unless the data section is negotiated already; the channel opens once the
 *   SCTP association is up. Throws `not_joined` before join() and `bad_request` for invalid options.
 *   What is sent on a channel before another peer got its relayed channel is not delivered to that peer.
 * leave() -> Promise<void>                 sends `leave`, closes the data channels, the peer connection
 *                                          and the WebSocket
 *
 * Properties (read them, do not modify them):
 *   peerId        this client's peer id once joined (null before)
 *   room          the room name once joined
 *   state         'new' | 'connecting' | 'joined' | 'closed'
 *   pc            the RTCPeerConnection (for getStats), created by join()
 *   peers         Map<peerId, PeerInfo> of the other peers in the room
 *   remoteTracks  Map<trackId, RemoteTrack>, live subscribed tracks (after their 'track' event)
 *   localTracks   Map<trackId, LocalTrack>, published tracks
 *   dataChannels  Set<RTCDataChannel> not closed yet: the ones createDataChannel() made and the ones
 *                 'datachannel' events delivered
 *   activeSpeaker peerId of the room's active speaker as the server last announced it (null when none;
 *                 it may be this client's own peerId)
 *   negotiations  number of completed offer/answer rounds
 *   timeline      performance.now() marks: wsOpen, joined, firstAnswer, firstTrack, connected
 *
 * Events (CustomEvent, payload in .detail):
 *   'peerjoined'  {peerId, name}                  another peer joined
 *   'peerleft'    {peerId}                        another peer left (its 'trackended' events come first)
 *   'activespeaker' {peerId, name, trackId}       the server picked a new active speaker from the
 *                 publishers' audio levels (RFC 6464), with hysteresis; peerId may be this client's own
 *   'track'       {trackId, peerId, kind, source, track, stream}
 *                 a remote track is live: the answer that subscribed it has been applied. Once per track.
 *   'trackended'  {trackId, peerId}               a remote track (one that had its 'track' event) was
 *                 unpublished or its peer left; its MediaStreamTrack has ended
 *   'datachannel' {channel, peerId, name, label, protocol}
 *                 the server opened a channel for a channel peer `peerId` created (broadcast or directed
 *                 to this client): channel is the RTCDataChannel (binaryType 'arraybuffer', receive-only),
 *                 name that peer's display name ('' if unknown), label its label, protocol the sender's
 *                 protocol P (channel.protocol is `from=<peerId>[;P]`; '' when none). Attach onmessage in
 *                 the listener: messages may follow at once. Channels whose protocol does not start with
 *                 `from=` are not the server's relay and are ignored.
 *   'encodings'   {trackId, active}               the server told which simulcast encodings of a track
 *                 this client publishes anyone receives (docs/protocol.md `encodings`) and the client
 *                 changed them: active maps each rid to its new encodings[i].active (set with
 *                 sender.setParameters; the server's last word is applied again after every answer,
 *                 since an answer may change it). Encodings nobody
 *                 receives are switched off to save the uplink and the encoder; the server switches them
 *                 back on when a subscriber needs them. An app that also calls setParameters on a
 *                 published sender should read getParameters() afresh.
 *   'connectionstatechange' {state}               pc.connectionState
 *   'closed'      {code, reason}                  the WebSocket closed (or leave()); the pc is closed.
 *                 Once per client.
 *   'error'       {error}                         a failure nobody awaits: a negotiation triggered by a
 *                 remote event failed, setParameters for an `encodings` message failed (code
 *                 'set_parameters_failed'), a subscription was rejected (code 'subscription_rejected'), the
 *                 server refused the data section (code 'data_channels_rejected'), a server error
 *                 without a request, an unparsable message
 */

const kDefaultRequestTimeoutMs = 15000;
const kBusyRetries = 4;
const kRetryRounds = 3;          // a failed round with subscriptions waiting is retried after 1, 2, 4 s

function makeError(code, message) {
  const error = new Error(message);
  error.code = code;
  return error;
}

function defaultUrl() {
  const scheme = globalThis.location?.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${globalThis.location?.host}/ws`;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// The mid of the data section (m=application) of an SDP, or null.
function applicationMid(sdp) {
  const section = /^m=application[^\n]*\n((?:(?!m=)[^\n]*\n?)*)/m.exec(sdp ?? '');
  const mid = section ? /^a=mid:(\S+)/m.exec(section[1]) : null;
  return mid ? mid[1] : null;
}

// A relayed channel's protocol `from=<peerId>[;P]` -> {peerId, protocol: P}, or null.
function parseFromProtocol(protocol) {
  const match = /^from=([^;]+)(?:;([\s\S]*))?$/.exec(protocol ?? '');
  return match ? { peerId: match[1], protocol: match[2] ?? '' } : null;
}

// Transceivers retired without stop(): see stopTransceiver().
const retired = new WeakSet();

function isStopped(transceiver) {
  return !transceiver || retired.has(transceiver) || transceiver.direction === 'stopped' ||
    transceiver.currentDirection === 'stopped' || transceiver.stopped === true;
}

// The mid that tags the BUNDLE group of the current local description (its first mid).
function bundleTag(pc) {
  const match = /^a=group:BUNDLE[ \t]+(\S+)/m.exec(pc?.localDescription?.sdp ?? '');
  return match ? match[1] : null;
}

// Stops a transceiver, except the one whose m-section tags the BUNDLE group: removing that section
// makes the browser move the bundle to a new transport (a new ICE and DTLS session; Chromium sends
// close_notify on the old one, which ends the peer's media session on the server). That one is made
// inactive instead and never used again.
function stopTransceiver(transceiver, pc) {
  if (isStopped(transceiver)) return;
  try {
    if (transceiver.mid !== null && transceiver.mid === bundleTag(pc)) {
      retired.add(transceiver);
      transceiver.direction = 'inactive';
      transceiver.sender.replaceTrack(null).catch(() => {});
      return;
    }
    transceiver.stop();
  } catch {
    // The peer connection is closed: nothing left to stop.
  }
}

// Stops a subscription's transceiver and ends its remote track at once (stop() alone ends it only
// when the next negotiation completes in some browsers).
function stopReceiving(transceiver, pc) {
  stopTransceiver(transceiver, pc);
  try {
    transceiver.receiver.track.stop();
  } catch {
    // Already ended.
  }
}

export class SwitchyardClient extends EventTarget {
  /** @type {string|null} */ peerId = null;
  /** @type {string|null} */ room = null;
  /** @type {'new'|'connecting'|'joined'|'closed'} */ state = 'new';
  /** @type {RTCPeerConnection|null} */ pc = null;
  /** @type {Map<string, PeerInfo>} */ peers = new Map();
  /** @type {Map<string, RemoteTrack>} */ remoteTracks = new Map();
  /** @type {Map<string, LocalTrack>} */ localTracks = new Map();
  /** @type {Set<RTCDataChannel>} */ dataChannels = new Set();
  /** @type {string|null} */ activeSpeaker = null;
  negotiations = 0;
  timeline = {};

  #url;
  #rtcConfiguration;
  #requestTimeoutMs;
  #ws = null;
  #nextId = 0;
  #pending = new Map();          // request id -> {resolve, reject, timer}
  #subscriptions = new Map();    // trackId -> {trackId, peerId, kind, source, transceiver, live}
  #midToTrack = new Map();       // mid -> trackId: the subscriptions of the last offer
  #publications = new Set();     // {track, kind, source, transceiver, trackId, rejected}
  #streams = new WeakMap();      // transceiver -> MediaStream from pc.ontrack
  #nextRound = null;             // {promise, resolve, reject, awaited} of the round queued next
  #negotiating = false;
  #dirty = false;                // something changed since the last offer was created
  #failedRounds = 0;             // consecutive failed rounds
  #retryTimer = null;
  #wantData;                     // the dataChannels option
  #dataSection = false;          // the offers carry the data section (a channel was created)
  #dataRejected = false;         // reported once
  #encodings = Promise.resolve(); // setParameters for the server's `encodings`, one at a time
  #encodingsWanted = new Map();  // trackId -> `active` of the server's last `encodings` for it

  /**
   * @param {{url?: string, rtcConfiguration?: RTCConfiguration, requestTimeoutMs?: number,
   *   dataChannels?: boolean}} [options]
   */
  constructor(options = {}) {
    super();
    this.#url = options.url ?? defaultUrl();
    this.#rtcConfiguration = options.rtcConfiguration ?? {};
    this.#requestTimeoutMs = options.requestTimeoutMs ?? kDefaultRequestTimeoutMs;
    this.#wantData = Boolean(options.dataChannels);
  }

  /**
   * Opens the WebSocket, joins `room` and subscribes to the tracks already published there.
   * @param {string} room
   * @param {{name?: string, token?: string}} [options]
   * @returns {Promise<{peerId: string, peers: PeerInfo[], tracks: TrackInfo[]}>}
   */
  async join(room, { name, token } = {}) {
    if (this.state !== 'new') {
      throw makeError('already_joined', this.state === 'closed' ? 'this client is closed; make a new one'
        : 'join() was already called on this client');
    }
    this.state = 'connecting';
    try {
      await this.#connect();
      this.#createPeerConnection();
      const request = { type: 'join', room };
      if (name !== undefined && name !== null) request.name = String(name);
      if (token !== undefined && token !== null) request.token = token;
      const reply = await this.#request(request);
      if (this.state === 'closed') throw makeError('closed', 'the connection closed');
      if (reply.type !== 'joined' || typeof reply.peerId !== 'string') {
        throw makeError('bad_reply', `unexpected reply to join: ${reply.type}`);
      }
      this.timeline.joined = performance.now();
      this.peerId = reply.peerId;
      this.room = reply.room ?? room;
      this.state = 'joined';
      if (typeof reply.activeSpeaker === 'string') this.activeSpeaker = reply.activeSpeaker;
      const peers = Array.isArray(reply.peers) ? reply.peers : [];
      const tracks = Array.isArray(reply.tracks) ? reply.tracks : [];
      for (const peer of peers) this.peers.set(peer.peerId, { peerId: peer.peerId, name: peer.name ?? '' });
      for (const track of tracks) this.#subscribe(track);
      if (this.#wantData) this.#openDataSection(true);
      return { peerId: this.peerId, peers, tracks };
    } catch (error) {
      this.#shutdown(1000, 'join failed');
      throw error;
    }
  }

  /**
   * Publishes a local track. Resolves with its trackId once the server's answer accepted it.
   * @param {MediaStreamTrack} track
   * @param {{source?: string, stream?: MediaStream, codec?: string, sendEncodings?: RTCRtpEncodingParameters[]}} [options]
   * @returns {Promise<string>}
   */
  async publish(track, { source, stream, codec, sendEncodings } = {}) {
    this.#requireJoined();
    if (!track || (track.kind !== 'audio' && track.kind !== 'video')) {
      throw makeError('bad_request', 'publish() needs an audio or video MediaStreamTrack');
    }
    const init = { direction: 'sendonly', streams: stream ? [stream] : [] };
    if (sendEncodings) init.sendEncodings = sendEncodings;
    const preferences = codec ? this.#codecPreferences(track.kind, codec) : null;
    const transceiver = this.pc.addTransceiver(track, init);
    if (preferences) {
      try {
        transceiver.setCodecPreferences(preferences);
      } catch (error) {
        stopTransceiver(transceiver, this.pc);
        throw makeError('unsupported_codec', `cannot restrict the transceiver to ${codec}: ${error.message}`);
      }
    }
    const publication = {
      track, kind: track.kind, source: source ?? (track.kind === 'video' ? 'camera' : 'microphone'),
      transceiver, trackId: null, rejected: null,
    };
    this.#publications.add(publication);
    try {
      await this.#negotiate(true);
    } catch (error) {
      this.#publications.delete(publication);
      stopTransceiver(transceiver, this.pc);
      throw error;
    }
    if (publication.trackId === null) {
      this.#publications.delete(publication);
      stopTransceiver(transceiver, this.pc);
      if (this.state === 'closed') throw makeError('closed', 'the connection closed');
      this.#negotiate().catch(() => {});  // release the refused section
      throw makeError('rejected', `the server did not accept the ${track.kind} track` +
        (publication.rejected ? `: ${publication.rejected}` : ''));
    }
    return publication.trackId;
  }

  /**
   * Stops publishing a track: stops its transceiver and renegotiates.
   * @param {string} trackId
   */
  async unpublish(trackId) {
    this.#requireJoined();
    const entry = this.localTracks.get(trackId);
    if (!entry) throw makeError('unknown_track', `no published track ${trackId}`);
    this.localTracks.delete(trackId);
    this.#encodingsWanted.delete(trackId);
    for (const publication of this.#publications) {
      if (publication.trackId === trackId) this.#publications.delete(publication);
    }
    stopTransceiver(entry.transceiver, this.pc);
    await this.#negotiate(true);
  }

  /**
   * Mutes or unmutes a published track locally (the sender's track.enabled; a muted video sends black).
   * @param {string} trackId
   * @param {boolean} muted
   */
  setMuted(trackId, muted) {
    const entry = this.localTracks.get(trackId);
    if (!entry) throw makeError('unknown_track', `no published track ${trackId}`);
    entry.muted = Boolean(muted);
    entry.track.enabled = !entry.muted;
  }

  /**
   * Chooses the simulcast (or VP9 spatial) layer and, optionally, the temporal layer received for a remote track.
   * @param {string} trackId
   * @param {'low'|'medium'|'high'|'off'} layer
   * @param {{temporalLayer?: number}} [options]
   */
  async setLayer(trackId, layer, { temporalLayer } = {}) {
    this.#requireJoined();
    if (!['low', 'medium', 'high', 'off'].includes(layer)) {
      throw makeError('bad_request', "setLayer(): layer must be 'low', 'medium', 'high' or 'off'");
    }
    const request = { type: 'setLayer', trackId: String(trackId), layer };
    if (temporalLayer !== undefined) {
      if (!Number.isInteger(temporalLayer) || temporalLayer < 0 || temporalLayer > 7) {
        throw makeError('bad_request', 'setLayer(): temporalLayer must be an integer 0..7');
      }
      request.temporalLayer = temporalLayer;
    }
    const reply = await this.#request(request);
    if (reply.type !== 'layerSet') throw makeError('bad_reply', `unexpected reply to setLayer: ${reply.type}`);
  }

  /**
   * Creates a data channel whose messages the server relays to the other peers (or to peer `to` only).
   * @param {string} label
   * @param {{to?: string, protocol?: string, ordered?: boolean, maxRetransmits?: number,
   *   maxPacketLifeTime?: number}} [options]
   * @returns {RTCDataChannel}
   */
  createDataChannel(label, { to, protocol, ordered, maxRetransmits, maxPacketLifeTime } = {}) {
    this.#requireJoined();
    let fullProtocol = protocol === undefined || protocol === null ? '' : String(protocol);
    if (to !== undefined && to !== null) {
      if (typeof to !== 'string' || to === '' || to.includes(';')) {
        throw makeError('bad_request', 'createDataChannel(): `to` must be a peerId');
      }
      fullProtocol = fullProtocol ? `to=${to};${fullProtocol}` : `to=${to}`;
    }
    const init = { protocol: fullProtocol };
    if (ordered !== undefined) init.ordered = Boolean(ordered);
    if (maxRetransmits !== undefined && maxRetransmits !== null) init.maxRetransmits = maxRetransmits;
    if (maxPacketLifeTime !== undefined && maxPacketLifeTime !== null) init.maxPacketLifeTime = maxPacketLifeTime;
    let channel;
    try {
      channel = this.pc.createDataChannel(String(label ?? ''), init);
    } catch (error) {
      throw makeError('bad_request', `createDataChannel(): ${error.message}`);
    }
    this.#track(channel);
    this.#openDataSection(false);
    return channel;
  }

  /** Leaves the room: sends `leave`, then closes the data channels, the peer connection and the WebSocket. */
  async leave() {
    if (this.state === 'closed') return;
    if (this.state === 'joined') {
      try {
        await this.#request({ type: 'leave' }, Math.min(this.#requestTimeoutMs, 3000));
      } catch {
        // Closing the WebSocket leaves the room as well.
      }
    }
    this.#shutdown(1000, 'left');
  }

  // ---- signaling ----

  #connect() {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(this.#url);
      } catch (error) {
        reject(makeError('connect_failed', `cannot open ${this.#url}: ${error.message}`));
        return;
      }
      this.#ws = ws;
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        ws.close();
        reject(makeError('timeout', `no connection to ${this.#url} within ${this.#requestTimeoutMs} ms`));
      }, this.#requestTimeoutMs);
      ws.addEventListener('open', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.timeline.wsOpen = performance.now();
        resolve();
      });
      ws.addEventListener('close', (event) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(makeError('connect_failed', `cannot connect to ${this.#url} (close code ${event.code})`));
        }
        if (ws === this.#ws) this.#shutdown(event.code, event.reason);
      });
      ws.addEventListener('message', (event) => this.#onMessage(event.data));
    });
  }

  #request(message, timeoutMs = this.#requestTimeoutMs) {
    return new Promise((resolve, reject) => {
      if (this.state === 'closed' || !this.#ws || this.#ws.readyState !== WebSocket.OPEN) {
        reject(makeError('closed', 'the connection is closed'));
        return;
      }
      const id = ++this.#nextId;
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(makeError('timeout', `no reply to ${message.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      try {
        this.#ws.send(JSON.stringify({ ...message, id }));
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(makeError('closed', `cannot send: ${error.message}`));
      }
    });
  }

  #onMessage(data) {
    if (this.state === 'closed') return;
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      this.#emitError(makeError('bad_reply', 'the server sent a message that is not JSON'));
      return;
    }
    if (!message || typeof message !== 'object') return;
    if (message.id !== undefined && message.id !== null) {
      const pending = this.#pending.get(message.id);
      if (pending) {
        this.#pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.type === 'error') {
          pending.reject(makeError(message.code ?? 'internal', message.message ?? 'the server refused the request'));
        } else {
          pending.resolve(message);
        }
        return;
      }
    }
    switch (message.type) {
      case 'peerJoined': {
        const peer = message.peer;
        if (!peer || typeof peer.peerId !== 'string') return;
        const info = { peerId: peer.peerId, name: peer.name ?? '' };
        this.peers.set(info.peerId, info);
        this.#emit('peerjoined', { ...info });
        break;
      }
      case 'peerLeft': {
        const peerId = message.peerId;
        for (const sub of [...this.#subscriptions.values()]) {
          if (sub.peerId === peerId) this.#unsubscribe(sub.trackId);
        }
        const known = this.peers.delete(peerId);
        if (this.activeSpeaker === peerId) this.activeSpeaker = null;
        if (known) this.#emit('peerleft', { peerId });
        break;
      }
      case 'activeSpeaker': {
        if (typeof message.peerId !== 'string' || message.peerId === this.activeSpeaker) break;
        this.activeSpeaker = message.peerId;
        const name = message.peerId === this.peerId ? '' : this.peers.get(message.peerId)?.name ?? '';
        this.#emit('activespeaker', { peerId: message.peerId, name, trackId: message.trackId ?? null });
        break;
      }
      case 'encodings':
        if (typeof message.trackId === 'string' && message.active && typeof message.active === 'object') {
          this.#encodingsWanted.set(message.trackId, message.active);
          this.#applyEncodings(message.trackId);
        }
        break;
      case 'trackPublished':
        if (message.track) this.#subscribe(message.track);
        break;
      case 'trackUnpublished':
        this.#unsubscribe(message.trackId);
        break;
      case 'error':
        this.#emitError(makeError(message.code ?? 'internal', message.message ?? 'server error'));
        break;
      default:
        break;  // replies to timed-out requests, future event types
    }
  }

  // ---- peer connection ----

  #createPeerConnection() {
    const pc = new RTCPeerConnection({
      ...this.#rtcConfiguration,
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    });
    this.pc = pc;
    pc.addEventListener('track', (event) => {
      if (event.transceiver && event.streams && event.streams[0]) {
        this.#streams.set(event.transceiver, event.streams[0]);
      }
    });
    pc.addEventListener('datachannel', (event) => {
      if (this.pc !== pc || this.state === 'closed') return;
      const channel = event.channel;
      const from = parseFromProtocol(channel.protocol);
      if (!from) return;  // not opened by the server's relay
      this.#track(channel);
      // Synchronous, so a listener attaches onmessage before the channel's first message is dispatched.
      this.#emit('datachannel', {
        channel, peerId: from.peerId, name: this.peers.get(from.peerId)?.name ?? '', label: channel.label,
        protocol: from.protocol,
      });
    });
    const onState = () => {
      if (this.pc !== pc || this.state === 'closed') return;
      const state = pc.connectionState ?? pc.iceConnectionState;
      if (state === 'connected' && this.timeline.connected === undefined) this.timeline.connected = performance.now();
      this.#emit('connectionstatechange', { state });
    };
    if ('connectionState' in pc) pc.addEventListener('connectionstatechange', onState);
    else pc.addEventListener('iceconnectionstatechange', onState);
  }

  // ---- data channels ----

  #track(channel) {
    channel.binaryType = 'arraybuffer';
    this.dataChannels.add(channel);
    channel.addEventListener('close', () => this.dataChannels.delete(channel));
  }

  // Makes the offers carry the data section. `internal`: with no channel of the app's (the dataChannels
  // option), a negotiated channel that is never used keeps the section in the offer.
  #openDataSection(internal) {
    if (this.#dataSection) return;
    this.#dataSection = true;
    if (internal) {
      try {
        this.pc.createDataChannel('switchyard', { negotiated: true, id: 0 });
      } catch (error) {
        this.#dataSection = false;
        this.#emitError(makeError('data_channels_rejected', `cannot create the data section: ${error.message}`));
        return;
      }
    }
    // Already negotiated (an earlier channel): the association is up, new channels open in-band.
    if (this.pc.sctp) return;
    this.#negotiate().catch(() => {});  // failures are reported as 'error' events
  }

  #subscribe(info) {
    if (!info || typeof info.trackId !== 'string' || this.#subscriptions.has(info.trackId)) return;
    if (info.peerId === this.peerId) return;
    if (info.kind !== 'audio' && info.kind !== 'video') return;
    this.#subscriptions.set(info.trackId, {
      trackId: info.trackId, peerId: info.peerId, kind: info.kind, source: info.source ?? '',
      transceiver: null, live: false,
    });
    this.#negotiate().catch(() => {});  // failures are reported as 'error' events
  }

  #unsubscribe(trackId) {
    const sub = this.#subscriptions.get(trackId);
    if (!sub) return;
    this.#subscriptions.delete(trackId);
    this.remoteTracks.delete(trackId);
    if (sub.transceiver) {
      stopReceiving(sub.transceiver, this.pc);
      this.#negotiate().catch(() => {});
    }
    if (sub.live) this.#emit('trackended', { trackId, peerId: sub.peerId });
  }

  // Resolves when an offer/answer round that starts after this call has completed (or had nothing to do).
  // `awaited`: the caller reports a failure itself; a round nobody awaits reports it as an 'error' event.
  #negotiate(awaited = false) {
    this.#dirty = true;
    if (this.state === 'closed') return Promise.reject(makeError('closed', 'the connection is closed'));
    if (!this.#nextRound) {
      let resolve;
      let reject;
      const promise = new Promise((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.#nextRound = { promise, resolve, reject, awaited: false };
      if (!this.#negotiating) this.#runRounds();
    }
    if (awaited) this.#nextRound.awaited = true;
    return this.#nextRound.promise;
  }

  async #runRounds() {
    this.#negotiating = true;
    try {
      // Let changes made in this task and in messages already received (a publisher's audio and video
      // trackPublished events arrive together) join this round.
      await sleep(0);
      while (this.#nextRound) {
        const round = this.#nextRound;
        this.#nextRound = null;
        try {
          if (this.#dirty) await this.#negotiateOnce();
          this.#failedRounds = 0;
          round.resolve();
        } catch (error) {
          round.reject(error);
          if (this.state !== 'closed') {
            if (!round.awaited) this.#emitError(error);
            this.#scheduleRetry();
          }
        }
      }
    } finally {
      this.#negotiating = false;
    }
  }

  // Remote tracks waiting for a round that failed (a timeout, a refused offer) get more tries.
  #scheduleRetry() {
    this.#failedRounds += 1;
    const waiting = [...this.#subscriptions.values()].some((sub) => !sub.live) ||
      (this.#dataSection && !this.#dataRejected && !this.pc?.sctp);
    if (!waiting || this.#failedRounds > kRetryRounds || this.#retryTimer !== null) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (this.state !== 'closed') this.#negotiate().catch(() => {});
    }, 1000 * 2 ** (this.#failedRounds - 1));
  }

  async #negotiateOnce() {
    const pc = this.pc;
    this.#dirty = false;
    if (this.state === 'closed') throw makeError('closed', 'the connection is closed');
    for (const sub of this.#subscriptions.values()) {
      if (!sub.transceiver) sub.transceiver = pc.addTransceiver(sub.kind, { direction: 'recvonly' });
    }
    // Nothing to tell the server when every section is gone already (or never was offered).
    const pendingSections = this.#dataSection || pc.getTransceivers().some((t) =>
      t.currentDirection !== 'stopped' && !(t.mid === null && isStopped(t)));
    if (!pendingSections) return;
    const offer = await pc.createOffer();
    this.#checkOpen(pc);
    await pc.setLocalDescription(offer);
    this.#checkOpen(pc);

    // Mids are known now; name the sections of this offer.
    const tracks = {};
    const offeredPublications = [];
    for (const publication of this.#publications) {
      const mid = publication.transceiver.mid;
      if (mid === null || isStopped(publication.transceiver)) continue;
      tracks[mid] = { source: publication.source };
      offeredPublications.push([mid, publication]);
    }
    const subscriptions = {};
    this.#midToTrack.clear();
    for (const sub of this.#subscriptions.values()) {
      const mid = sub.transceiver?.mid ?? null;
      if (mid === null || isStopped(sub.transceiver)) continue;
      subscriptions[mid] = sub.trackId;
      this.#midToTrack.set(mid, sub.trackId);
    }

    let reply;
    try {
      reply = await this.#sendOffer({ type: 'offer', sdp: pc.localDescription.sdp, tracks, subscriptions });
      this.#checkOpen(pc);
      if (reply.type !== 'answer' || typeof reply.sdp !== 'string') {
        throw makeError('bad_reply', `unexpected reply to offer: ${reply.type}`);
      }
      await pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
    } catch (error) {
      // The offer stays pending (no rollback): the next round offers again from 'have-local-offer'.
      // (Chromium offers a transceiver that was rolled back and then stopped as if it were live, and
      // leaves out the one added after it; not rolling back avoids that.)
      this.#dirty = true;
      throw error;
    }
    this.#checkOpen(pc);
    this.negotiations += 1;
    if (this.timeline.firstAnswer === undefined) this.timeline.firstAnswer = performance.now();

    const rejected = new Map();
    for (const item of Array.isArray(reply.rejected) ? reply.rejected : []) {
      if (item && item.mid !== undefined) rejected.set(String(item.mid), item.reason ?? 'rejected');
    }
    const published = new Map();
    for (const item of Array.isArray(reply.published) ? reply.published : []) {
      if (item && item.mid !== undefined && typeof item.trackId === 'string') published.set(String(item.mid), item);
    }

    const dataMid = applicationMid(pc.localDescription?.sdp);
    if (dataMid !== null && rejected.has(dataMid) && !this.#dataRejected) {
      this.#dataRejected = true;
      this.#emitError(makeError('data_channels_rejected', `the server refused the data section: ${rejected.get(dataMid)}`));
    }

    for (const [mid, publication] of offeredPublications) {
      if (!this.#publications.has(publication) || publication.trackId !== null) continue;
      const item = published.get(mid);
      if (!item) {
        publication.rejected = rejected.get(mid) ?? 'not listed as published';
        continue;
      }
      publication.trackId = item.trackId;
      this.localTracks.set(item.trackId, {
        trackId: item.trackId, kind: publication.kind, source: publication.source, track: publication.track,
        transceiver: publication.transceiver, muted: !publication.track.enabled,
      });
    }

    // An answer may change encodings' active (browsers take a paused RID in the answer as inactive,
    // and an offer sent before an `encodings` message carried the old state): the server's last word
    // holds. Also applies a word that came before the track's answer was applied.
    for (const trackId of this.#encodingsWanted.keys()) this.#applyEncodings(trackId);

    for (const [mid, trackId] of this.#midToTrack) {
      const sub = this.#subscriptions.get(trackId);
      // Gone (unsubscribed while the offer was out) or announced by an earlier answer.
      if (!sub || sub.live || sub.transceiver.mid !== mid || isStopped(sub.transceiver)) continue;
      if (rejected.has(mid)) {
        this.#subscriptions.delete(sub.trackId);
        stopReceiving(sub.transceiver, this.pc);
        this.#dirty = true;
        this.#negotiate().catch(() => {});  // release the section
        const error = makeError('subscription_rejected',
          `cannot receive ${sub.kind} track ${sub.trackId} of ${this.#peerName(sub.peerId)}: ${rejected.get(mid)}`);
        error.trackId = sub.trackId;
        error.peerId = sub.peerId;
        this.#emitError(error);
        continue;
      }
      const track = sub.transceiver.receiver.track;
      const stream = this.#streams.get(sub.transceiver) ?? new MediaStream([track]);
      sub.live = true;
      const entry = {
        trackId: sub.trackId, peerId: sub.peerId, kind: sub.kind, source: sub.source, track, stream,
        transceiver: sub.transceiver,
      };
      this.remoteTracks.set(sub.trackId, entry);
      if (this.timeline.firstTrack === undefined) this.timeline.firstTrack = performance.now();
      this.#emit('track', {
        trackId: entry.trackId, peerId: entry.peerId, kind: entry.kind, source: entry.source, track, stream,
      });
    }
  }

  async #sendOffer(message) {
    for (let attempt = 0; ; ++attempt) {
      try {
        return await this.#request(message);
      } catch (error) {
        // The server may still be answering an offer whose reply timed out here: wait and resend.
        if (error.code !== 'negotiation_busy' || attempt >= kBusyRetries) throw error;
        await sleep(250 * (attempt + 1));
        if (this.state === 'closed') throw makeError('closed', 'the connection is closed');
      }
    }
  }

  #codecPreferences(kind, codec) {
    const capabilities = globalThis.RTCRtpReceiver?.getCapabilities?.(kind) ??
      globalThis.RTCRtpSender?.getCapabilities?.(kind);
    const transceiverApi = globalThis.RTCRtpTransceiver?.prototype?.setCodecPreferences;
    if (!capabilities || typeof transceiverApi !== 'function') {
      throw makeError('unsupported_codec', 'this browser cannot restrict codecs (no setCodecPreferences)');
    }
    const wanted = `${kind}/${codec}`.toLowerCase();
    let chosen = capabilities.codecs.filter((c) => c.mimeType.toLowerCase() === wanted);
    if (wanted === 'video/h264') {
      chosen = chosen.filter((c) => /packetization-mode=1/.test(c.sdpFmtpLine ?? ''));
    }
    if (chosen.length === 0) {
      throw makeError('unsupported_codec', `this browser cannot send ${codec} (${kind})`);
    }
    const rtx = capabilities.codecs.filter((c) => c.mimeType.toLowerCase() === `${kind}/rtx`);
    return [...chosen, ...rtx];
  }

  // ---- helpers ----

  #checkOpen(pc) {
    if (this.state === 'closed' || this.pc !== pc || pc.signalingState === 'closed') {
      throw makeError('closed', 'the connection is closed');
    }
  }

  #requireJoined() {
    if (this.state !== 'joined') {
      throw makeError(this.state === 'closed' ? 'closed' : 'not_joined', 'not in a room; call join() first');
    }
  }

  #peerName(peerId) {
    const name = this.peers.get(peerId)?.name;
    return name ? `${name} (${peerId})` : peerId;
  }

  #shutdown(code, reason) {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const error = makeError('closed', `the connection closed${reason ? `: ${reason}` : ''} (code ${code})`);
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    if (this.#nextRound) {
      this.#nextRound.reject(error);
      this.#nextRound.promise.catch(() => {});
      this.#nextRound = null;
    }
    for (const channel of this.dataChannels) {
      try {
        channel.close();
      } catch {
        // Already closed.
      }
    }
    this.dataChannels.clear();
    if (this.pc) {
      try {
        this.pc.close();
      } catch {
        // Already closed.
      }
    }
    const ws = this.#ws;
    if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) {
      try {
        ws.close(1000, reason === 'left' ? 'left' : undefined);
      } catch {
        ws.close();
      }
    }
    this.#emit('closed', { code, reason: reason ?? '' });
  }

  // The server's word on which simulcast encodings of a published track anyone receives
  // (#encodingsWanted): sets each encoding's `active` by rid with setParameters, one call at a time;
  // unknown rids are ignored. A track not in localTracks yet (its answer is being applied) gets it
  // after that answer; a track unpublished meanwhile is forgotten.
  #applyEncodings(trackId) {
    if (!this.localTracks.has(trackId)) {
      const pending = [...this.#publications].some((p) => p.trackId === null);
      if (!pending) this.#encodingsWanted.delete(trackId);
      return;
    }
    this.#encodings = this.#encodings
      .then(async () => {
        const entry = this.localTracks.get(trackId);
        const active = this.#encodingsWanted.get(trackId);
        if (!entry || !entry.transceiver || !active || this.state === 'closed') return;
        const sender = entry.transceiver.sender;
        const parameters = sender.getParameters();
        const applied = {};
        let changed = false;
        for (const encoding of parameters.encodings ?? []) {
          if (!encoding.rid || typeof active[encoding.rid] !== 'boolean') continue;
          if (encoding.active !== active[encoding.rid]) {
            encoding.active = active[encoding.rid];
            changed = true;
          }
          applied[encoding.rid] = encoding.active;
        }
        if (!changed) return;
        await sender.setParameters(parameters);
        this.#emit('encodings', { trackId, active: applied });
      })
      .catch((error) => {
        this.#emitError(makeError('set_parameters_failed', `encodings of ${trackId}: ${error.message ?? error}`));
      });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  #emitError(error) {
    this.#emit('error', { error });
  }
}

export default SwitchyardClient;
