package dev.ferry.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartTest {
    @TempDir
    Path dir;

    @Test
    void shouldWriteABarChartThatDecodesWithEachSeriesColourInItsBars() throws Exception {
        Chart chart = Chart.bars("Throughput", "MiB/s", List.of("upload", "download"),
                List.of(Chart.Series.bars("Ferry", 900, 1100), Chart.Series.bars("js-libp2p", 350, 420)), "%.0f");
        Path file = dir.resolve("sub/bars.png");

        chart.writePng(file);

        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(Chart.WIDTH);
        assertThat(image.getHeight()).isEqualTo(Chart.HEIGHT);
        double[][] values = {{900, 1100}, {350, 420}};
        for (int s = 0; s < 2; s++) {
            for (int g = 0; g < 2; g++) {
                int x = chart.barCenter(g, s);
                assertThat(colour(image, x, chart.yPixel(values[s][g] / 2))).as("series %d, group %d", s, g)
                        .isEqualTo(Chart.PALETTE.get(s));
                // Above the bar's top there is no bar (its value label is a few pixels above it, grid lines are grey).
                assertThat(colour(image, x, chart.yPixel(values[s][g]) - 30)).isNotEqualTo(Chart.PALETTE.get(s));
            }
        }
    }

    @Test
    void shouldDrawEachCurveWhereItsSamplesAre() throws Exception {
        // Every Ferry sample is 2 ms and every js sample 40 ms: each CDF is one vertical step there.
        Cdf ferry = Cdf.of(List.of(2.0, 2.0, 2.0));
        Cdf js = Cdf.of(List.of(40.0, 40.0));
        Chart chart = Chart.steps("Latency", "ms", "share", List.of(Chart.Series.cdf("Ferry", ferry), Chart.Series.cdf("js", js)), true);
        Path file = dir.resolve("cdf.png");

        chart.writePng(file);

        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(Chart.WIDTH);
        assertThat(colour(image, chart.xPixel(2), chart.yPixel(0.5))).isEqualTo(Chart.PALETTE.get(0));
        assertThat(colour(image, chart.xPixel(40), chart.yPixel(0.5))).isEqualTo(Chart.PALETTE.get(1));
        // Between the two steps, half-way up, neither curve passes.
        int between = chart.xPixel(9);
        assertThat(colour(image, between, chart.yPixel(0.55))).isNotIn(Chart.PALETTE.get(0), Chart.PALETTE.get(1));
        // Once at 1 the Ferry curve runs along the top to the next sample.
        assertThat(colour(image, between, chart.yPixel(1.0))).isEqualTo(Chart.PALETTE.get(0));
    }

    @Test
    void shouldPlaceALinearAxisFromZero() {
        Chart chart = Chart.steps("t", "x", "y", List.of(new Chart.Series("a", new double[] {0, 10}, new double[] {0.5, 1})), false);

        assertThat(chart.xPixel(0)).isLessThan(chart.xPixel(5));
        assertThat(chart.xPixel(5)).isLessThan(chart.xPixel(10));
        assertThat(chart.yPixel(0)).isGreaterThan(chart.yPixel(1)); // rows grow downwards
    }

    @Test
    void shouldRefuseBarsWithoutOneValuePerGroup() {
        assertThatThrownBy(() -> Chart.bars("t", "y", List.of("a", "b"), List.of(Chart.Series.bars("s", 1)), "%.0f"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Color colour(BufferedImage image, int x, int y) {
        return new Color(image.getRGB(x, y));
    }
}
