package dev.ferry.overlay;

/** Who opened a connection or stream: we did (outbound) or the remote did (inbound). */
public enum Direction {
    INBOUND,
    OUTBOUND
}
