/**
 * Handover and repair of the shards a mailbox holder keeps: {@link dev.ferry.messenger.repair.RepairPlan}
 * decides, per envelope, from what the mailbox's closest peers say they hold;
 * {@link dev.ferry.messenger.repair.MailboxUpkeep} walks the held mailboxes in bounded rounds, asks,
 * and acts over {@code /ferry/mailbox/1.0.0}. The rules are in docs/PROTOCOLS-repair.md.
 */
package dev.ferry.messenger.repair;
