/**
 * Identity keys and PeerIds (libp2p peer-id spec). Later: X3DH, the Double Ratchet, sender keys
 * and sealed envelopes.
 */
package dev.ferry.crypto;
