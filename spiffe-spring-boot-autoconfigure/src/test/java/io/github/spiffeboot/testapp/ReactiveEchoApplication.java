package io.github.spiffeboot.testapp;

import java.security.cert.X509Certificate;

import io.github.spiffeboot.testapp.EchoApplication.RecordedRejections;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The WebFlux counterpart of {@link EchoApplication}: {@code GET /whoami} answers with the URI SAN of the
 * client certificate the server saw, or {@code anonymous}. Started as a reactive application (Spring MVC is
 * on the test class path too).
 */
@SpringBootConfiguration
// Tomcat is on the test class path too (for the servlet tests); its reactive management server would clash
// with Netty's. A WebFlux application has Reactor Netty only.
@EnableAutoConfiguration(excludeName = "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatReactiveManagementContextAutoConfiguration")
public class ReactiveEchoApplication {

    public static SpringApplicationBuilder builder(Class<?>... more) {
        Class<?>[] sources = new Class<?>[more.length + 1];
        sources[0] = ReactiveEchoApplication.class;
        System.arraycopy(more, 0, sources, 1, more.length);
        return new SpringApplicationBuilder(sources).properties("spring.main.web-application-type=reactive",
                "server.port=0", "spring.main.banner-mode=off", "spiffe.authz.default-policy=authenticated");
    }

    @Bean
    RecordedRejections recordedRejections() {
        return new RecordedRejections();
    }

    @RestController
    static class WhoAmI {

        @GetMapping("/whoami")
        String whoami(ServerHttpRequest request) throws Exception {
            SslInfo ssl = request.getSslInfo();
            X509Certificate[] chain = (ssl != null) ? ssl.getPeerCertificates() : null;
            if (chain == null || chain.length == 0) {
                return "anonymous";
            }
            return chain[0].getSubjectAlternativeNames()
                .stream()
                .filter(name -> Integer.valueOf(6).equals(name.get(0)))
                .map(name -> (String) name.get(1))
                .findFirst()
                .orElse("no-uri");
        }
    }
}
