package io.github.spiffeboot.test.spring;

import io.github.spiffeboot.test.TestWorkloadApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.aot.AbstractAotProcessor;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code @WithSpiffeIdentity} does to a test's application context. */
class SpiffeTestContextCustomizerTests {

    private final SpiffeTestContextCustomizer customizer = new SpiffeTestContextCustomizer(
            "spiffe://example.org/ns/production/sa/payment-service", "PT1H", false);

    @AfterEach
    void clearAotProcessing() {
        System.clearProperty(AbstractAotProcessor.AOT_PROCESSING);
    }

    @Test
    void startsAWorkloadApiForTheContextAndStopsItWithTheContext() {
        GenericApplicationContext context = new GenericApplicationContext();
        customizer.customizeContext(context, null);
        context.refresh();
        TestWorkloadApi workloadApi = context.getBean(TestWorkloadApi.class);
        assertThat(workloadApi.isRunning()).isTrue();
        assertThat(context.getEnvironment().getProperty("spiffe.workload-api.socket"))
            .isEqualTo(workloadApi.socketAddress());
        context.close();
        assertThat(workloadApi.isRunning()).isFalse();
    }

    @Test
    void startsNoWorkloadApiWhileTheTestIsProcessedAheadOfTime() {
        // process-test-aot refreshes the context but never closes it: an agent would keep that JVM alive.
        System.setProperty(AbstractAotProcessor.AOT_PROCESSING, "true");
        try (GenericApplicationContext context = new GenericApplicationContext()) {
            customizer.customizeContext(context, null);
            context.refresh();
            assertThat(context.getBeansOfType(TestWorkloadApi.class)).isEmpty();
            assertThat(context.getEnvironment().getProperty("spiffe.workload-api.socket")).isNull();
        }
    }
}
