/**
 * The pubsub wire layer (libp2p/specs {@code pubsub/README.md}, GossipSub v1.0 and v1.1): an
 * immutable view of an RPC ({@link dev.ferry.pubsub.message.Rpc}) and of a published message
 * ({@link dev.ferry.pubsub.message.PubSubMessage}), the bounded codec between that view and the
 * protobuf bytes ({@link dev.ferry.pubsub.message.RpcCodec}, limits in
 * {@link dev.ferry.pubsub.message.RpcLimits}), message signing under the two signature policies
 * ({@link dev.ferry.pubsub.message.MessageAuthor}, {@link dev.ferry.pubsub.message.SignaturePolicy})
 * and message ids ({@link dev.ferry.pubsub.message.MessageIdFunction}). Pure: no I/O, no threads;
 * the only state is the sequence number counter of a {@code MessageAuthor}.
 */
package dev.ferry.pubsub.message;
