package dev.ferry.overlay.noise;

import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;

/**
 * The outcome of a successful Noise handshake: who the remote is, proven by its signature over
 * its Noise static key.
 *
 * @param remotePeer the remote's PeerId, derived from {@code remoteKey}
 * @param remoteKey the remote's identity key
 */
public record SecureSession(PeerId remotePeer, IdentityPublicKey remoteKey) {}
