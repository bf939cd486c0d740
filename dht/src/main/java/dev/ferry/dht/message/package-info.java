/**
 * The kad-dht wire protocol (libp2p/specs {@code kad-dht/README.md}): its ids and limits
 * ({@link dev.ferry.dht.message.DhtProtocol}), an immutable view of each message
 * ({@link dev.ferry.dht.message.DhtMessage}) and the codec between that view and the protobuf
 * bytes ({@link dev.ferry.dht.message.DhtMessages}), which refuses or trims what breaks the
 * limits and says how much it dropped. Pure: no I/O, no threads, no state.
 */
package dev.ferry.dht.message;
