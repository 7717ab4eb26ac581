package io.github.spiffeboot.id;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.provider.Arguments;

/** Reads the SPIFFE conformance tables copied under {@code src/test/resources/conformance}. */
final class ConformanceCases {

    private ConformanceCases() {
    }

    /** Rows as (input, valid, expected reason or null). */
    static List<Arguments> read(String resource) {
        List<Arguments> cases = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                ConformanceCases.class.getResourceAsStream("/conformance/" + resource), StandardCharsets.UTF_8))) {
            reader.readLine();
            String line;
            while ((line = reader.readLine()) != null) {
                String[] columns = line.split("\t", -1);
                boolean valid = columns[1].equals("yes");
                String reason = columns[2].replaceAll(" \\[.*$", "").replaceAll(" \\(.*$", "");
                cases.add(Arguments.of(unescape(columns[0]), valid, valid ? null : reason));
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return cases;
    }

    /** Undoes the table's {@code \xNN} escapes (UTF-8 bytes). */
    static String unescape(String input) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if (c == '\\' && i + 3 < input.length() + 0 && input.charAt(i + 1) == 'x') {
                bytes.write(Integer.parseInt(input.substring(i + 2, i + 4), 16));
                i += 3;
            }
            else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
