package io.github.spiffeboot.benchmarks.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.spiffeboot.benchmarks.load.Soak.Sample;

/**
 * The soak's pass criteria, each with its bound and what was measured. The bounds compare the last sample
 * with the first one taken after the warm-up: the soak fails on growth that does not come back after a full
 * GC, not on the swings of a busy machine.
 */
final class SoakVerdict {

    /** Heap after GC may grow by this share of the first sample... */
    static final double HEAP_GROWTH_SHARE = 0.20;

    /** ...or by this many bytes, whichever is larger (a small heap's share would be within GC noise). */
    static final long HEAP_GROWTH_BYTES = 32L * 1024 * 1024;

    /** Tomcat's pool and the Workload API client may start a few threads late; a leak per connection or rotation would not stay this small. */
    static final int THREAD_GROWTH = 10;

    /** Descriptors: twice the concurrency would be every load connection left open. */
    static final int FILE_DESCRIPTOR_GROWTH = 32;

    /** Rotations actually seen must reach this share of those the SVID lifetime implies, or the check proves nothing. */
    static final double ROTATIONS_SEEN_SHARE = 0.8;

    /**
     * One criterion.
     *
     * @param name what it checks
     * @param bound the bound, in words
     * @param measured what was measured
     * @param passed whether it holds
     */
    record Check(String name, String bound, String measured, boolean passed) {
    }

    private SoakVerdict() {
    }

    static List<Check> checks(Soak.Results results, LoadOptions options) {
        List<Check> checks = new ArrayList<>();
        List<Sample> samples = results.samples();
        Sample first = samples.get(0);
        Sample last = samples.get(samples.size() - 1);

        checks.add(new Check("no failed requests", "0 failed, 0 non-2xx, no ab run broken off",
                last.unsuccessful() + " unsuccessful of " + last.requests()
                        + (results.loadErrors().isEmpty() ? "" : "; " + String.join("; ", results.loadErrors())),
                last.unsuccessful() == 0 && results.loadErrors().isEmpty() && last.requests() > 0));

        long maxOpen = samples.stream().mapToLong(sample -> sample.sessions().active()).max().orElse(0);
        long created = last.sessions().created();
        checks.add(new Check("no HTTP sessions", "0 open at every sample, 0 created",
                "at most " + maxOpen + " open, " + created + " created", maxOpen == 0 && created == 0));

        long allowedHeap = Math.max((long) (first.heapAfterGc() * HEAP_GROWTH_SHARE), HEAP_GROWTH_BYTES);
        checks.add(new Check("heap after GC flat",
                String.format("last ≤ first + max(%.0f %%, %d MiB) = %.1f MiB", HEAP_GROWTH_SHARE * 100,
                        HEAP_GROWTH_BYTES / 1048576, (first.heapAfterGc() + allowedHeap) / 1048576.0),
                String.format("first %.1f MiB, last %.1f MiB", first.heapAfterGc() / 1048576.0, last.heapAfterGc() / 1048576.0),
                last.heapAfterGc() <= first.heapAfterGc() + allowedHeap));

        checks.add(new Check("threads flat", "last ≤ first + " + THREAD_GROWTH,
                "first " + first.threads() + ", last " + last.threads(), last.threads() <= first.threads() + THREAD_GROWTH));

        checks.add(new Check("file descriptors flat", "last ≤ first + " + FILE_DESCRIPTOR_GROWTH,
                "first " + first.fileDescriptors() + ", last " + last.fileDescriptors(),
                last.fileDescriptors() <= first.fileDescriptors() + FILE_DESCRIPTOR_GROWTH));

        checks.add(new Check("caught up after the switch to short-lived SVIDs",
                "presents the newly issued SVID within 60 s of the Workload API's restart",
                (results.switchFailure() == null) ? "yes" : results.switchFailure(), results.switchFailure() == null));

        for (ServedCertificateWatch.Summary rotation : results.rotations()) {
            Duration ttl = Soak.ROTATION.equals(rotation.phase()) ? options.rotationTtl() : options.restartTtl();
            double expected = (double) options.soakDuration().toMillis() / (ttl.toMillis() / 2.0);
            int needed = (int) Math.max(2, Math.floor(ROTATIONS_SEEN_SHARE * expected));
            checks.add(new Check("every rotation served (" + rotation.phase() + ")",
                    "SVIDs issued ≥ " + needed + " (" + Math.round(ROTATIONS_SEEN_SHARE * 100) + " % of " + Math.round(expected)
                            + " expected at half of " + ttl + "); each issued SVID seen twice was presented; presented ≥ issued - 1; "
                            + "every handshake verified; always payment-service's ID",
                    rotation.issued() + " issued, " + rotation.served() + " presented, missed " + rotation.missed().size()
                            + ", failed handshakes " + rotation.failures().size() + ", wrong ID " + rotation.wrongIdentity()
                            + " (" + rotation.samples() + " samples, Workload API down in " + rotation.apiDown() + ")",
                    rotation.issued() >= needed && rotation.missed().isEmpty() && rotation.served() >= rotation.issued() - 1
                            && rotation.failures().isEmpty() && rotation.wrongIdentity() == 0));
        }
        return checks;
    }

    static boolean passed(List<Check> checks) {
        return checks.stream().allMatch(Check::passed);
    }
}
