package io.github.spiffeboot.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rewrites one marked section of a Markdown file and leaves the rest alone, so that several writers (the
 * JMH report, the load benchmark, the soak) share {@code BENCHMARKS.md} without wiping each other's results.
 * A section lies between {@code <!-- BEGIN name -->} and {@code <!-- END name -->}; a section not yet in the
 * file is appended.
 */
public final class MarkdownSections {

    private MarkdownSections() {
    }

    /** {@code document} with section {@code name} holding {@code content}. */
    public static String replace(String document, String name, String content) {
        String begin = "<!-- BEGIN " + name + " -->";
        String end = "<!-- END " + name + " -->";
        String section = begin + "\n" + content.strip() + "\n" + end;
        int from = document.indexOf(begin);
        int to = document.indexOf(end);
        if (from >= 0 && to > from) {
            return document.substring(0, from) + section + document.substring(to + end.length());
        }
        if (from >= 0 || to >= 0) {
            throw new IllegalArgumentException("section '" + name + "' has only one of its markers");
        }
        String head = document.isBlank() ? "# Benchmarks\n" : document.stripTrailing() + "\n";
        return head + "\n" + section + "\n";
    }

    /** Rewrites section {@code name} of {@code file} (created if missing). */
    public static void write(Path file, String name, String content) throws IOException {
        String document = Files.exists(file) ? Files.readString(file) : "";
        Files.writeString(file, replace(document, name, content));
    }
}
