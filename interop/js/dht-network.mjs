// A network of js-libp2p kad-dht servers in one Node.js process, and lookups in it: the js half
// of Ferry's DHT benchmark (bench/run dht). Every node listens on 127.0.0.1 and talks to the
// others over real TCP, Noise and yamux.
//
// Run with the Node 20 polyfill:
//   node --import ./polyfill.mjs dht-network.mjs [--nodes 100] [--lookups 200] [--warmup 20]
//        [--seeds 3] [--protocol /ipfs/kad/1.0.0] [--alpha A] [--quiet]
//
// 1. starts --nodes nodes (TCP, Noise, yamux, identify, ping, kad-dht in server mode with the
//    passthrough peer-info mapper, so loopback addresses are kept);
// 2. joins them one after another: node i dials up to --seeds random earlier nodes, waits until
//    they are in its routing table, then looks itself up (getClosestPeers of its own key);
// 3. once all have joined, every node looks itself up once more, so that the early nodes learn
//    the late ones;
// 4. runs --warmup unmeasured lookups, then --lookups measured ones, one at a time: each from a
//    random node for a random 32-byte key.
//
// Per lookup it measures: latency (getClosestPeers called until its last event), hops, requests
// sent, and recall: how many of the true 20 closest it returned, the truth computed from the
// global view (SHA-256 of each PeerId's multihash bytes, XOR distance to SHA-256 of the key),
// leaving out the node that looks up (a lookup never returns itself).
//
// Hops follow Ferry's definition (ClosestPeersLookup.Stats.hops): the peers a lookup starts from
// (its own table's closest) are at depth 1; a peer first named in the answer of a peer at depth
// d is at depth d + 1 (the shallowest naming counts while the peer has not answered yet); hops
// is the depth of the deepest peer among the result. js kad-dht's query events carry no depth
// (path.index is the disjoint path), so it is computed here from the PEER_RESPONSE events: who
// named whom.
//
// stdout: JSON lines, each with an "event" field: "started", "joined", "lookup" (one per
// measured lookup; with --quiet left out), then one "summary" holding every measured lookup's
// figures as arrays. Progress and diagnostics go to stderr. Exit code 0, or 1 with an "error"
// line last.

import { createHash, randomBytes, randomInt } from 'node:crypto'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { cpuSeconds, diagnostics, emit, intOpt, parseArgs, rssMiB, round, runMain, stopper } from './network-script.mjs'

const diag = diagnostics('dht-network')

const K = 20 // kad-dht's k: peers a lookup returns, and the size of the truth
const DEFAULT_PROTOCOL = '/ipfs/kad/1.0.0'
const JOIN_TIMEOUT_MS = 60_000 // one seed dial and its routing table entry, on a loaded process
const SETTLE_TIMEOUT_MS = 30_000 // waiting for the routing table work a join started
const LOOKUP_TIMEOUT_MS = 60_000 // far above any lookup on loopback; a stuck one fails the run

const sha256 = (bytes) => createHash('sha256').update(bytes).digest()
const hex = (bytes) => Buffer.from(bytes).toString('hex')

/** Negative if a is closer to target than b (XOR distance, big-endian). */
function compareDistance (target, a, b) {
  for (let i = 0; i < target.length; i++) {
    const da = a[i] ^ target[i]
    const db = b[i] ^ target[i]
    if (da !== db) return da - db
  }
  return 0
}

async function createNode (protocol, alpha) {
  const dht = { protocol, clientMode: false, peerInfoMapper: passthroughMapper }
  if (alpha != null) dht.alpha = alpha
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // js-libp2p opens a ping stream on every connection every 10 s to measure its RTT; in one
    // process holding both ends of every connection that is N² negotiated streams of background
    // load that has nothing to do with the DHT (Ferry's yamux keep-alive is a frame, no stream)
    connectionMonitor: { enabled: false },
    connectionManager: {
      maxConnections: 10_000,
      // every node dials from 127.0.0.1; the defaults (5 inbound connections/s per IP, 10
      // pending upgrades) would throttle the whole network as if it were one abusive host
      inboundConnectionThreshold: 1_000_000,
      maxIncomingPendingConnections: 1_000
    },
    services: { identify: identify(), ping: ping(), dht: kadDHT(dht) }
  })
}

/** A node's view for the truth: its PeerId string and Kademlia key. */
function describe (node) {
  return { id: node.peerId.toString(), kadId: sha256(node.peerId.toMultihash().bytes) }
}

async function untilInRoutingTable (node, peerId, signal) {
  while ((await node.services.dht.routingTable.find(peerId)) == null) {
    signal.throwIfAborted()
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

/**
 * Routing table work queued anywhere in the network: new contacts to verify, old contacts to
 * ping, table updates. A join starts such work on every node it contacts.
 */
function pendingTableWork (nodes) {
  let n = 0
  for (const node of nodes) {
    const rt = node.services.dht.routingTable
    n += rt.pingNewContactQueue.size + rt.pingOldContactQueue.size + rt.routingTableUpdateQueue.size
  }
  return n
}

/** Waits (bounded) until no routing table work is queued, so one join does not starve the next. */
async function settle (nodes) {
  const deadline = performance.now() + SETTLE_TIMEOUT_MS
  while (pendingTableWork(nodes) > 0 && performance.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

async function join (node, seeds) {
  await Promise.all(seeds.map(async seed => {
    const signal = AbortSignal.timeout(JOIN_TIMEOUT_MS)
    try {
      await node.dial(seed.getMultiaddrs()[0], { signal })
    } catch (err) {
      throw new Error(`dialling seed ${seed.peerId}: ${err?.message ?? err}`)
    }
    try {
      await untilInRoutingTable(node, seed.peerId, signal)
    } catch (err) {
      const rt = node.services.dht.routingTable
      const conns = node.getConnections(seed.peerId).map(c => c.status)
      let protocols = []
      try { protocols = (await node.peerStore.get(seed.peerId)).protocols } catch {}
      throw new Error(`seed ${seed.peerId} not in the routing table after ${JOIN_TIMEOUT_MS} ms (table size ${rt.size}; ` +
        `connections ${JSON.stringify(conns)}, protocols ${JSON.stringify(protocols)}, queues new ${rt.pingNewContactQueue.size} ` +
        `old ${rt.pingOldContactQueue.size} update ${rt.routingTableUpdateQueue.size})`)
    }
  }))
  await lookup(node, node.peerId.toMultihash().bytes)
}

/**
 * One getClosestPeers from `node` for `key`: the result, hops (see the file comment), requests
 * sent and the latency.
 */
async function lookup (node, key) {
  const target = sha256(key)
  const depth = new Map() // PeerId string -> depth
  const answered = new Set()
  // the peers the query starts from: the table's k closest, as QueryManager.run reads them
  for (const p of node.services.dht.routingTable.closestPeers(target, { count: K })) depth.set(p.toString(), 1)
  const closest = []
  let requests = 0
  let errors = 0
  const started = performance.now()
  try {
    for await (const evt of node.services.dht.getClosestPeers(key, { signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) })) {
      if (evt.name === 'SEND_QUERY') {
        requests++
      } else if (evt.name === 'QUERY_ERROR') {
        errors++
      } else if (evt.name === 'PEER_RESPONSE') {
        const from = evt.from.toString()
        // a responder nobody named came from the table after the snapshot above: depth 1
        if (!depth.has(from)) depth.set(from, 1)
        answered.add(from)
        const d = depth.get(from) + 1
        for (const p of evt.closer) {
          const id = p.id.toString()
          if (!answered.has(id) && !(depth.get(id) <= d)) depth.set(id, d)
        }
      } else if (evt.name === 'FINAL_PEER') {
        closest.push(evt.peer.id.toString())
      }
    }
  } catch (err) {
    throw new Error(`lookup from ${node.peerId} failed after ${Math.round(performance.now() - started)} ms, ${requests} requests: ${err?.message ?? err}`)
  }
  const ms = performance.now() - started
  let hops = 0
  for (const id of closest) hops = Math.max(hops, depth.get(id) ?? 1)
  return { closest, hops, requests, errors, ms }
}

/** The k peers of `all` closest to the key, leaving out `self`. */
function trueClosest (all, key, self) {
  const target = sha256(key)
  return all.filter(p => p.id !== self)
    .sort((a, b) => compareDistance(target, a.kadId, b.kadId))
    .slice(0, K)
    .map(p => p.id)
}


async function main () {
  const opts = parseArgs(process.argv.slice(2))
  const n = intOpt(opts, 'nodes', 100, 2)
  const lookups = intOpt(opts, 'lookups', 200, 1)
  const warmup = intOpt(opts, 'warmup', 20, 0)
  const seedCount = intOpt(opts, 'seeds', 3, 1)
  const alpha = opts.alpha == null ? null : intOpt(opts, 'alpha', 0, 1)
  const protocol = typeof opts.protocol === 'string' ? opts.protocol : DEFAULT_PROTOCOL
  const quiet = opts.quiet === true

  const began = performance.now()
  // how late timers fire: all nodes share this one thread, so this is their queueing delay
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  loopDelay.enable()
  const nodes = []
  const stopAll = stopper(nodes, diag)

  for (let i = 0; i < n; i++) nodes.push(await createNode(protocol, alpha))
  const all = nodes.map(describe)
  const qm = nodes[0].services.dht.queryManager
  emit({ event: 'started', nodes: n, protocol, alpha: qm.alpha, disjoint_paths: qm.disjointPaths, seconds: round((performance.now() - began) / 1000, 2), rss_mib: rssMiB() })

  // join one after another, each from up to `seedCount` random earlier nodes
  const joinStarted = performance.now()
  for (let i = 1; i < n; i++) {
    const earlier = [...Array(i).keys()]
    const seeds = []
    while (seeds.length < Math.min(seedCount, i)) seeds.push(nodes[earlier.splice(randomInt(earlier.length), 1)[0]])
    await join(nodes[i], seeds)
    await settle(nodes)
    if (i % 25 === 0) {
      diag(`joined ${i + 1} of ${n} after ${Math.round((performance.now() - joinStarted) / 1000)} s, ${rssMiB()} MiB, ` +
        `event loop delay p99 ${round(loopDelay.percentile(99) / 1e6, 1)} ms`)
      loopDelay.reset()
    }
  }
  const joinSeconds = (performance.now() - joinStarted) / 1000
  const refreshStarted = performance.now()
  for (const node of nodes) await lookup(node, node.peerId.toMultihash().bytes)
  const refreshSeconds = (performance.now() - refreshStarted) / 1000
  const tables = nodes.map(node => node.services.dht.routingTable.size).sort((a, b) => a - b)
  emit({
    event: 'joined',
    join_seconds: round(joinSeconds, 2),
    self_lookups_seconds: round(refreshSeconds, 2),
    routing_table_min: tables[0],
    routing_table_median: tables[Math.floor(tables.length / 2)],
    routing_table_max: tables[tables.length - 1],
    rss_mib: rssMiB()
  })

  const summary = { latency_ms: [], hops: [], found: [], requests: [], errors: [] }
  const cpuBefore = cpuSeconds()
  loopDelay.reset()
  for (let i = -warmup; i < lookups; i++) {
    const from = randomInt(n)
    const key = randomBytes(32)
    const r = await lookup(nodes[from], key)
    if (i < 0) continue
    const truth = new Set(trueClosest(all, key, all[from].id))
    const found = r.closest.filter(id => truth.has(id)).length
    summary.latency_ms.push(round(r.ms, 3))
    summary.hops.push(r.hops)
    summary.found.push(found)
    summary.requests.push(r.requests)
    summary.errors.push(r.errors)
    if (!quiet) {
      emit({ event: 'lookup', i, from, key: hex(key), ms: round(r.ms, 3), hops: r.hops, found, returned: r.closest.length, requests: r.requests, errors: r.errors })
    }
  }
  const lookupCpu = cpuSeconds() - cpuBefore
  emit({
    event: 'summary',
    nodes: n,
    lookups,
    k: K,
    alpha: qm.alpha,
    disjoint_paths: qm.disjointPaths,
    rss_mib: rssMiB(),
    lookup_cpu_seconds: round(lookupCpu, 2),
    event_loop_delay_p50_ms: round(loopDelay.percentile(50) / 1e6, 1),
    event_loop_delay_p99_ms: round(loopDelay.percentile(99) / 1e6, 1),
    total_seconds: round((performance.now() - began) / 1000, 2),
    ...summary
  })
  await stopAll()
}

runMain(main, diag)
