package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FigureTableTest {
    @Test
    void shouldShowTheSameCellsAsTextAndAsMarkdown() {
        FigureTable t = new FigureTable("metric", "Ferry", "js-libp2p", "Ferry/js")
                .comparison("latency ms, p50", 2.0, 8.0, "%.1f", true)
                .comparison("nodes", 30, Double.NaN, "%.0f", false);

        assertThat(t.markdown()).isEqualTo("""
                | metric | Ferry | js-libp2p | Ferry/js |
                |---|---:|---:|---:|
                | latency ms, p50 | 2.0 | 8.0 | 0.25 |
                | nodes | 30 | - |  |
                """);
        assertThat(t.text()).isEqualTo("""
                metric           Ferry  js-libp2p  Ferry/js
                latency ms, p50    2.0        8.0      0.25
                nodes               30          -
                """);
        assertThat(t.cell("latency ms, p50", 3)).isEqualTo("0.25");
    }

    @Test
    void shouldRightAlignOnlyColumnsOfFigures() {
        String markdown = new FigureTable("metric", "side", "MiB/s", "share").row("a", "Ferry", "1,024.5", "38 %")
                .row("b", "js", "-", "").markdown();

        assertThat(markdown.lines().toList().get(1)).isEqualTo("|---|---|---:|---:|");
    }

    @Test
    void shouldEscapeAPipeInACell() {
        assertThat(new FigureTable("a").row("x|y").markdown()).contains("| x\\|y |");
    }

    @Test
    void shouldRefuseARowOfTheWrongWidth() {
        assertThatThrownBy(() -> new FigureTable("a", "b").row("only one")).isInstanceOf(IllegalArgumentException.class);
    }
}
