package dev.ferry.cmd;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * An address to serve HTTP on, {@code HOST:PORT} ({@code 127.0.0.1:7001}, {@code [::1]:7001};
 * port 0 picks a free one).
 */
record HostPort(String host, int port) {
    /** Checks the port. */
    HostPort {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port + " is not in 0..65535");
    }

    /** Parses {@code HOST:PORT}. */
    static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (e.g. 127.0.0.1:7001)");
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ' || c == '/' || c >= 0x7f)) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (e.g. 127.0.0.1:7001)");
        }
        try {
            return new HostPort(host, Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no port number (e.g. 127.0.0.1:7001)");
        }
    }

    /** {@code http://HOST:PORT}, with brackets around an IPv6 host. */
    String url() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** For picocli. */
    static final class Converter implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
