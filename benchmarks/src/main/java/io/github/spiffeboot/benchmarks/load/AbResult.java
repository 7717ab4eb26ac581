package io.github.spiffeboot.benchmarks.load;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one {@code ab} run reported.
 *
 * @param complete completed requests
 * @param failed failed requests (connect, receive, length, exceptions)
 * @param non2xx responses with a status other than 2xx
 * @param keepAliveRequests requests that reused a connection
 * @param seconds the run's length
 * @param requestsPerSecond completed requests per second
 * @param tls protocol and cipher, as ab reports them (empty for plain HTTP)
 */
record AbResult(long complete, long failed, long non2xx, long keepAliveRequests, double seconds,
        double requestsPerSecond, String tls) {

    private static final Pattern COMPLETE = Pattern.compile("(?m)^Complete requests:\\s+(\\d+)");

    private static final Pattern FAILED = Pattern.compile("(?m)^Failed requests:\\s+(\\d+)");

    private static final Pattern NON_2XX = Pattern.compile("(?m)^Non-2xx responses:\\s+(\\d+)");

    private static final Pattern KEEP_ALIVE = Pattern.compile("(?m)^Keep-Alive requests:\\s+(\\d+)");

    private static final Pattern SECONDS = Pattern.compile("(?m)^Time taken for tests:\\s+([0-9.]+) seconds");

    private static final Pattern RATE = Pattern.compile("(?m)^Requests per second:\\s+([0-9.]+)");

    /** For example {@code TLSv1.3,TLS_AES_256_GCM_SHA384,256,256}: the protocol and the cipher are kept. */
    private static final Pattern TLS = Pattern.compile("(?m)^SSL/TLS Protocol:\\s+([^,\\s]+),([^,\\s]+)");

    /** Reads ab's report; fails when a line the benchmark relies on is missing. */
    static AbResult parse(String output) {
        return new AbResult(number(COMPLETE, output, true), number(FAILED, output, true),
                // ab prints these two lines only when they are not zero.
                number(NON_2XX, output, false), number(KEEP_ALIVE, output, false),
                Double.parseDouble(text(SECONDS, output, true)), Double.parseDouble(text(RATE, output, true)),
                tls(output));
    }

    /** Requests that did not succeed: failed ones and non-2xx answers. */
    long unsuccessful() {
        return failed + non2xx;
    }

    private static String tls(String output) {
        Matcher matcher = TLS.matcher(output);
        return matcher.find() ? matcher.group(1) + " " + matcher.group(2) : "";
    }

    private static long number(Pattern pattern, String output, boolean required) {
        String value = text(pattern, output, required);
        return value.isEmpty() ? 0 : Long.parseLong(value);
    }

    private static String text(Pattern pattern, String output, boolean required) {
        Matcher matcher = pattern.matcher(output);
        if (matcher.find()) {
            return matcher.group(1);
        }
        if (required) {
            throw new IllegalArgumentException("ab's output has no line matching " + pattern + ":\n" + output);
        }
        return "";
    }
}
