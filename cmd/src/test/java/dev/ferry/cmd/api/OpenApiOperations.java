package dev.ferry.cmd.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The operations (method and path) an OpenAPI file describes, read from its {@code paths:}
 * section by indentation. No YAML library is on the class path, and the section has a simple
 * shape: path keys at one indentation, method keys at the next. Anything deeper (parameters,
 * block scalars, schemas) is skipped. What the reader does not understand (tabs, flow style, a
 * path key not starting with {@code /}) fails loudly rather than being misread.
 */
public final class OpenApiOperations {
    /** Where the API's description lives, seen from the cmd module (Maven runs tests there). */
    public static final Path FILE = Path.of("..", "docs", "api", "openapi.yaml");

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    /** One operation: an upper-case HTTP method and a path with {@code {name}} parameters. */
    public record Operation(String method, String path) implements Comparable<Operation> {
        @Override
        public int compareTo(Operation other) {
            int byPath = path.compareTo(other.path);
            return byPath != 0 ? byPath : method.compareTo(other.method);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private OpenApiOperations() {}

    /** The operations of the file at {@code file}. */
    public static Set<Operation> read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /** The operations of an OpenAPI document given as its lines. */
    static Set<Operation> parse(List<String> lines) {
        int start = lines.indexOf("paths:");
        if (start < 0) throw new IllegalArgumentException("no top-level 'paths:' line (flow style is not read)");
        Set<Operation> operations = new LinkedHashSet<>();
        int pathIndent = -1;
        int methodIndent = -1;
        String currentPath = null;
        for (int i = start + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.strip().startsWith("#")) continue;
            if (line.contains("\t")) throw new IllegalArgumentException("line " + (i + 1) + " has a tab: indentation is spaces");
            int indent = indentOf(line);
            if (indent == 0) break; // the next top-level key ends the section
            if (pathIndent < 0) pathIndent = indent;
            if (indent < pathIndent) throw new IllegalArgumentException("line " + (i + 1) + " is less indented than the first path");
            if (indent == pathIndent) {
                currentPath = unquote(keyOf(line, i));
                if (!currentPath.startsWith("/")) throw new IllegalArgumentException("line " + (i + 1) + ": '" + currentPath + "' is not a path");
                methodIndent = -1;
                continue;
            }
            if (methodIndent < 0) methodIndent = indent;
            if (indent != methodIndent) continue; // inside an operation or a path-level field
            String key = keyOf(line, i);
            if (!METHODS.contains(key)) continue; // parameters, summary, description, servers of the path
            Operation operation = new Operation(key.toUpperCase(Locale.ROOT), currentPath);
            if (!operations.add(operation)) throw new IllegalArgumentException("line " + (i + 1) + ": " + operation + " twice");
        }
        return operations;
    }

    private static int indentOf(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') n++;
        return n;
    }

    /** The key of a {@code key:} or {@code key: value} line. */
    private static String keyOf(String line, int index) {
        String text = line.strip();
        int colon = text.startsWith("\"") || text.startsWith("'") ? text.indexOf(':', text.indexOf(text.charAt(0), 1)) : text.indexOf(':');
        if (colon < 0) throw new IllegalArgumentException("line " + (index + 1) + " is not a 'key:' line: " + text);
        return text.substring(0, colon).strip();
    }

    private static String unquote(String key) {
        boolean quoted = key.length() >= 2 && (key.startsWith("\"") && key.endsWith("\"") || key.startsWith("'") && key.endsWith("'"));
        return quoted ? key.substring(1, key.length() - 1) : key;
    }

    /** For messages: the operations sorted, one per line. */
    static String list(Set<Operation> operations) {
        List<Operation> sorted = new ArrayList<>(operations);
        sorted.sort(null);
        StringBuilder text = new StringBuilder();
        sorted.forEach(o -> text.append("\n  ").append(o));
        return text.toString();
    }
}
