package dev.ferry.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fields of the one-line JSON objects the js scripts print: flat objects of strings, numbers and
 * arrays of numbers, nothing nested. Enough for peer.mjs and dht-network.mjs, not a JSON parser.
 */
final class JsonLine {
    private JsonLine() {}

    /** A string or number field, or null. */
    static String field(String line, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*(?:\"([^\"]*)\"|(-?[0-9][0-9.eE+-]*))").matcher(line);
        if (!m.find()) return null;
        return m.group(1) != null ? m.group(1) : m.group(2);
    }

    /** An array-of-numbers field, or null. */
    static List<Double> numbers(String line, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(line);
        if (!m.find()) return null;
        List<Double> out = new ArrayList<>();
        for (String v : m.group(1).split(",")) {
            if (!v.isBlank()) out.add(Double.parseDouble(v.trim()));
        }
        return out;
    }
}
