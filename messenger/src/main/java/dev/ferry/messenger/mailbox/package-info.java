/**
 * {@code /ferry/mailbox/1.0.0}: the protocol mailbox holders serve and senders, recipients and
 * other holders use. {@link dev.ferry.messenger.mailbox.MailboxServer} is the holder side: it
 * stores shards (charged to the peer that sent them), lists them to the mailbox owner's signed
 * FETCH, pushes notices to WATCHers, deletes an envelope on an ACK that carries the secret and
 * leaves a tombstone, answers HAS, takes HANDOVERs and holds prekey bundles. Its decisions are
 * made by {@link dev.ferry.messenger.mailbox.MailboxHolder} over a
 * {@link dev.ferry.store.FerryStore}, on the server's own thread, never on a Netty event loop.
 * {@link dev.ferry.messenger.mailbox.MailboxClient} is the other side, one method per request.
 *
 * <p>Wire format, statuses, signatures and limits: docs/PROTOCOLS-mailbox.md.
 */
package dev.ferry.messenger.mailbox;
