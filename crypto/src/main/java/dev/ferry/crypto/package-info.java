/**
 * Identity keys and PeerIds (libp2p peer-id spec) and the symmetric primitives the message
 * cryptography is built from. Subpackages: {@code x3dh} (session set-up), {@code ratchet} (the
 * Double Ratchet), {@code senderkey} (group chains) and {@code envelope} (sealed envelopes).
 */
package dev.ferry.crypto;
