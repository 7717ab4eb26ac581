package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request with {@code curl -sv} and a client certificate, to see what a server answers and whether the
 * answer carries {@code Set-Cookie} (a stateless mTLS API has no reason to). {@code -k}: the probe looks at
 * the response, not at the server's identity (SVIDs carry no DNS name for curl to check).
 */
final class CookieProbe {

    private static final Pattern STATUS = Pattern.compile("(?m)^< HTTP/\\S+ (\\d{3})");

    private static final Pattern SET_COOKIE = Pattern.compile("(?mi)^< Set-Cookie:\\s*([^=;\\s]+)");

    private static final Pattern TLS = Pattern.compile("(?m)^\\* SSL connection using (\\S+) / (\\S+)");

    private CookieProbe() {
    }

    /**
     * The outcome of one probe.
     *
     * @param request what was asked, for example {@code POST /api/payments/charge as order-service}
     * @param status the HTTP status, or 0 when no HTTP answer came (for example a handshake refused)
     * @param setCookies names of the cookies set, empty when none
     * @param tls protocol and cipher, empty when unknown
     * @param error curl's error when there was no HTTP answer
     */
    record Result(String request, int status, List<String> setCookies, String tls, String error) {

        String outcome() {
            return (status != 0) ? String.valueOf(status) : "no HTTP answer: " + error;
        }
    }

    static Result probe(int port, String method, String path, String client, Path certificate, Path key, Path body)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-v", "-k", "--max-time", "15", "--http1.1",
                "--cert", certificate.toString(), "--key", key.toString(), "-X", method, "-o", "/dev/null"));
        if (body != null) {
            command.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", "@" + body));
        }
        command.add("https://127.0.0.1:" + port + path);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("curl did not finish: " + String.join(" ", command));
        }
        return parse(method + " " + path + " as " + client, output, process.exitValue());
    }

    static Result parse(String request, String output, int exitCode) {
        Matcher status = STATUS.matcher(output);
        List<String> cookies = new ArrayList<>();
        Matcher cookie = SET_COOKIE.matcher(output);
        while (cookie.find()) {
            cookies.add(cookie.group(1));
        }
        Matcher tls = TLS.matcher(output);
        String protocol = tls.find() ? tls.group(1) + " " + tls.group(2) : "";
        if (status.find()) {
            return new Result(request, Integer.parseInt(status.group(1)), cookies, protocol, "");
        }
        String error = output.lines().filter(line -> line.startsWith("curl: (")).findFirst()
            .orElse("curl exit " + exitCode);
        return new Result(request, 0, cookies, protocol, error);
    }
}
