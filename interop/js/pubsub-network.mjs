// A network of js-libp2p GossipSub nodes in one Node.js process, and messages published in it:
// the js half of Ferry's GossipSub propagation benchmark (bench/run pubsub). Every node listens
// on 127.0.0.1 and talks to the others over real TCP, Noise and yamux.
//
// Run with the Node 20 polyfill:
//   node --import ./polyfill.mjs pubsub-network.mjs --nodes 30 --edges 0:1,1:2,... \
//        --publishers 4,17,... [--warmup-messages 20] [--size 256] [--rate 20] [--warmup 5]
//        [--drain 10] [--topic T]
//
// 1. starts --nodes nodes (TCP, Noise, yamux, identify, gossipsub with its defaults: StrictSign,
//    D = 6, flood publishing, 1 s heartbeat) and subscribes each to the topic;
// 2. dials the edges "a:b" (node a dials node b), the topology the Java side chose, so that both
//    networks are wired alike;
// 3. waits --warmup seconds for the meshes to form (a few heartbeats);
// 4. publishes one message per entry of --publishers, from that node, --rate per second, each
//    --size bytes starting with its index (4 bytes, big-endian); the first --warmup-messages are
//    not measured (they warm up the JIT and the streams), and the run waits for their deliveries
//    before going on;
// 5. waits until every other node has received every message, or --drain seconds after the last.
//
// Latency is per (message, receiving node): from just before publish() to the node's
// 'gossipsub:message' event, both read with performance.now(), one clock for the whole process.
// Copies received counts every message in every RPC a node received (duplicates included), by
// wrapping each router's handleReceivedRpc; RPCs sent counts what sendRpc/sendRpcInBatch pushed.
// These are the definitions the Java side uses for Ferry (GossipSubMetrics.messagesReceived and
// rpcsSent).
//
// stdout: JSON lines, each with an "event" field: "started", "meshes", then "summary" (with the
// latencies of all delivered pairs as an array). Progress and diagnostics go to stderr. Exit code
// 0, or 1 with an "error" line last.

import { monitorEventLoopDelay } from 'node:perf_hooks'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { cpuSeconds, diagnostics, emit, intOpt, numOpt, parseArgs, rssMiB, round, runMain, stopper } from './network-script.mjs'

const diag = diagnostics('pubsub-network')

const DIAL_TIMEOUT_MS = 30_000

function intList (opts, name) {
  if (typeof opts[name] !== 'string') throw new Error(`--${name} is required`)
  return opts[name].split(',').map(s => {
    const n = Number(s)
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: "${s}" is not an index`)
    return n
  })
}

async function createNode () {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // no ping streams every 10 s on every connection: load that has nothing to do with pubsub
    // (Ferry's yamux keep-alive is a frame, no stream)
    connectionMonitor: { enabled: false },
    connectionManager: {
      maxConnections: 10_000,
      // every node dials from 127.0.0.1; the per-IP defaults would throttle the network
      inboundConnectionThreshold: 1_000_000,
      maxIncomingPendingConnections: 1_000
    },
    services: {
      identify: identify(),
      // gossipsub's defaults (StrictSign, D = 6, flood publishing), but for IP colocation: all
      // nodes share 127.0.0.1, so past 10 peers every peer would score negative and be pruned.
      // Ferry's defaults leave loopback out of P6 for the same reason.
      pubsub: gossipsub({ scoreParams: { IPColocationFactorWhitelist: new Set(['127.0.0.1']) } })
    }
  })
}

/** Wraps a router's RPC paths to count message copies received and RPCs sent. */
function instrument (gs) {
  const counts = { copiesReceived: 0, rpcsSent: 0 }
  const received = gs.handleReceivedRpc.bind(gs)
  gs.handleReceivedRpc = (from, rpc) => {
    counts.copiesReceived += rpc.messages?.length ?? 0
    return received(from, rpc)
  }
  const send = gs.sendRpc.bind(gs)
  gs.sendRpc = (id, rpc) => {
    const sent = send(id, rpc)
    if (sent) counts.rpcsSent++
    return sent
  }
  const batch = gs.sendRpcInBatch.bind(gs)
  gs.sendRpcInBatch = (tosend, rpc) => {
    batch(tosend, rpc)
    counts.rpcsSent += tosend.size // it drops the peers it could not send to
  }
  return counts
}

const sleep = (ms) => new Promise(resolve => setTimeout(resolve, Math.max(0, ms)))

async function main () {
  const opts = parseArgs(process.argv.slice(2))
  const n = intOpt(opts, 'nodes', 30, 2)
  const size = intOpt(opts, 'size', 256, 4)
  const rate = numOpt(opts, 'rate', 20, 0.01)
  const warmupSeconds = numOpt(opts, 'warmup', 5, 0)
  const drainSeconds = numOpt(opts, 'drain', 10, 0)
  const topic = typeof opts.topic === 'string' ? opts.topic : 'ferry-bench'
  if (typeof opts.edges !== 'string') throw new Error('--edges is required')
  const edges = opts.edges.split(',').map(e => e.split(':').map(Number))
  const publishers = intList(opts, 'publishers')
  for (const [a, b] of edges) if (!(a >= 0 && a < n && b >= 0 && b < n && a !== b)) throw new Error(`bad edge ${a}:${b}`)
  for (const p of publishers) if (p >= n) throw new Error(`publisher ${p} is not a node`)
  const warmupMessages = intOpt(opts, 'warmup-messages', 0, 0)
  if (warmupMessages >= publishers.length) throw new Error('--warmup-messages leaves no measured message')
  const messages = publishers.length - warmupMessages

  const began = performance.now()
  const nodes = []
  const stopAll = stopper(nodes, diag)

  // received[m][i]: when node i got message m (performance.now() ms), or -1
  const received = Array.from({ length: publishers.length }, () => new Float64Array(n).fill(-1))
  const publishedAt = new Float64Array(publishers.length).fill(-1)
  let appDuplicates = 0 // a message handed to one node's application twice: a router bug
  const counts = []
  for (let i = 0; i < n; i++) {
    const node = await createNode()
    nodes.push(node)
    const gs = node.services.pubsub
    counts.push(instrument(gs))
    gs.addEventListener('gossipsub:message', (evt) => {
      const now = performance.now()
      const { msg } = evt.detail
      if (msg.topic !== topic || msg.data.length < 4) return
      const m = new DataView(msg.data.buffer, msg.data.byteOffset, 4).getUint32(0)
      if (m >= publishers.length) return
      if (received[m][i] >= 0) { appDuplicates++; return }
      received[m][i] = now
    })
    gs.subscribe(topic)
  }
  emit({ event: 'started', nodes: n, seconds: round((performance.now() - began) / 1000, 2), rss_mib: rssMiB() })

  const connectStarted = performance.now()
  await Promise.all(edges.map(async ([a, b]) => {
    try {
      await nodes[a].dial(nodes[b].getMultiaddrs()[0], { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
    } catch (err) {
      throw new Error(`node ${a} dialling node ${b}: ${err?.message ?? err}`)
    }
  }))
  const connectSeconds = (performance.now() - connectStarted) / 1000
  await sleep(warmupSeconds * 1000)
  const mesh = nodes.map(node => node.services.pubsub.getMeshPeers(topic).length).sort((a, b) => a - b)
  const topicPeers = nodes.map(node => node.services.pubsub.getSubscribers(topic).length).sort((a, b) => a - b)
  emit({
    event: 'meshes',
    connect_seconds: round(connectSeconds, 2),
    mesh_min: mesh[0],
    mesh_median: mesh[Math.floor(n / 2)],
    mesh_max: mesh[n - 1],
    mesh_mean: round(mesh.reduce((a, b) => a + b, 0) / n, 2),
    topic_peers_min: topicPeers[0],
    topic_peers_median: topicPeers[Math.floor(n / 2)]
  })

  // one phase: publish messages [from, to) at the rate, then wait for their deliveries
  const run = async (from, to) => {
    const want = (to - from) * (n - 1)
    const got = () => { let d = 0; for (let m = from; m < to; m++) for (const t of received[m]) if (t >= 0) d++; return d }
    const publishes = []
    const started = performance.now()
    for (let m = from; m < to; m++) {
      // paced against the start, so a late timer does not slow the whole schedule down
      await sleep(started + (m - from) * 1000 / rate - performance.now())
      const data = new Uint8Array(size)
      new DataView(data.buffer).setUint32(0, m)
      publishedAt[m] = performance.now()
      publishes.push(nodes[publishers[m]].services.pubsub.publish(topic, data).catch(err => {
        diag(`publishing message ${m} from node ${publishers[m]}: ${err?.message ?? err}`)
      }))
    }
    await Promise.all(publishes)
    const last = performance.now()
    while (got() < want && performance.now() - last < drainSeconds * 1000) await sleep(5)
    return performance.now() - last
  }
  await run(0, warmupMessages)

  const before = counts.map(c => ({ ...c }))
  const cpuBefore = cpuSeconds()
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  loopDelay.enable()
  const drainMs = await run(warmupMessages, publishers.length)
  const cpu = cpuSeconds() - cpuBefore

  const latencies = []
  for (let m = warmupMessages; m < publishers.length; m++) {
    for (let i = 0; i < n; i++) {
      if (i === publishers[m] || received[m][i] < 0) continue
      latencies.push(round(received[m][i] - publishedAt[m], 3))
    }
  }
  let copies = 0
  let rpcs = 0
  for (let i = 0; i < n; i++) {
    copies += counts[i].copiesReceived - before[i].copiesReceived
    rpcs += counts[i].rpcsSent - before[i].rpcsSent
  }
  emit({
    event: 'summary',
    nodes: n,
    messages,
    expected_pairs: messages * (n - 1),
    delivered_pairs: latencies.length,
    app_duplicates: appDuplicates,
    copies_received: copies,
    rpcs_sent: rpcs,
    drain_ms: round(drainMs, 1),
    cpu_seconds: round(cpu, 2),
    event_loop_delay_p50_ms: round(loopDelay.percentile(50) / 1e6, 1),
    event_loop_delay_p99_ms: round(loopDelay.percentile(99) / 1e6, 1),
    rss_mib: rssMiB(),
    total_seconds: round((performance.now() - began) / 1000, 2),
    latency_ms: latencies
  })
  await stopAll()
}

runMain(main, diag)
