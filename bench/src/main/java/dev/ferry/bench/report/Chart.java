package dev.ferry.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A PNG chart drawn with java.awt (headless): step curves such as CDFs, or grouped bars with their
 * values written on them. Title, axis labels with units, a legend and a grid; series take the
 * colours of {@link #PALETTE} in order. Lines and bars are drawn without antialiasing, so each
 * series' pixels are exactly its colour (text is antialiased).
 */
public final class Chart {
    /** Series colours in order: Ferry first, then js-libp2p, then further series. */
    public static final List<Color> PALETTE = List.of(new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b));
    /** Image size in pixels; large enough for 14-point labels to stay readable when scaled down on a page. */
    public static final int WIDTH = 960;
    public static final int HEIGHT = 560;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    /** Room for the title and, under it, the legend, so neither covers data. */
    private static final int TOP = 84;
    private static final int BOTTOM = 70;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 20);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

    /** A named series: points (x, y) for a curve, or one y per group (x unused) for bars. */
    public record Series(String name, double[] x, double[] y) {
        /** A curve of the distribution of {@code samples}. */
        public static Series cdf(String name, Cdf cdf) {
            return new Series(name, cdf.xs(), cdf.ys());
        }

        /** One bar per group, in group order. */
        public static Series bars(String name, double... values) {
            return new Series(name, new double[values.length], values);
        }
    }

    private enum Kind { STEPS, BARS }

    private final Kind kind;
    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<String> groups;
    private final List<Series> series;
    private final boolean logX;
    private final String valueFormat;
    private final Axis xAxis;
    private final Axis yAxis;

    private Chart(Kind kind, String title, String xLabel, String yLabel, List<String> groups, List<Series> series, boolean logX,
                  String valueFormat) {
        if (series.isEmpty() || series.size() > PALETTE.size()) {
            throw new IllegalArgumentException("a chart takes 1 to " + PALETTE.size() + " series, not " + series.size());
        }
        this.kind = kind;
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.groups = List.copyOf(groups);
        this.series = List.copyOf(series);
        this.logX = logX;
        this.valueFormat = valueFormat;
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMax = 0;
        for (Series s : series) {
            for (double v : s.x()) {
                if (logX && v <= 0) continue; // no place on a log axis
                xMin = Math.min(xMin, v);
                xMax = Math.max(xMax, v);
            }
            for (double v : s.y()) if (!Double.isNaN(v)) yMax = Math.max(yMax, v);
        }
        if (kind == Kind.BARS) {
            for (Series s : series) {
                if (s.y().length != groups.size()) throw new IllegalArgumentException(s.name() + " has not one value per group");
            }
            this.xAxis = null;
            this.yAxis = Axis.linear(0, yMax * 1.12); // room for the value labels above the bars
        } else {
            if (xMin > xMax) throw new IllegalArgumentException("no points to draw");
            this.xAxis = logX ? Axis.log(xMin, xMax) : Axis.linear(Math.min(0, xMin), xMax);
            this.yAxis = Axis.linear(0, Math.max(yMax, 1e-9));
        }
    }

    /**
     * Step curves, e.g. CDFs from {@link Series#cdf}: each series' y holds from its x until the
     * next point, the last one to the right edge. {@code logX} for figures that span decades, such as latencies with a long tail.
     */
    public static Chart steps(String title, String xLabel, String yLabel, List<Series> series, boolean logX) {
        return new Chart(Kind.STEPS, title, xLabel, yLabel, List.of(), series, logX, null);
    }

    /** Grouped bars: one group per label, in each group one bar per series, its value written above it in {@code valueFormat}. */
    public static Chart bars(String title, String yLabel, List<String> groups, List<Series> series, String valueFormat) {
        return new Chart(Kind.BARS, title, "", yLabel, groups, series, false, valueFormat);
    }

    /** The image column of {@code x} (steps). */
    public int xPixel(double x) {
        return LEFT + (int) Math.round(xAxis.fraction(x) * plotWidth());
    }

    /** The image row of {@code y}. */
    public int yPixel(double y) {
        return HEIGHT - BOTTOM - (int) Math.round(yAxis.fraction(y) * plotHeight());
    }

    /** The image column of the middle of series {@code s}'s bar in group {@code g} (bars). */
    public int barCenter(int g, int s) {
        double groupWidth = plotWidth() / (double) groups.size();
        double barWidth = groupWidth * 0.8 / series.size();
        return LEFT + (int) Math.round(g * groupWidth + groupWidth * 0.1 + (s + 0.5) * barWidth);
    }

    /** Draws the chart. */
    public BufferedImage render() {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            drawGridAndAxes(g);
            if (kind == Kind.BARS) drawBars(g);
            else drawSteps(g);
            drawFrameText(g);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Renders the chart into {@code file} as PNG, creating its directory. */
    public void writePng(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        if (!ImageIO.write(render(), "png", file.toFile())) throw new IOException("no PNG writer in this JDK");
    }

    private int plotWidth() {
        return WIDTH - LEFT - RIGHT;
    }

    private int plotHeight() {
        return HEIGHT - TOP - BOTTOM;
    }

    private void drawGridAndAxes(Graphics2D g) {
        g.setFont(SMALL);
        FontMetrics fm = g.getFontMetrics();
        for (double t : yAxis.ticks()) {
            int y = yPixel(t);
            g.setColor(new Color(0xe4e4e4));
            g.drawLine(LEFT, y, WIDTH - RIGHT, y);
            g.setColor(Color.DARK_GRAY);
            String label = yAxis.label(t);
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
        }
        if (kind == Kind.BARS) {
            g.setFont(LABEL);
            fm = g.getFontMetrics();
            double groupWidth = plotWidth() / (double) groups.size();
            for (int i = 0; i < groups.size(); i++) {
                String label = groups.get(i);
                int x = LEFT + (int) Math.round((i + 0.5) * groupWidth);
                g.drawString(label, x - fm.stringWidth(label) / 2, HEIGHT - BOTTOM + 24);
            }
        } else {
            for (double t : xAxis.ticks()) {
                int x = xPixel(t);
                g.setColor(new Color(0xe4e4e4));
                g.drawLine(x, TOP, x, HEIGHT - BOTTOM);
                g.setColor(Color.DARK_GRAY);
                String label = xAxis.label(t);
                g.drawString(label, x - fm.stringWidth(label) / 2, HEIGHT - BOTTOM + 20);
            }
        }
        g.setColor(Color.BLACK);
        g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
        g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
    }

    private void drawSteps(Graphics2D g) {
        g.setStroke(new BasicStroke(3f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
        for (int s = 0; s < series.size(); s++) {
            g.setColor(PALETTE.get(s));
            double[] x = series.get(s).x();
            double[] y = series.get(s).y();
            double lastY = 0;
            int px = -1;
            for (int i = 0; i < x.length; i++) {
                if (logX && x[i] <= 0) continue;
                int cx = xPixel(x[i]);
                if (px >= 0) g.drawLine(px, yPixel(lastY), cx, yPixel(lastY));
                g.drawLine(cx, yPixel(lastY), cx, yPixel(y[i]));
                px = cx;
                lastY = y[i];
            }
            // The last value holds to the right edge: a CDF stays at 1 after its largest sample.
            if (px >= 0) g.drawLine(px, yPixel(lastY), WIDTH - RIGHT, yPixel(lastY));
        }
        g.setStroke(new BasicStroke(1f));
    }

    private void drawBars(Graphics2D g) {
        double groupWidth = plotWidth() / (double) groups.size();
        int barWidth = (int) Math.floor(groupWidth * 0.8 / series.size()) - 4;
        g.setFont(SMALL);
        FontMetrics fm = g.getFontMetrics();
        for (int s = 0; s < series.size(); s++) {
            for (int i = 0; i < groups.size(); i++) {
                double v = series.get(s).y()[i];
                if (Double.isNaN(v)) continue;
                int cx = barCenter(i, s);
                int top = yPixel(v);
                g.setColor(PALETTE.get(s));
                g.fillRect(cx - barWidth / 2, top, barWidth, HEIGHT - BOTTOM - top);
                g.setColor(Color.BLACK);
                String label = String.format(Locale.ROOT, valueFormat, v);
                g.drawString(label, cx - fm.stringWidth(label) / 2, top - 5);
            }
        }
    }

    private void drawFrameText(Graphics2D g) {
        g.setColor(Color.BLACK);
        g.setFont(TITLE);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(title, (WIDTH - fm.stringWidth(title)) / 2, 30);
        g.setFont(LABEL);
        fm = g.getFontMetrics();
        if (!xLabel.isEmpty()) g.drawString(xLabel, LEFT + (plotWidth() - fm.stringWidth(xLabel)) / 2, HEIGHT - 18);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(TOP + (plotHeight() + fm.stringWidth(yLabel)) / 2), 24);
        g.setTransform(saved);
        // The legend: a row of swatches under the title, right-aligned, outside the plot.
        int x = WIDTH - RIGHT;
        List<int[]> places = new ArrayList<>();
        for (int s = series.size() - 1; s >= 0; s--) {
            x -= fm.stringWidth(series.get(s).name()) + 26;
            places.addFirst(new int[] {x});
            x -= 14;
        }
        for (int s = 0; s < series.size(); s++) {
            int lx = places.get(s)[0];
            g.setColor(PALETTE.get(s));
            g.fillRect(lx, 52, 18, 14);
            g.setColor(Color.BLACK);
            g.drawString(series.get(s).name(), lx + 24, 64);
        }
    }

    /** An axis from min to max, linear or logarithmic, with round tick values. */
    private record Axis(double min, double max, boolean log, double step) {
        static Axis linear(double min, double max) {
            if (max <= min) max = min + 1;
            double step = niceStep((max - min) / 6);
            return new Axis(Math.floor(min / step) * step, Math.ceil(max / step) * step, false, step);
        }

        static Axis log(double min, double max) {
            double lo = Math.pow(10, Math.floor(Math.log10(min)));
            double hi = Math.pow(10, Math.ceil(Math.log10(max)));
            if (hi <= lo) hi = lo * 10;
            return new Axis(lo, hi, true, 0);
        }

        double fraction(double v) {
            if (log) return (Math.log10(Math.max(v, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
            return (v - min) / (max - min);
        }

        List<Double> ticks() {
            List<Double> t = new ArrayList<>();
            if (log) {
                for (double decade = min; decade < max * 1.0001; decade *= 10) {
                    for (int m : new int[] {1, 2, 5}) if (decade * m <= max * 1.0001) t.add(decade * m);
                }
            } else {
                for (int i = 0; min + i * step <= max + step / 1000; i++) t.add(min + i * step);
            }
            return t;
        }

        String label(double v) {
            if (v == Math.rint(v) && Math.abs(v) < 1e9) return String.format(Locale.ROOT, "%,d", (long) v);
            return String.format(Locale.ROOT, Math.abs(v) >= 0.1 ? "%.1f" : "%.2g", v);
        }

        /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
        static double niceStep(double raw) {
            double p = Math.pow(10, Math.floor(Math.log10(raw)));
            for (int m : new int[] {1, 2, 5, 10}) if (m * p >= raw) return m * p;
            return 10 * p;
        }
    }
}
