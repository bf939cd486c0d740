/**
 * Groups as pure logic: the owner-signed {@link dev.ferry.messenger.group.GroupRoster}, the
 * per-epoch {@link dev.ferry.messenger.group.EpochSecret} (group mailbox and sealing keys), the
 * control messages members exchange over their pairwise sessions, sender-key encryption of group
 * messages, and the whole per-group {@link dev.ferry.messenger.group.GroupState}, persisted as
 * protobuf in the store's {@code groups()} table. {@link dev.ferry.messenger.group.Groups} is the
 * entry point: every operation takes a state and returns the next one with what to send to whom,
 * or a {@link dev.ferry.messenger.group.GroupRefusal}. No I/O: the messenger carries control bytes
 * over the Double Ratchet sessions, group messages over GossipSub and the group mailbox. The
 * formats and rules are in docs/PROTOCOLS-group.md; the limits in
 * {@link dev.ferry.messenger.group.GroupLimits}.
 */
package dev.ferry.messenger.group;
