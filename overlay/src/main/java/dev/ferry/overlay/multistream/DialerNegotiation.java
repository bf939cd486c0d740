package dev.ferry.overlay.multistream;

import java.util.List;

/**
 * The dialer's side: send the header and the first proposal together, then the next proposal
 * after each "na". Pure logic; the caller moves the bytes.
 */
public final class DialerNegotiation {
    private final List<String> proposals;
    private int next;
    private boolean headerSeen;

    public DialerNegotiation(List<String> proposals) {
        if (proposals.isEmpty()) throw new IllegalArgumentException("no protocol to propose");
        this.proposals = List.copyOf(proposals);
    }

    /** The opening messages. */
    public Negotiation start() {
        return Negotiation.sending(MultistreamProtocol.PROTOCOL_ID, proposals.get(next));
    }

    /** Feeds one message from the listener. */
    public Negotiation onMessage(String message) {
        if (!headerSeen) {
            if (!message.equals(MultistreamProtocol.PROTOCOL_ID)) {
                return Negotiation.failed("remote does not speak " + MultistreamProtocol.PROTOCOL_ID + " (sent \""
                        + printable(message) + "\")");
            }
            headerSeen = true;
            return Negotiation.sending();
        }
        String proposed = proposals.get(next);
        if (message.equals(proposed)) return Negotiation.done(proposed);
        if (!message.equals(MultistreamProtocol.NOT_AVAILABLE)) {
            return Negotiation.failed("remote answered \"" + printable(message) + "\" to \"" + proposed + "\"");
        }
        next++;
        if (next == proposals.size()) return Negotiation.unsupported("remote supports none of " + proposals);
        return Negotiation.sending(proposals.get(next));
    }

    public List<String> proposals() {
        return proposals;
    }

    static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
