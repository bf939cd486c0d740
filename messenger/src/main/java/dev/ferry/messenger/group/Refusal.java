package dev.ferry.messenger.group;

/**
 * Inside the package, a refusal found deep in a check unwinds to the public boundary, where it
 * becomes a {@link GroupResult.Refused}; it never leaves the package.
 */
final class Refusal extends Exception {
    private final GroupRefusal refusal;

    Refusal(GroupRefusal.Reason reason, String detail) {
        super(reason + ": " + detail, null, false, false);
        this.refusal = new GroupRefusal(reason, detail);
    }

    GroupRefusal refusal() {
        return refusal;
    }

    static Refusal malformed(String detail) {
        return new Refusal(GroupRefusal.Reason.MALFORMED, detail);
    }
}
