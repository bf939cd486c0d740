package dev.ferry.messenger.group;

import java.util.List;

/**
 * The result of an operation or a control message: the state to keep (persist it before sending),
 * the control messages to send, and what happened.
 */
public record GroupChange(GroupState state, List<Outgoing> outgoing, GroupEvent event) {
    public GroupChange {
        outgoing = List.copyOf(outgoing);
    }
}
