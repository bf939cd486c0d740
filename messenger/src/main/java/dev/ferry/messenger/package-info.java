/**
 * The messenger: everything between a user's "send" and the other user's inbox. {@code mailbox}
 * is the {@code /ferry/mailbox/1.0.0} protocol that holders serve (shards, fetch, watch, ACK,
 * handover, prekeys); {@code session} turns plaintext into sealed envelopes over X3DH and the
 * Double Ratchet and back, exactly once; {@code direct} is {@code /ferry/direct/1.0.0} for a
 * recipient who is online; {@code group} holds group rosters and sender keys; {@code delivery}
 * is the sender's outbox and the recipient's retrieval; {@code FerryNode} wires them to the
 * overlay, the DHT, GossipSub and the store.
 */
package dev.ferry.messenger;
