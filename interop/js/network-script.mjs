// What the *-network.mjs benchmark scripts share: JSON lines on stdout, diagnostics on stderr,
// --name value options, resource figures, stopping every node on SIGTERM, and the exit protocol
// (exit 0, or 1 with an "error" line last) that bench/JsNetwork.java reads.

const STOP_TIMEOUT_MS = 20_000

/** Writes one JSON line to stdout. */
export function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

/** A diagnostics writer to stderr, each line tagged with the script's name. */
export function diagnostics (name) {
  return (...args) => process.stderr.write(`[${name}] ${args.join(' ')}\n`)
}

/** "--name value" and bare "--flag" options into an object. */
export function parseArgs (argv) {
  const opts = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`)
    const name = a.slice(2)
    if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) opts[name] = argv[++i]
    else opts[name] = true
  }
  return opts
}

/** Option {@code name} as a number of at least {@code min}; {@code def} when absent. */
export function numOpt (opts, name, def, min) {
  if (opts[name] == null) return def
  const n = Number(opts[name])
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name}: expected a number >= ${min}, got "${opts[name]}"`)
  return n
}

/** Option {@code name} as an integer of at least {@code min}; {@code def} when absent. */
export function intOpt (opts, name, def, min) {
  const n = numOpt(opts, name, def, min)
  if (!Number.isInteger(n)) throw new Error(`--${name}: expected an integer >= ${min}, got "${opts[name]}"`)
  return n
}

export const rssMiB = () => Math.round(process.memoryUsage().rss / 1048576)
export const cpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6 }
export const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits

/**
 * Stops every node of {@code nodes} (which may still grow) when called, and on SIGTERM; gives up
 * after 20 s, so that one stuck node cannot keep the process alive.
 */
export function stopper (nodes, diag) {
  const stopAll = async () => {
    const timer = setTimeout(() => { diag('stopping timed out'); process.exit(0) }, STOP_TIMEOUT_MS)
    timer.unref()
    await Promise.allSettled(nodes.map(node => node.stop()))
    clearTimeout(timer)
  }
  process.on('SIGTERM', () => { stopAll().finally(() => process.exit(143)) })
  return stopAll
}

/** Runs {@code main}, then exits 0; on an error, reports it on both streams and exits 1. */
export function runMain (main, diag) {
  process.on('unhandledRejection', err => { diag('unhandled rejection:', err?.stack ?? String(err)) })
  main().then(() => process.exit(0), err => {
    diag('error:', err?.stack ?? String(err))
    emit({ event: 'error', name: err?.name ?? null, message: err?.message ?? String(err) })
    process.stdout.write('', () => process.exit(1))
  })
}
