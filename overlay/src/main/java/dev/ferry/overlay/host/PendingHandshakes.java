package dev.ferry.overlay.host;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts inbound connections whose remote is not authenticated yet (the Noise handshake has not
 * ended), in total and per remote IP.
 * Without it, a few hosts opening connections and never finishing the handshake could hold every
 * connection slot until each one's handshake timeout. Thread-safe.
 */
final class PendingHandshakes {
    private final int maxTotal;
    private final int maxPerIp;
    private final Map<InetAddress, Integer> perIp = new HashMap<>();
    private int total;

    PendingHandshakes(int maxTotal, int maxPerIp) {
        this.maxTotal = maxTotal;
        this.maxPerIp = maxPerIp;
    }

    /** Takes a place for a handshake from {@code ip}; false when either limit is reached. */
    synchronized boolean tryAcquire(InetAddress ip) {
        int fromIp = perIp.getOrDefault(ip, 0);
        if (total >= maxTotal || fromIp >= maxPerIp) return false;
        total++;
        perIp.put(ip, fromIp + 1);
        return true;
    }

    /** Gives back a place taken by {@link #tryAcquire}. */
    synchronized void release(InetAddress ip) {
        Integer fromIp = perIp.get(ip);
        if (fromIp == null) throw new IllegalStateException("no handshake pending from " + ip);
        total--;
        if (fromIp == 1) perIp.remove(ip);
        else perIp.put(ip, fromIp - 1);
    }

    synchronized int total() {
        return total;
    }
}
