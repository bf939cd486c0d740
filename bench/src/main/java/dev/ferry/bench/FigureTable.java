package dev.ferry.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A benchmark's summary table, built once and shown two ways: aligned text for the console and a
 * Markdown table for docs/BENCHMARKS.md, so that the printed figures and the published ones are
 * the same cells. The first column is left-aligned, the others right-aligned.
 */
public final class FigureTable {
    /** A figure as the benchmarks write them: "1,234.5", "38 %", or "-" for none. */
    private static final Pattern FIGURE = Pattern.compile("-|[-+]?[0-9][0-9,]*(\\.[0-9]+)?( ?%)?");

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    /** A table with these column names. */
    public FigureTable(String... header) {
        if (header.length == 0) throw new IllegalArgumentException("a table needs at least one column");
        this.header = List.of(header);
    }

    /** Adds a row; it must have one cell per column. */
    public FigureTable row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row " + Arrays.toString(cells) + " has " + cells.length + " cells, not " + header.size());
        }
        rows.add(List.of(cells));
        return this;
    }

    /**
     * A row of a Ferry vs js comparison: the metric, both figures in {@code format}, and Ferry/js
     * when {@code ratio} and js has a non-zero figure; a NaN figure shows as "-".
     */
    public FigureTable comparison(String metric, double ferry, double js, String format, boolean ratio) {
        String r = ratio && !Double.isNaN(js) && js != 0 && !Double.isNaN(ferry) ? fmt("%.2f", ferry / js) : "";
        return row(metric, number(format, ferry), number(format, js), r);
    }

    /** The column names. */
    public List<String> header() {
        return header;
    }

    /** The rows, each as many cells as there are columns. */
    public List<List<String>> rows() {
        return List.copyOf(rows);
    }

    /** The cell in the row whose first cell is {@code metric}, column {@code column}. */
    public String cell(String metric, int column) {
        return rows.stream().filter(r -> r.getFirst().equals(metric)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no row " + metric)).get(column);
    }

    /** Aligned plain text, one line per row after the header. */
    public String text() {
        int[] width = new int[header.size()];
        for (List<String> r : withHeader()) for (int c = 0; c < width.length; c++) width[c] = Math.max(width[c], r.get(c).length());
        StringBuilder out = new StringBuilder();
        for (List<String> r : withHeader()) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < width.length; c++) {
                String cell = r.get(c);
                line.append(c == 0 ? cell + " ".repeat(width[c] - cell.length()) : "  " + " ".repeat(width[c] - cell.length()) + cell);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** A GitHub Markdown table, figures right-aligned; a "|" in a cell is escaped. */
    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append(markdownRow(header));
        out.append('|');
        for (int c = 0; c < header.size(); c++) out.append(c > 0 && numeric(c) ? "---:|" : "---|");
        out.append('\n');
        for (List<String> r : rows) out.append(markdownRow(r));
        return out.toString();
    }

    /** Whether every non-empty cell of column {@code c} is a figure ("1,234.5", "38 %", "-"). */
    private boolean numeric(int c) {
        return rows.stream().map(r -> r.get(c)).filter(cell -> !cell.isEmpty())
                .allMatch(cell -> FIGURE.matcher(cell).matches());
    }

    private static String markdownRow(List<String> cells) {
        StringBuilder line = new StringBuilder("|");
        for (String cell : cells) line.append(' ').append(cell.replace("|", "\\|")).append(" |");
        return line.append('\n').toString();
    }

    private List<List<String>> withHeader() {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        return all;
    }

    private static String number(String format, double v) {
        return Double.isNaN(v) ? "-" : fmt(format, v);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
