// Quick self-test: js listener <-> js dialer on 127.0.0.1.
// Run with: npm run check   (= node --import ./polyfill.mjs check.mjs)
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const here = dirname(fileURLToPath(import.meta.url))
const PEER = join(here, 'peer.mjs')
const NODE_ARGS = ['--import', join(here, 'polyfill.mjs'), PEER]

function run (args, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', d => { out += d })
    child.stderr.on('data', d => { err += d })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timeout: ${args.join(' ')}`)) }, timeoutMs)
    child.on('exit', code => {
      clearTimeout(timer)
      const events = out.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l))
      resolve({ code, events, stderr: err })
    })
  })
}

function startListener () {
  return new Promise((resolve, reject) => {
    // stdin is a pipe: closing it stops the listener
    const child = spawn(process.execPath, [...NODE_ARGS, 'listen', '--port', '0'], { stdio: ['pipe', 'pipe', 'inherit'] })
    const events = []
    const rl = createInterface({ input: child.stdout })
    rl.on('line', line => {
      const evt = JSON.parse(line)
      events.push(evt)
      if (evt.event === 'listening') resolve({ child, events, addr: evt.addr })
    })
    child.on('exit', code => reject(new Error(`listener exited early with ${code}`)))
  })
}

let passed = 0
let failed = 0
async function check (name, fn) {
  try {
    await fn()
    passed++
    console.log(`ok - ${name}`)
  } catch (err) {
    failed++
    console.log(`FAIL - ${name}: ${err.message}`)
  }
}
function assert (cond, msg) { if (!cond) throw new Error(msg) }

const listener = await startListener()
const peerId = listener.addr.split('/p2p/')[1]

await check('ping + identify', async () => {
  const r = await run(['dial', listener.addr, 'ping', '--count', '3'])
  assert(r.code === 0, `exit ${r.code}: ${r.stderr}`)
  assert(r.events.filter(e => e.event === 'ping').length === 3, 'expected 3 ping events')
  const id = r.events.find(e => e.event === 'identify')
  assert(id != null && id.peer === peerId, 'missing identify of listener')
  assert(id.protocols.includes('/perf/1.0.0'), 'listener does not announce /perf/1.0.0')
})

await check('perf 1 MiB x 4 streams', async () => {
  const r = await run(['dial', listener.addr, 'perf', '--upload', '1MiB', '--download', '1MiB', '--streams', '4'])
  assert(r.code === 0, `exit ${r.code}: ${r.stderr}`)
  const p = r.events.find(e => e.event === 'perf')
  assert(p?.download_bytes === 4 * 1024 * 1024, 'wrong download byte count')
})

await check('wrong PeerId is rejected', async () => {
  const other = (await run(['peerid'])).events[0].peer
  const bad = listener.addr.replace(/\/p2p\/.*$/, `/p2p/${other}`)
  const r = await run(['dial', bad, 'ping'])
  assert(r.code !== 0, 'dial to wrong PeerId succeeded')
  const e = r.events.at(-1)
  assert(e?.event === 'error' && e.message.includes('does not match'), `unexpected: ${JSON.stringify(e)}`)
})

listener.child.removeAllListeners('exit')
const stopped = new Promise(resolve => listener.child.on('exit', resolve))
listener.child.stdin.end()
const code = await stopped
await check('listener stops cleanly when stdin closes', async () => {
  assert(code === 0, `listener exit code ${code}`)
  assert(listener.events.some(e => e.event === 'stopped'), 'no stopped event')
})

console.log(`check: ${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
