/**
 * The Double Ratchet (Signal specification, revision 1) that carries every message of a
 * one-to-one session after X3DH: {@link dev.ferry.crypto.ratchet.RatchetSession} is an
 * immutable session state whose encrypt and decrypt steps return the next state, so a refused
 * message cannot change a session and the messenger can persist the next state in the same
 * database batch as the message. {@link dev.ferry.crypto.ratchet.RatchetMessage} is the wire
 * format, {@link dev.ferry.crypto.ratchet.RatchetLimits} holds every bound. No I/O, no clock;
 * randomness comes in as a {@link java.security.SecureRandom}.
 */
package dev.ferry.crypto.ratchet;
