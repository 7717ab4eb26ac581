package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.util.List;

/**
 * Where the processes of a run may execute. Unpinned (the default), servers and the load driver share every
 * core. Pinned ({@code --pin}), each server runs on CPU 1 only, and ab, the development Workload API and this
 * harness on CPU 0: the driver's own handshakes (a full client handshake per new connection) then cannot eat
 * the CPU a faster server frees, so connections per second measure the server's handshake capacity on one
 * core rather than the driver's.
 */
record CpuPinning(boolean pinned) {

    static final String SERVER_CPU = "1";

    static final String DRIVER_CPU = "0";

    static CpuPinning of(boolean pin) {
        return new CpuPinning(pin);
    }

    /** The command prefix that runs a server where it belongs. */
    List<String> server() {
        return pinned ? List.of("taskset", "-c", SERVER_CPU) : List.of();
    }

    /** The command prefix that runs the load driver (and the Workload API) where it belongs. */
    List<String> driver() {
        return pinned ? List.of("taskset", "-c", DRIVER_CPU) : List.of();
    }

    /**
     * Moves every thread of this harness onto the driver's CPU, and checks that pinning can work here.
     * @throws IllegalStateException with fewer than two CPUs or without {@code taskset}
     */
    void pinHarness() throws IOException, InterruptedException {
        if (!pinned) {
            return;
        }
        if (Runtime.getRuntime().availableProcessors() < 2) {
            throw new IllegalStateException("--pin needs at least two CPUs, this machine offers "
                    + Runtime.getRuntime().availableProcessors());
        }
        Process process = new ProcessBuilder("taskset", "-a", "-p", "-c", DRIVER_CPU,
                String.valueOf(ProcessHandle.current().pid())).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("--pin needs taskset (util-linux): " + output.trim());
        }
    }

    /** One line for the report. */
    String describe() {
        return pinned ? "pinned: each server on CPU " + SERVER_CPU + " only; ab, the development Workload API and the "
                + "harness on CPU " + DRIVER_CPU + " (`--pin`)"
                : "unpinned: servers and ab share every core";
    }
}
