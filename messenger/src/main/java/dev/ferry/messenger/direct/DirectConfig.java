package dev.ferry.messenger.direct;

import java.time.Duration;

/**
 * How much inbound direct delivery a node handles at once, and for how long.
 *
 * @param maxInboundPerPeer requests from one peer handled at once; more are answered BUSY
 * @param maxInboundTotal requests handled at once over all peers; more are answered BUSY
 * @param handlerTimeout how long the handler may take before INTERNAL_ERROR is answered
 */
public record DirectConfig(int maxInboundPerPeer, int maxInboundTotal, Duration handlerTimeout) {
    /** The defaults of {@link DirectProtocol}. */
    public static final DirectConfig DEFAULT = new DirectConfig(DirectProtocol.DEFAULT_MAX_INBOUND_PER_PEER,
            DirectProtocol.DEFAULT_MAX_INBOUND_TOTAL, DirectProtocol.DEFAULT_HANDLER_TIMEOUT);

    public DirectConfig {
        if (maxInboundPerPeer < 1 || maxInboundTotal < maxInboundPerPeer) {
            throw new IllegalArgumentException("need 1 <= maxInboundPerPeer <= maxInboundTotal");
        }
        if (handlerTimeout.isNegative() || handlerTimeout.isZero()) throw new IllegalArgumentException("handler timeout must be positive");
    }
}
