/**
 * Sender keys for groups: each member encrypts its group messages with its own symmetric chain
 * per epoch and signs them with a per-epoch Ed25519 signing key; the chain and the signing public
 * key reach the other members in a {@link dev.ferry.crypto.senderkey.SenderKeyDistribution} over
 * the pairwise sessions. {@link dev.ferry.crypto.senderkey.GroupSenderKeys} is one member's
 * immutable state for one group: every step returns the next state, and a refused message leaves
 * the state as it was. Removing a member starts a new epoch with fresh chains. No I/O here; the
 * limits are in {@link dev.ferry.crypto.senderkey.SenderKeyLimits}.
 */
package dev.ferry.crypto.senderkey;
