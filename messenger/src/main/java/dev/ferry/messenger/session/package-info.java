/**
 * One-to-one sessions: {@link dev.ferry.messenger.session.SessionLayer} seals an application
 * message for a peer over X3DH and the Double Ratchet and opens what peers sent, delivering each
 * message exactly once and in order. Pure of I/O except reading the store: every change is
 * returned for the caller to write in one batch with its outbox or inbox records. One record per
 * peer ({@code session.proto}) holds the ratchet sessions, the sequence state, messages held ahead
 * of a gap and what refuses replayed initial messages; {@link dev.ferry.messenger.session.SessionLimits}
 * bounds all of it.
 */
package dev.ferry.messenger.session;
