/**
 * The sealed envelope: what relays store and forward ({@link dev.ferry.crypto.envelope.EnvelopeHeader},
 * whose id commits to every outer field) and what only the recipient reads
 * ({@link dev.ferry.crypto.envelope.InnerContent}, sealed to the recipient's X25519 identity key
 * by {@link dev.ferry.crypto.envelope.SealedEnvelope}). Relays never see the sender or the
 * plaintext: the outer layer only hides the sender, and sender authenticity comes from the inner
 * payload (the Double Ratchet or X3DH message, whose associated data binds both identities), as in
 * Signal's sealed sender. Also the mailbox key ({@link dev.ferry.crypto.envelope.Mailbox}) and the
 * ACK secret ({@link dev.ferry.crypto.envelope.AckSecret}). No I/O; time and randomness are passed
 * in; the limits are in {@link dev.ferry.crypto.envelope.EnvelopeLimits}.
 */
package dev.ferry.crypto.envelope;
