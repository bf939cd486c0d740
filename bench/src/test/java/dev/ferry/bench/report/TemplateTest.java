package dev.ferry.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {
    @Test
    void shouldFillEveryPlaceholderEachTimeItAppears() {
        Template t = new Template("{{a}} and {{b.c}}, again {{a}}");

        assertThat(t.placeholders()).containsExactly("a", "b.c");
        assertThat(t.fill(Map.of("a", "1", "b.c", "2"))).isEqualTo("1 and 2, again 1");
    }

    @Test
    void shouldTakeValuesLiterally() {
        assertThat(new Template("x {{v}} y").fill(Map.of("v", "$1 \\ {{w}}"))).isEqualTo("x $1 \\ {{w}} y");
    }

    @Test
    void shouldFailOnAPlaceholderWithoutAValue() {
        assertThatThrownBy(() -> new Template("{{a}} {{missing}}").fill(Map.of("a", "1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing");
    }

    @Test
    void shouldFailOnAValueWithoutAPlaceholder() {
        assertThatThrownBy(() -> new Template("{{a}}").fill(Map.of("a", "1", "shown.nowhere", "2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shown.nowhere");
    }
}
