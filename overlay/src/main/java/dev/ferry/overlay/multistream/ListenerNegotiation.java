package dev.ferry.overlay.multistream;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The listener's side: answer the header, echo a supported proposal, say "na" to others, list
 * protocols on "ls". Pure logic; the caller moves the bytes.
 */
public final class ListenerNegotiation {
    private final Predicate<String> supported;
    private final Supplier<Collection<String>> listing;
    private boolean headerSeen;
    private int proposals;

    /**
     * @param supported which protocol ids we accept
     * @param listing what to answer to "ls"
     */
    public ListenerNegotiation(Predicate<String> supported, Supplier<Collection<String>> listing) {
        this.supported = supported;
        this.listing = listing;
    }

    /** Feeds one message from the dialer. */
    public Negotiation onMessage(String message) {
        if (!headerSeen) {
            if (!message.equals(MultistreamProtocol.PROTOCOL_ID)) {
                return Negotiation.failed("remote does not speak " + MultistreamProtocol.PROTOCOL_ID + " (sent \""
                        + DialerNegotiation.printable(message) + "\")");
            }
            headerSeen = true;
            return Negotiation.sending(MultistreamProtocol.PROTOCOL_ID);
        }
        if (++proposals > MultistreamProtocol.MAX_PROPOSALS) {
            return Negotiation.failed("remote proposed more than " + MultistreamProtocol.MAX_PROPOSALS + " protocols");
        }
        if (message.equals(MultistreamProtocol.LIST)) {
            List<String> answer = new ArrayList<>(listing.get());
            return Negotiation.sending(String.join("\n", answer));
        }
        if (supported.test(message)) return Negotiation.done(message, message);
        return Negotiation.sending(MultistreamProtocol.NOT_AVAILABLE);
    }
}
