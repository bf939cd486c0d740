/**
 * {@code /ferry/direct/1.0.0}: delivering an envelope to a recipient who is online, with its ACK
 * on the same stream. {@link dev.ferry.messenger.direct.DirectProtocol} holds the id and limits,
 * {@code DirectCodec} the length-prefixed protobuf wire format, {@link dev.ferry.messenger.direct.DirectServer}
 * the recipient's side (bounded per peer, handler off the event loop) and
 * {@link dev.ferry.messenger.direct.DirectClient} the sender's, which trusts an ACK only when it
 * hashes to the header's ACK hash.
 */
package dev.ferry.messenger.direct;
