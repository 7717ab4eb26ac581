package io.github.spiffeboot.benchmarks.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.github.spiffeboot.sample.payments.v1.ChargeRequest;
import io.github.spiffeboot.sample.payments.v1.PaymentReply;
import io.github.spiffeboot.sample.payments.v1.PaymentsGrpc;
import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.TestGrpcChannel;
import io.grpc.StatusRuntimeException;

/**
 * The gRPC load driver: {@code concurrency} threads calling {@code payments.v1.Payments/Charge} as
 * order-service, each blocking on its call, spread over a few HTTP/2 connections (gRPC multiplexes calls on
 * a connection, as a service's client channel does), for a fixed time. The same request for every server.
 */
final class GrpcDriver {

    /** HTTP/2 connections per run: calls multiplex over them. */
    static final int CONNECTIONS = 4;

    static final ChargeRequest REQUEST = ChargeRequest.newBuilder().setOrderId("load-1").setAmount(42).build();

    /**
     * What one run did.
     *
     * @param calls calls answered OK
     * @param failures calls that failed
     * @param seconds how long the calls ran
     * @param sample the first answer (to show which caller the server saw)
     * @param firstFailure the first failure, or {@code null}
     */
    record Result(long calls, long failures, double seconds, String sample, String firstFailure) {

        double callsPerSecond() {
            return calls / seconds;
        }
    }

    private final SpiffeTestClient client;

    GrpcDriver(BenchmarkPki pki) {
        this.client = SpiffeTestClient.withSvid(pki.order(), List.of(pki.authority().certificate()));
    }

    Result run(int port, int concurrency, Duration length) throws InterruptedException {
        List<TestGrpcChannel> channels = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            channels.add(client.grpc(port));
        }
        try {
            // Every connection's handshake before the clock starts: the run measures calls, not handshakes.
            PaymentReply first = null;
            for (TestGrpcChannel channel : channels) {
                first = channel.call(PaymentsGrpc.getChargeMethod(), REQUEST);
            }
            AtomicLong calls = new AtomicLong();
            AtomicLong failures = new AtomicLong();
            AtomicReference<String> firstFailure = new AtomicReference<>();
            long start = System.nanoTime();
            long end = start + length.toNanos();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                TestGrpcChannel channel = channels.get(i % CONNECTIONS);
                Thread thread = new Thread(() -> {
                    long ok = 0;
                    while (System.nanoTime() < end) {
                        try {
                            channel.call(PaymentsGrpc.getChargeMethod(), REQUEST);
                            ok++;
                        }
                        catch (StatusRuntimeException ex) {
                            failures.incrementAndGet();
                            firstFailure.compareAndSet(null, ex.getStatus().toString());
                        }
                    }
                    calls.addAndGet(ok);
                }, "grpc-load-" + i);
                thread.start();
                threads.add(thread);
            }
            for (Thread thread : threads) {
                thread.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Result(calls.get(), failures.get(), seconds,
                    "status=" + first.getStatus() + " caller=" + (first.getCaller().isEmpty() ? "(none)" : first.getCaller()),
                    firstFailure.get());
        }
        finally {
            channels.forEach(TestGrpcChannel::close);
        }
    }
}
