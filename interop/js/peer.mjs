// js-libp2p peer for Ferry interop tests.
//
// Run with the Node 20 polyfill:  node --import ./polyfill.mjs peer.mjs <command> ...
//
//   listen [--port 0] [--host 127.0.0.1] [--seed HEX32] [--ignore-stdin]
//   listen --dht [--dht-protocol P] [--bootstrap MA]... [...]   (JSON commands on stdin)
//   listen --pubsub [--sign-policy StrictSign|StrictNoSign] [--topic T]... [...]
//                                                  (JSON commands on stdin, "pubsub.*")
//   dial MULTIADDR ping [--count N]
//   dial MULTIADDR perf --upload BYTES --download BYTES [--streams S] [--warmup BYTES]
//   dial MULTIADDR handshakes --seconds N
//   peerid [--seed HEX32]
//
// Every stdout line is exactly one JSON object with an "event" field.
// Diagnostics go to stderr. On failure the last stdout line is
// {"event":"error","message":"..."} and the exit code is non-zero.

import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { createInterface } from 'node:readline'

const PERF_PROTOCOL = '/perf/1.0.0'
const PING_PROTOCOL = '/ipfs/ping/1.0.0'
const PING_SIZE = 32
const MAX_STREAMS = 1024 // per connection, per protocol and for the muxer
const SEND_CHUNK = new Uint8Array(256 * 1024) // zeros; the muxer splits it into frames
const MiB = 1024 * 1024
const DEFAULT_DHT_PROTOCOL = '/ipfs/kad/1.0.0'
const DHT_COMMAND_TIMEOUT_MS = 30_000
const RAW_CODEC = 0x55

// ---------------------------------------------------------------- output

function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

function diag (...args) {
  process.stderr.write(`[peer.mjs] ${args.join(' ')}\n`)
}

async function exit (code) {
  // make sure stdout is flushed before exiting
  await new Promise(resolve => process.stdout.write('', resolve))
  process.exit(code)
}

function errorMessage (err) {
  if (err == null) return 'unknown error'
  // pEvent-based waits inside libp2p (e.g. stream.close()) reject with the
  // raw 'close' Event when the stream dies underneath them
  if (typeof Event !== 'undefined' && err instanceof Event) {
    if (err.error != null) return errorMessage(err.error)
    return `stream ${err.type} event while an operation was pending (remote closed or reset the stream/connection)`
  }
  let msg = err.message != null && err.message !== '' ? err.message : String(err)
  // AggregateError (e.g. several addresses failed) - include the causes
  if (Array.isArray(err.errors) && err.errors.length > 0) {
    msg += ': ' + err.errors.map(e => e?.message ?? String(e)).join('; ')
  }
  return msg
}

async function fail (err) {
  diag('error:', err instanceof Event ? errorMessage(err) : (err?.stack ?? String(err)))
  emit({ event: 'error', name: err instanceof Event ? (err.error?.name ?? 'StreamClosed') : err?.name, message: errorMessage(err) })
  await exit(1)
}

process.on('unhandledRejection', (err) => {
  diag('unhandled rejection:', err?.stack ?? String(err))
})

// ---------------------------------------------------------------- args

/** Options that may be given several times; their values are collected in an array. */
const MULTI_OPTIONS = new Set(['bootstrap', 'topic'])

function parseArgs (argv) {
  const positional = []
  const opts = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a.startsWith('--')) {
      const key = a.slice(2)
      const eq = key.indexOf('=')
      let name = key
      let value = true
      if (eq >= 0) {
        name = key.slice(0, eq)
        value = key.slice(eq + 1)
      } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
        value = argv[++i]
      }
      if (MULTI_OPTIONS.has(name)) {
        opts[name] = [...(opts[name] ?? []), value]
      } else {
        opts[name] = value
      }
    } else {
      positional.push(a)
    }
  }
  return { positional, opts }
}

/** Parse "1048576", "64KiB", "64MiB", "1GiB" (binary units), "10MB" (decimal). */
function parseBytes (value, name) {
  if (value == null || value === true) throw new Error(`--${name} requires a value`)
  const m = /^(\d+)\s*(|b|kib|mib|gib|kb|mb|gb)$/i.exec(String(value).trim())
  if (m == null) throw new Error(`--${name}: cannot parse byte count "${value}"`)
  const mult = {
    '': 1, b: 1, kib: 1024, mib: MiB, gib: 1024 * MiB, kb: 1e3, mb: 1e6, gb: 1e9
  }[m[2].toLowerCase()]
  const n = Number(m[1]) * mult
  if (!Number.isSafeInteger(n)) throw new Error(`--${name}: ${value} is too large`)
  return n
}

function parseIntOpt (value, name, def) {
  if (value == null) return def
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, got "${value}"`)
  return n
}

// ---------------------------------------------------------------- node

async function privateKeyFrom (seedHex) {
  if (seedHex == null) return generateKeyPair('Ed25519')
  if (typeof seedHex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(seedHex)) {
    throw new Error('--seed must be 32 bytes as 64 hex characters')
  }
  return generateKeyPairFromSeed('Ed25519', Buffer.from(seedHex, 'hex'))
}

async function createNode ({ privateKey, listen = [], withIdentify = true, withPing = true, dhtProtocol = null, signaturePolicy = null }) {
  const services = {}
  if (signaturePolicy != null) {
    services.pubsub = gossipsub({
      globalSignaturePolicy: signaturePolicy,
      // a test network is small and loopback-only: every peer is on 127.0.0.1
      scoreParams: { IPColocationFactorWeight: 0 }
    })
  }
  if (withIdentify) services.identify = identify()
  if (withPing) services.ping = ping({ maxInboundStreams: MAX_STREAMS, maxOutboundStreams: MAX_STREAMS })
  if (dhtProtocol != null) {
    services.dht = kadDHT({
      protocol: dhtProtocol,
      clientMode: false,
      // loopback addresses are private; the default mapper would drop them all
      peerInfoMapper: passthroughMapper
    })
  }

  const node = await createLibp2p({
    privateKey,
    addresses: { listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux({
      maxInboundStreams: MAX_STREAMS,
      maxOutboundStreams: MAX_STREAMS,
      streamOptions: {
        // 16 MiB max receive window per stream (yamux spec initial is 256 KiB,
        // the window grows up to this based on measured RTT)
        maxStreamWindowSize: 16 * MiB
      }
    })],
    connectionManager: {
      maxConnections: 10_000,
      // defaults are 5 inbound connections/s per host and 10 pending upgrades,
      // which would throttle the handshake benchmark
      inboundConnectionThreshold: 1_000_000,
      maxIncomingPendingConnections: 1_000
    },
    services
  })

  await node.handle(PERF_PROTOCOL, (stream, connection) => {
    perfServe(stream, connection).catch(err => {
      diag('perf server stream error:', err?.stack ?? String(err))
      emit({ event: 'perf:error', peer: connection.remotePeer.toString(), message: errorMessage(err) })
      stream.abort(err)
    })
  }, {
    maxInboundStreams: MAX_STREAMS,
    maxOutboundStreams: MAX_STREAMS
  })

  return node
}

function identifyEvent (result) {
  return {
    event: 'identify',
    peer: result.peerId.toString(),
    agentVersion: result.agentVersion ?? null,
    protocolVersion: result.protocolVersion ?? null,
    protocols: [...(result.protocols ?? [])],
    listenAddrs: (result.listenAddrs ?? []).map(a => a.toString()),
    observedAddr: result.observedAddr?.toString() ?? null
  }
}

// ---------------------------------------------------------------- stream helpers

/**
 * Reads from a libp2p 3.x message stream. Keeps its own buffer so reads of an
 * exact size do not lose the rest of a chunk, and can switch to a counting mode
 * that discards data (for perf).
 */
class StreamReader {
  #chunks = []
  #length = 0
  #ended = false
  #remoteClosedWrite = false
  #error = null
  #wake = null
  #counter = null

  constructor (stream) {
    stream.addEventListener('message', (evt) => {
      const data = evt.data
      if (this.#counter != null) {
        this.#counter(data.byteLength)
        return
      }
      const u8 = data instanceof Uint8Array ? data : data.subarray()
      this.#chunks.push(u8)
      this.#length += u8.byteLength
      this.#notify()
    })
    stream.addEventListener('remoteCloseWrite', () => {
      this.#remoteClosedWrite = true
    })
    stream.addEventListener('end', () => {
      this.#ended = true
      this.#notify()
    })
    stream.addEventListener('close', (evt) => {
      if (evt.error != null) this.#error = evt.error
      this.#ended = true
      this.#notify()
    })
    if (stream.remoteWriteStatus === 'closed' && stream.status === 'open') this.#remoteClosedWrite = true
    if (stream.readableEnded) this.#ended = true
  }

  /** Error for an end of data that was not a clean close of the remote write side. */
  #prematureEnd (what) {
    if (this.#error != null) return this.#error
    if (!this.#remoteClosedWrite) return new Error(`stream closed before the remote closed its write side (${what})`)
    return null
  }

  #notify () {
    const wake = this.#wake
    this.#wake = null
    wake?.()
  }

  #wait () {
    return new Promise(resolve => { this.#wake = resolve })
  }

  /** Read exactly n bytes; throws on EOF / reset before n bytes. */
  async read (n) {
    while (this.#length < n) {
      if (this.#error != null) throw this.#error
      if (this.#ended) {
        throw this.#prematureEnd(`wanted ${n} bytes, got ${this.#length}`) ??
          new Error(`unexpected end of stream: wanted ${n} bytes, got ${this.#length}`)
      }
      await this.#wait()
    }
    const all = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks, this.#length)
    const out = all.subarray(0, n)
    const rest = all.subarray(n)
    this.#chunks = rest.byteLength > 0 ? [rest] : []
    this.#length = rest.byteLength
    return out
  }

  /** Discard and count everything until the remote closes its write side. */
  async countToEnd () {
    let count = this.#length
    this.#chunks = []
    this.#length = 0
    this.#counter = (n) => { count += n }
    while (!this.#ended) {
      await this.#wait()
    }
    this.#counter = null
    const err = this.#prematureEnd(`after ${count} bytes`)
    if (err != null) throw err
    return count
  }
}

/** Send `total` bytes, honouring back-pressure. */
async function sendBytes (stream, total) {
  let remaining = total
  while (remaining > 0) {
    const n = Math.min(remaining, SEND_CHUNK.byteLength)
    const chunk = n === SEND_CHUNK.byteLength ? SEND_CHUNK : SEND_CHUNK.subarray(0, n)
    remaining -= n
    if (!stream.send(chunk)) {
      await stream.onDrain()
    }
  }
}

// ---------------------------------------------------------------- perf

async function perfServe (stream, connection) {
  const reader = new StreamReader(stream)
  const header = await reader.read(8)
  const want = new DataView(header.buffer, header.byteOffset, 8).getBigUint64(0, false)
  if (want > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`perf: requested download too large: ${want}`)
  const received = await reader.countToEnd()
  await sendBytes(stream, Number(want))
  await stream.close()
  emit({
    event: 'perf:served',
    peer: connection.remotePeer.toString(),
    upload_bytes: received,
    download_bytes: Number(want)
  })
}

/**
 * One /perf/1.0.0 client stream on `conn`. Times (performance.now() ms):
 *   start       - the stream is open and its protocol negotiated
 *   writeClosed - stream.close() resolved: every upload byte has been handed to
 *                 the muxer/socket; bytes still in flight (up to a yamux window
 *                 plus the socket buffers) have not reached the server yet
 *   firstByte   - the first byte of the answer arrived; the server answers only
 *                 after it has read the whole upload, so this ends the upload
 *                 phase (Ferry's perf client measures the same way)
 *   end         - the remote closed its write side and all bytes were counted
 */
async function perfStream (conn, upload, download) {
  const stream = await conn.newStream(PERF_PROTOCOL, { maxOutboundStreams: MAX_STREAMS })
  let firstByte = null
  // registered before anything is sent, so no answer byte can arrive unseen
  stream.addEventListener('message', () => { firstByte ??= performance.now() })
  const reader = new StreamReader(stream)
  const start = performance.now()
  try {
    const header = new Uint8Array(8)
    new DataView(header.buffer).setBigUint64(0, BigInt(download), false)
    if (!stream.send(header)) await stream.onDrain()
    await sendBytes(stream, upload)
    await stream.close()
    const writeClosed = performance.now()
    const received = await reader.countToEnd()
    const end = performance.now()
    if (received !== download) {
      throw new Error(`perf: expected ${download} download bytes, received ${received}`)
    }
    return { start, writeClosed, firstByte: firstByte ?? end, end }
  } catch (err) {
    stream.abort(err)
    throw err
  }
}

// ---------------------------------------------------------------- ping

async function pingLoop (conn, count) {
  const stream = await conn.newStream(PING_PROTOCOL)
  const reader = new StreamReader(stream)
  const rtts = []
  for (let i = 0; i < count; i++) {
    const data = crypto.getRandomValues(new Uint8Array(PING_SIZE))
    const t0 = performance.now()
    if (!stream.send(data)) await stream.onDrain()
    const echo = await reader.read(PING_SIZE)
    const rtt = performance.now() - t0
    if (!Buffer.from(echo).equals(Buffer.from(data))) {
      throw new Error(`ping ${i}: echoed payload does not match`)
    }
    rtts.push(rtt)
    emit({ event: 'ping', seq: i, rtt_ms: round(rtt, 3) })
  }
  await stream.close()
  return rtts
}

// ---------------------------------------------------------------- dht

function hexBytes (value, what) {
  if (typeof value !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(value)) throw new Error(`${what} must be a hex string`)
  return Uint8Array.from(Buffer.from(value, 'hex'))
}

function toHex (bytes) {
  return Buffer.from(bytes).toString('hex')
}

/** A CIDv1 (raw codec) for a multihash given as hex; kad-dht's provider key is the multihash bytes. */
function cidOf (multihashHex) {
  return CID.createV1(RAW_CODEC, Digest.decode(hexBytes(multihashHex, 'multihash')))
}

function peerInfo (p) {
  return { peer: p.id.toString(), addrs: (p.multiaddrs ?? []).map(a => a.toString()) }
}

async function inRoutingTable (node, peerId) {
  return (await node.services.dht.routingTable.find(peerId)) != null
}

/** Dial `addr` and wait (bounded) until the remote is in the DHT routing table (after identify). */
async function dhtConnect (node, addr, signal) {
  const conn = await node.dial(multiaddr(addr), { signal })
  const peer = conn.remotePeer
  while (!(await inRoutingTable(node, peer))) {
    if (signal.aborted) break
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return { peer: peer.toString(), inRoutingTable: await inRoutingTable(node, peer) }
}

async function dhtBootstrap (node, addrs) {
  for (const addr of addrs) {
    try {
      const r = await dhtConnect(node, addr, AbortSignal.timeout(DHT_COMMAND_TIMEOUT_MS))
      emit({ event: 'dht:bootstrapped', addr, ...r })
    } catch (err) {
      diag('bootstrap', addr, 'failed:', err?.stack ?? String(err))
      emit({ event: 'dht:bootstrap-failed', addr, name: err?.name, message: errorMessage(err) })
    }
  }
}

/**
 * One stdin line: {"id":..., "cmd":"...", ...}. A "pubsub.*" command answers
 * {"event":"pubsub:result",...}, any other {"event":"dht:result","id","cmd",...}; a failure
 * {"event":"<prefix>:error","id","cmd","name","message"}. Commands run concurrently.
 */
async function stdinCommand (node, line) {
  if (line.trim() === '') return
  let req = null
  let prefix = 'dht'
  try {
    req = JSON.parse(line)
    if (req == null || typeof req !== 'object' || typeof req.cmd !== 'string') throw new Error('expected {"cmd":"...", ...}')
    if (req.cmd.startsWith('pubsub.')) prefix = 'pubsub'
    const timeoutMs = Number.isInteger(req.timeoutMs) && req.timeoutMs > 0 ? req.timeoutMs : DHT_COMMAND_TIMEOUT_MS
    const signal = AbortSignal.timeout(timeoutMs)
    const result = prefix === 'pubsub' ? await runPubsubCommand(node, req, signal) : await runDhtCommand(node, req, signal)
    emit({ event: `${prefix}:result`, id: req.id ?? null, cmd: req.cmd, ...result })
  } catch (err) {
    diag(`command ${line} failed:`, err?.stack ?? String(err))
    emit({ event: `${prefix}:error`, id: req?.id ?? null, cmd: req?.cmd ?? null, name: err?.name ?? null, message: errorMessage(err) })
  }
}

async function runDhtCommand (node, req, signal) {
  const dht = node.services.dht
  switch (req.cmd) {
    case 'connect':
      return dhtConnect(node, req.addr, signal)
    case 'routingTable':
      return { size: dht.routingTable.size }
    case 'findPeer': {
      const target = peerIdFromString(req.peer)
      for await (const evt of dht.findPeer(target, { signal })) {
        if (evt.name === 'FINAL_PEER' && evt.peer.id.equals(target)) return peerInfo(evt.peer)
      }
      throw new Error(`peer ${req.peer} not found`)
    }
    case 'getClosestPeers': {
      const peers = []
      for await (const evt of dht.getClosestPeers(hexBytes(req.key, 'key'), { signal })) {
        if (evt.name === 'FINAL_PEER') peers.push(evt.peer.id.toString())
      }
      return { peers }
    }
    case 'provide': {
      let responses = 0
      for await (const evt of dht.provide(cidOf(req.multihash), { signal })) {
        if (evt.name === 'PEER_RESPONSE') responses++
      }
      return { responses }
    }
    case 'findProviders': {
      const max = Number.isInteger(req.max) && req.max > 0 ? req.max : 20
      const providers = new Map()
      for await (const evt of dht.findProviders(cidOf(req.multihash), { signal })) {
        if (evt.name !== 'PROVIDER') continue
        for (const p of evt.providers) {
          if (!providers.has(p.id.toString())) providers.set(p.id.toString(), peerInfo(p))
        }
        if (providers.size >= max || (req.peer != null && providers.has(req.peer))) break
      }
      return { providers: [...providers.values()] }
    }
    case 'put': {
      let responses = 0
      for await (const evt of dht.put(hexBytes(req.key, 'key'), hexBytes(req.value, 'value'), { signal })) {
        if (evt.name === 'PEER_RESPONSE') responses++
      }
      return { responses }
    }
    case 'get': {
      for await (const evt of dht.get(hexBytes(req.key, 'key'), { signal })) {
        if (evt.name === 'VALUE') return { from: evt.from?.toString() ?? null, value: toHex(evt.value) }
      }
      throw new Error(`no value for key ${req.key}`)
    }
    default:
      throw new Error(`unknown dht command "${req.cmd}"`)
  }
}

// ---------------------------------------------------------------- pubsub

function signaturePolicyOf (value) {
  if (value == null || value === true) return 'StrictSign'
  if (value === 'StrictSign' || value === 'StrictNoSign') return value
  throw new Error('--sign-policy must be StrictSign or StrictNoSign')
}

/**
 * A message handed to our subscription ('gossipsub:message', dispatched once per message just
 * before 'message'): its id as gossipsub computed it (base64, gossipsub's own string form), and
 * the peer that sent it to us (the propagation source, not the author).
 */
function pubsubMessageEvent ({ msg, msgId, propagationSource }) {
  const out = {
    event: 'pubsub:message',
    topic: msg.topic,
    data: Buffer.from(msg.data).toString('utf8'),
    dataHex: toHex(msg.data),
    msgId,
    receivedFrom: propagationSource.toString()
  }
  if (msg.type === 'signed') {
    out.from = msg.from.toString()
    out.seqno = msg.sequenceNumber.toString()
  }
  return out
}

async function runPubsubCommand (node, req, signal) {
  const pubsub = node.services.pubsub
  if (pubsub == null) throw new Error('this peer was started without --pubsub')
  switch (req.cmd) {
    case 'pubsub.connect': {
      const conn = await node.dial(multiaddr(req.addr), { signal })
      return { peer: conn.remotePeer.toString() }
    }
    case 'pubsub.subscribe':
      pubsub.subscribe(req.topic)
      return { topic: req.topic }
    case 'pubsub.unsubscribe':
      pubsub.unsubscribe(req.topic)
      return { topic: req.topic }
    case 'pubsub.publish': {
      const data = req.dataHex != null ? hexBytes(req.dataHex, 'dataHex') : new TextEncoder().encode(String(req.data ?? ''))
      const result = await pubsub.publish(req.topic, data)
      return { recipients: result.recipients.map(p => p.toString()) }
    }
    case 'pubsub.meshPeers':
      return { peers: pubsub.getMeshPeers(req.topic) }
    case 'pubsub.subscribers':
      return { peers: pubsub.getSubscribers(req.topic).map(p => p.toString()) }
    default:
      throw new Error(`unknown pubsub command "${req.cmd}"`)
  }
}

// ---------------------------------------------------------------- commands

function round (x, digits) {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

async function cmdListen (opts) {
  const port = parseIntOpt(opts.port, 'port', 0)
  const host = typeof opts.host === 'string' ? opts.host : '127.0.0.1'
  const privateKey = await privateKeyFrom(opts.seed)
  const withDht = opts.dht === true
  if (!withDht && (opts['dht-protocol'] != null || opts.bootstrap != null)) {
    throw new Error('--dht-protocol and --bootstrap need --dht')
  }
  const dhtProtocol = withDht
    ? (typeof opts['dht-protocol'] === 'string' ? opts['dht-protocol'] : DEFAULT_DHT_PROTOCOL)
    : null
  const withPubsub = opts.pubsub === true
  if (!withPubsub && (opts['sign-policy'] != null || opts.topic != null)) {
    throw new Error('--sign-policy and --topic need --pubsub')
  }
  const signaturePolicy = withPubsub ? signaturePolicyOf(opts['sign-policy']) : null
  const node = await createNode({ privateKey, listen: [`/ip4/${host}/tcp/${port}`], dhtProtocol, signaturePolicy })

  node.addEventListener('peer:connect', (evt) => {
    emit({ event: 'peer:connect', peer: evt.detail.toString() })
  })
  node.addEventListener('peer:disconnect', (evt) => {
    emit({ event: 'peer:disconnect', peer: evt.detail.toString() })
  })
  node.addEventListener('peer:identify', (evt) => {
    emit(identifyEvent(evt.detail))
  })

  for (const addr of node.getMultiaddrs()) {
    emit({ event: 'listening', addr: addr.toString(), peer: node.peerId.toString() })
  }

  let stopping = false
  const shutdown = async (why) => {
    if (stopping) return
    stopping = true
    diag(`stopping (${why})`)
    const force = setTimeout(() => {
      diag('stop timed out, exiting')
      emit({ event: 'stopped', reason: why, clean: false })
      exit(0)
    }, 10_000)
    force.unref()
    try {
      await node.stop()
    } catch (err) {
      diag('error while stopping:', err?.stack ?? String(err))
    }
    emit({ event: 'stopped', reason: why, clean: true })
    await exit(0)
  }
  process.on('SIGTERM', () => { shutdown('SIGTERM') })
  process.on('SIGINT', () => { shutdown('SIGINT') })
  if (withPubsub) {
    for (const topic of [opts.topic ?? []].flat()) node.services.pubsub.subscribe(topic)
    node.services.pubsub.addEventListener('gossipsub:message', (evt) => { emit(pubsubMessageEvent(evt.detail)) })
    emit({ event: 'pubsub:ready', peer: node.peerId.toString(), signaturePolicy })
  }
  if (withDht) {
    await dhtBootstrap(node, opts.bootstrap ?? [])
    emit({ event: 'dht:ready', peer: node.peerId.toString(), protocol: dhtProtocol, routingTable: node.services.dht.routingTable.size })
  }
  if ((withDht || withPubsub) && opts['ignore-stdin'] !== true) {
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
    lines.on('line', (line) => { stdinCommand(node, line) })
    lines.on('close', () => { shutdown('stdin closed') })
  } else if (opts['ignore-stdin'] !== true) {
    process.stdin.on('end', () => { shutdown('stdin closed') })
    process.stdin.on('error', () => { shutdown('stdin error') })
    process.stdin.resume()
  }
}

async function cmdDial (positional, opts) {
  const [addrStr, action] = positional
  if (addrStr == null || action == null) throw new Error('usage: dial MULTIADDR ping|perf|handshakes [options]')
  const ma = multiaddr(addrStr)
  const privateKey = await privateKeyFrom(opts.seed)

  if (action === 'handshakes') {
    return dialHandshakes(ma, privateKey, opts)
  }

  const node = await createNode({ privateKey })
  try {
    const identified = Promise.withResolvers()
    let remotePeer = null
    const early = []
    node.addEventListener('peer:identify', (evt) => {
      if (remotePeer == null) early.push(evt.detail)
      else if (evt.detail.peerId.equals(remotePeer)) identified.resolve(evt.detail)
    })

    const t0 = performance.now()
    const conn = await node.dial(ma)
    remotePeer = conn.remotePeer
    for (const r of early) if (r.peerId.equals(remotePeer)) identified.resolve(r)
    emit({
      event: 'connected',
      peer: conn.remotePeer.toString(),
      remoteAddr: conn.remoteAddr.toString(),
      encryption: conn.encryption ?? null,
      multiplexer: conn.multiplexer ?? null,
      dial_ms: round(performance.now() - t0, 3)
    })

    if (action === 'ping') {
      const count = parseIntOpt(opts.count, 'count', 1)
      await pingLoop(conn, count)
      const timeout = new Promise((resolve, reject) => {
        setTimeout(() => reject(new Error('identify of remote did not complete within 5 s')), 5_000).unref()
      })
      const result = await Promise.race([identified.promise, timeout])
      emit(identifyEvent(result))
    } else if (action === 'perf') {
      const upload = parseBytes(opts.upload, 'upload')
      const download = parseBytes(opts.download, 'download')
      const streams = parseIntOpt(opts.streams, 'streams', 1)
      if (streams < 1) throw new Error('--streams must be >= 1')
      // Unmeasured transfer on the same connection first, so that what follows is steady state.
      const warmup = opts.warmup == null ? 0 : parseBytes(opts.warmup, 'warmup')
      if (warmup > 0) await perfStream(conn, warmup, warmup)
      const runs = []
      for (let i = 0; i < streams; i++) runs.push(perfStream(conn, upload, download))
      const results = await Promise.all(runs)
      const start = Math.min(...results.map(r => r.start))
      const uploadEnd = Math.max(...results.map(r => r.firstByte))
      const writeClosed = Math.max(...results.map(r => r.writeClosed))
      const downloadStart = Math.min(...results.map(r => r.firstByte))
      const end = Math.max(...results.map(r => r.end))
      const up = upload * streams
      const down = download * streams
      const upSec = (uploadEnd - start) / 1000
      const downSec = (end - downloadStart) / 1000
      emit({
        event: 'perf',
        upload_bytes: up,
        download_bytes: down,
        seconds: round((end - start) / 1000, 6),
        upload_seconds: round(upSec, 6),
        download_seconds: round(downSec, 6),
        write_closed_seconds: round((writeClosed - start) / 1000, 6),
        upload_mib_s: up === 0 ? 0 : round(up / MiB / upSec, 3),
        download_mib_s: down === 0 ? 0 : round(down / MiB / downSec, 3),
        streams
      })
    } else {
      throw new Error(`unknown dial action "${action}" (expected ping, perf or handshakes)`)
    }
  } finally {
    await node.stop().catch(err => diag('error while stopping:', err?.stack ?? String(err)))
  }
}

async function dialHandshakes (ma, privateKey, opts) {
  const seconds = Number(opts.seconds ?? 5)
  if (!(seconds > 0)) throw new Error('--seconds must be > 0')
  // a bare node: tcp + noise + yamux only, so nothing runs on the connection
  const node = await createNode({ privateKey, withIdentify: false, withPing: false })
  try {
    const start = performance.now()
    const deadline = start + seconds * 1000
    let count = 0
    let dialMs = 0
    let closeMs = 0
    while (performance.now() < deadline) {
      const t0 = performance.now()
      const conn = await node.dial(ma, { force: true })
      const t1 = performance.now()
      count++
      await conn.close()
      dialMs += t1 - t0
      closeMs += performance.now() - t1
    }
    const elapsed = (performance.now() - start) / 1000
    emit({
      event: 'handshakes',
      count,
      seconds: round(elapsed, 3),
      per_second: round(count / elapsed, 2),
      avg_dial_ms: round(dialMs / count, 3),
      avg_close_ms: round(closeMs / count, 3)
    })
  } finally {
    await node.stop().catch(err => diag('error while stopping:', err?.stack ?? String(err)))
  }
}

async function cmdPeerId (opts) {
  const privateKey = await privateKeyFrom(opts.seed)
  emit({ event: 'peerid', peer: peerIdFromPrivateKey(privateKey).toString() })
}

// ---------------------------------------------------------------- main

async function main () {
  const { positional, opts } = parseArgs(process.argv.slice(2))
  const [cmd, ...rest] = positional
  switch (cmd) {
    case 'listen':
      await cmdListen(opts)
      return // keeps running until SIGTERM / stdin closes
    case 'dial':
      for (const sig of ['SIGTERM', 'SIGINT']) {
        process.on(sig, () => { fail(new Error(`interrupted by ${sig}`)) })
      }
      await cmdDial(rest, opts)
      break
    case 'peerid':
      await cmdPeerId(opts)
      break
    default:
      throw new Error(`unknown command "${cmd ?? ''}" (expected listen, dial or peerid)`)
  }
  await exit(0)
}

main().catch(fail)
