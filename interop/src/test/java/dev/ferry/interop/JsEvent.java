package dev.ferry.interop;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One stdout line of the js peer: a JSON object whose {@code event} field names it. */
record JsEvent(Map<String, Object> fields) {
    JsEvent {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields)); // in printed order, nulls kept
    }

    static JsEvent parse(String line) {
        return new JsEvent(Json.parseObject(line));
    }

    String name() {
        return fields.get("event") instanceof String name ? name : "";
    }

    String string(String key) {
        return (String) require(key);
    }

    long number(String key) {
        return ((Number) require(key)).longValue();
    }

    double decimal(String key) {
        return ((Number) require(key)).doubleValue();
    }

    List<String> strings(String key) {
        return ((List<?>) require(key)).stream().map(String.class::cast).toList();
    }

    PeerId peer(String key) {
        return PeerId.parse(string(key));
    }

    Multiaddr address(String key) {
        return Multiaddr.parse(string(key));
    }

    List<Multiaddr> addresses(String key) {
        return strings(key).stream().map(Multiaddr::parse).toList();
    }

    private Object require(String key) {
        Object value = fields.get(key);
        if (value == null) throw new AssertionError("js event has no (non-null) '" + key + "': " + this);
        return value;
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
