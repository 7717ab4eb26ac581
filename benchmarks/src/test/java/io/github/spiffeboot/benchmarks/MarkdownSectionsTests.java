package io.github.spiffeboot.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The writers of BENCHMARKS.md leave each other's sections alone. */
class MarkdownSectionsTests {

    private static final String DOCUMENT = """
            # Benchmarks

            Intro.

            <!-- BEGIN jmh -->
            ## JMH
            old jmh
            <!-- END jmh -->

            <!-- BEGIN load -->
            ## Load
            old load
            <!-- END load -->
            """;

    @Test
    void rewritesOnlyTheNamedSection() {
        String updated = MarkdownSections.replace(DOCUMENT, "jmh", "## JMH\nnew jmh\n");
        assertThat(updated).isEqualTo(DOCUMENT.replace("old jmh", "new jmh"));
    }

    @Test
    void appendsASectionNotYetInTheFile() {
        String updated = MarkdownSections.replace(DOCUMENT, "soak", "## Soak\nresult");
        assertThat(updated).startsWith(DOCUMENT.stripTrailing())
            .endsWith("\n\n<!-- BEGIN soak -->\n## Soak\nresult\n<!-- END soak -->\n")
            .contains("old jmh", "old load");
    }

    @Test
    void startsAFileWithItsTitle() {
        assertThat(MarkdownSections.replace("", "load", "## Load"))
            .isEqualTo("# Benchmarks\n\n<!-- BEGIN load -->\n## Load\n<!-- END load -->\n");
    }

    @Test
    void refusesASectionWithOnlyOneMarker() {
        assertThatThrownBy(() -> MarkdownSections.replace("<!-- BEGIN load -->\nhalf", "load", "x"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("load");
    }
}
