/**
 * Publish/subscribe per the libp2p pubsub and GossipSub v1.0/v1.1 specs: the RPC codec and
 * message signing ({@code message}), the message and seen caches ({@code cache}), peer scoring
 * ({@code score}), mesh maintenance ({@code mesh}) and the router that runs them on a host
 * ({@code router}). Group chats in Ferry are topics.
 */
package dev.ferry.pubsub;
