// Polyfills for running js-libp2p 3.x on Node.js 20.
// Load with: node --import ./polyfill.mjs peer.mjs ...
//
// js-libp2p 3.x targets Node >= 22. On Node 20 the only missing builtin
// we hit is Promise.withResolvers (ES2024, Node 22+). Array.fromAsync
// (Node 22+) is added defensively; nothing in the pinned tree needs more.

if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers () {
      let resolve
      let reject
      const promise = new this((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    }
  })
}

if (typeof Array.fromAsync !== 'function') {
  Object.defineProperty(Array, 'fromAsync', {
    configurable: true,
    writable: true,
    value: async function fromAsync (items, mapFn, thisArg) {
      const out = []
      let i = 0
      for await (const item of items) {
        out.push(mapFn == null ? item : await mapFn.call(thisArg, item, i))
        i++
      }
      return out
    }
  })
}
