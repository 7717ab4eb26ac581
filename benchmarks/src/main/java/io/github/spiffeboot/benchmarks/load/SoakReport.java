package io.github.spiffeboot.benchmarks.load;

import java.util.List;

import io.github.spiffeboot.benchmarks.load.Soak.Sample;
import io.github.spiffeboot.benchmarks.load.SoakVerdict.Check;

/** The soak's section of BENCHMARKS.md: how it was run, the verdict per criterion, every sample. */
final class SoakReport {

    private SoakReport() {
    }

    static String markdown(LoadOptions options, String command, Machine machine, String loadAverageAtEnd,
            Soak.Results results, List<Check> checks) {
        boolean passed = SoakVerdict.passed(checks);
        StringBuilder md = new StringBuilder();
        md.append("## Soak: the starter under load through a Workload API restart and SVID rotation\n\n");
        if (options.smoke()) {
            md.append("> **SMOKE RUN, not the final numbers.** Phases of ").append(options.soakDuration())
                .append(" instead of 10 minutes, on a machine shared with other builds: this proves the harness end to end. ")
                .append("The full soak is `benchmarks/load.sh --soak`.\n\n");
        }
        md.append("**Verdict: ").append(passed ? "PASS" : "FAIL").append("**")
            .append(passed ? "" : " (failed: " + String.join(", ", checks.stream().filter(check -> !check.passed())
                .map(Check::name).toList()) + ")")
            .append(".\n\n");
        md.append("Run ").append(machine.started()).append(" with `").append(command).append("` at commit ")
            .append(machine.commit()).append(".\n\n");
        md.append("- Machine: ").append(machine.processors()).append(" cores, ").append(machine.cpuModel())
            .append(", kernel ").append(machine.kernel()).append("; load average at start `").append(machine.loadAverage())
            .append("`, at end `").append(loadAverageAtEnd).append("`. JDK: ").append(machine.java()).append(".\n");
        md.append("- Server: `").append(Peer.STARTER.jar()).append("` (pid ").append(results.pid()).append("), `java ")
            .append(String.join(" ", options.jvmFlags())).append(" -jar <jar> ")
            .append(String.join(" ", ServerLauncher.SERVER_ARGUMENTS)).append("`, fed by the development Workload API ")
            .append("(`DevWorkloadApi`, its own process, CA kept in its directory).\n");
        md.append("- Load: ").append(machine.ab()).append(", two ab processes at once, ").append(options.concurrency() / 2)
            .append(" concurrent keep-alive requests and ").append(options.concurrency() - options.concurrency() / 2)
            .append(" with a new connection each, POST ").append(ApacheBench.PATH).append(" as order-service, in chunks of ")
            .append(options.sampleEvery().toSeconds()).append(" s; after each chunk a sample. Warm-up first: ")
            .append(options.warmupKeepAlive()).append(" keep-alive requests, then ").append(options.warmupNewConnections())
            .append(" on new connections.\n");
        md.append("- Phases of ").append(options.soakDuration()).append(" each, in this order: **restart**, SVID lifetime ")
            .append(options.restartTtl()).append(", the Workload API stopped (SIGTERM) half-way and started again on the same ")
            .append("socket with the same CA after ").append(options.restartDowntime()).append(" plus its start-up (load goes on ")
            .append("until it serves again); **switch**, the Workload API restarted with SVID lifetime ")
            .append(options.rotationTtl()).append(" until the server presents the SVID it issues; **rotation**, SVIDs rotated ")
            .append("at half of ").append(options.rotationTtl()).append(". Restart first, with long-lived SVIDs: a restart ")
            .append("slowed by a busy machine must not outlast the SVID in use (SPIRE's live an hour), or the soak would ")
            .append("measure the clock, not the starter.\n");
        md.append("- Served certificates: every ").append(options.certificateSampleEvery())
            .append(", the SVID the Workload API issues now (gRPC FetchX509SVID) and the certificate the server presents ")
            .append("(a Java mTLS handshake as order-service that verifies it against the bundle, validity included).\n");
        md.append("- Samples: heap used after a full GC (`jcmd GC.run`, `GC.heap_info`), threads (`/proc/<pid>/status`), ")
            .append("open descriptors (`/proc/<pid>/fd`), HTTP sessions (Tomcat's meters on `/actuator/prometheus`).\n\n");

        md.append("### Criteria\n\n");
        md.append("| criterion | bound | measured | |\n| --- | --- | --- | --- |\n");
        for (Check check : checks) {
            md.append("| ").append(check.name()).append(" | ").append(check.bound()).append(" | ")
                .append(check.measured().replace("|", "\\|")).append(" | ").append(check.passed() ? "pass" : "**FAIL**")
                .append(" |\n");
        }

        md.append("\n### Samples\n\n");
        md.append("| t (s) | phase | requests | unsuccessful | heap after GC (MiB) | threads | open fds | sessions open | sessions created | certificates presented | Workload API |\n");
        md.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (Sample sample : results.samples()) {
            md.append(String.format("| %d | %s | %d | %d | %.1f | %d | %d | %d | %d | %d | %s |%n", sample.at(),
                    sample.phase(), sample.requests(), sample.unsuccessful(), sample.heapAfterGc() / 1048576.0,
                    sample.threads(), sample.fileDescriptors(), sample.sessions().active(), sample.sessions().created(),
                    sample.servedCertificates(), sample.events()));
        }

        md.append("\n### Rotations\n\n");
        for (ServedCertificateWatch.Summary rotation : results.rotations()) {
            md.append("- ").append(rotation.phase()).append(": ").append(rotation.samples()).append(" samples; ")
                .append(rotation.issued()).append(" SVIDs issued, ").append(rotation.served())
                .append(" certificates presented; Workload API down in ").append(rotation.apiDown()).append(" samples");
            if (!rotation.missed().isEmpty()) {
                md.append("; **never presented**: ").append(rotation.missed().stream().map(serial -> serial.toString(16)).toList());
            }
            if (!rotation.failures().isEmpty()) {
                md.append("; **failed handshakes**: ").append(rotation.failures().size()).append(", first: ")
                    .append(rotation.failures().get(0).replace("|", "\\|"));
            }
            if (rotation.wrongIdentity() > 0) {
                md.append("; **wrong identity** in ").append(rotation.wrongIdentity()).append(" samples");
            }
            md.append(".\n");
        }
        return md.toString();
    }
}
