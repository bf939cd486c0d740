package dev.ferry.bench.report;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text with {@code {{name}}} placeholders, filled all at once. Filling fails when a placeholder
 * has no value, or a value no placeholder: a report with a hole, or a figure measured and never
 * shown, is a mistake to catch before it is published.
 */
public final class Template {
    /** A placeholder: two braces, a name of letters, digits, dots, dashes or underscores, two braces. */
    static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Za-z0-9_.-]+)}}");

    private final String text;

    /** A template of {@code text}. */
    public Template(String text) {
        this.text = text;
    }

    /** The names of the placeholders, in order of first appearance. */
    public Set<String> placeholders() {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /**
     * The text with every placeholder replaced by its value (taken as it is, not as a pattern).
     *
     * @throws IllegalArgumentException naming the placeholders without a value and the values without a placeholder
     */
    public String fill(Map<String, String> values) {
        Set<String> missing = new LinkedHashSet<>(placeholders());
        missing.removeAll(values.keySet());
        Set<String> unused = new LinkedHashSet<>(values.keySet());
        unused.removeAll(placeholders());
        if (!missing.isEmpty() || !unused.isEmpty()) {
            throw new IllegalArgumentException("template placeholders without a value: " + missing + "; values without a placeholder: " + unused);
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
        m.appendTail(out);
        return out.toString();
    }
}
