package io.github.spiffeboot.benchmarks.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Scratch: the load benchmark's PKI and development Workload API (PT1H SVIDs), kept running until killed. */
public final class ProfileSetup {
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path logs = Files.createDirectories(work.resolve("logs"));
        BenchmarkPki pki = BenchmarkPki.create(work);
        WorkloadApiProbe probe = new WorkloadApiProbe();
        DevWorkloadApiProcess api = new DevWorkloadApiProcess(work, logs, probe);
        api.start(Duration.ofHours(1));
        System.out.println("READY " + api.address() + " ab=" + pki.abClientFile(BenchmarkPki.ORDER_CLIENT));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { try { api.stop(); } catch (InterruptedException e) { } }));
        Thread.sleep(Long.MAX_VALUE);
    }
}
