package io.github.spiffeboot.testapp;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * Endpoints of every kind a response can come from (plain, async through {@link Callable} and
 * {@link DeferredResult}, a failing handler) and a count of the HTTP sessions the server created, for
 * the tests that prove the security chain is stateless.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class StatelessProbeApplication {

    @Bean
    SessionCounter sessionCounter() {
        return new SessionCounter();
    }

    @RestController
    static class Endpoints {

        @GetMapping("/api/me")
        String me(Authentication authentication) {
            return authentication.getName();
        }

        @GetMapping("/api/callable")
        Callable<String> callable() {
            // Runs on another thread; the identity must reach it, and the async dispatch must be authorized.
            return () -> "callable " + SecurityContextHolder.getContext().getAuthentication().getName();
        }

        @GetMapping("/api/deferred")
        DeferredResult<String> deferred(Authentication authentication) {
            DeferredResult<String> result = new DeferredResult<>(5_000L);
            CompletableFuture.runAsync(() -> result.setResult("deferred " + authentication.getName()));
            return result;
        }

        @GetMapping("/api/boom")
        String boom() {
            throw new IllegalStateException("boom");
        }
    }

    /** Counts HTTP sessions the servlet container created. */
    public static class SessionCounter implements HttpSessionListener {

        private final AtomicInteger created = new AtomicInteger();

        @Override
        public void sessionCreated(HttpSessionEvent event) {
            created.incrementAndGet();
        }

        public int created() {
            return created.get();
        }
    }
}
