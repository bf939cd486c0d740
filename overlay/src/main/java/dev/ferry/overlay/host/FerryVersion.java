package dev.ferry.overlay.host;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The project version the build wrote into {@code dev/ferry/overlay/version.properties}. */
final class FerryVersion {
    static final String VALUE = load();

    private FerryVersion() {}

    private static String load() {
        try (InputStream in = FerryVersion.class.getResourceAsStream("/dev/ferry/overlay/version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
