package io.github.spiffeboot.testapp;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.tls.PeerRejectionListener;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A minimal web application for the starter's integration tests: {@code GET /whoami} answers with the
 * URI SAN of the client certificate Tomcat saw, or {@code anonymous}; {@code GET /caller} with the
 * authenticated caller and its credential ({@code x509-svid} or {@code jwt-svid}).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class EchoApplication {

    /** Also the entry point Spring Boot's AOT processing runs. */
    public static void main(String[] args) {
        org.springframework.boot.SpringApplication.run(EchoApplication.class, args);
    }

    @Bean
    RecordedRejections recordedRejections() {
        return new RecordedRejections();
    }

    @RestController
    static class WhoAmI {

        @GetMapping("/whoami")
        String whoami(HttpServletRequest request) throws Exception {
            X509Certificate[] chain = (X509Certificate[]) request
                .getAttribute("jakarta.servlet.request.X509Certificate");
            if (chain == null) {
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

    /** Answers with the caller Spring Security authenticated and the credential that proved it. */
    @RestController
    static class Caller {

        @GetMapping("/caller")
        String caller(org.springframework.security.core.Authentication authentication) {
            return (authentication instanceof io.github.spiffeboot.security.SpiffeAuthentication spiffe)
                    ? spiffe.getName() + " " + spiffe.getCredentialType().label() : "none";
        }
    }

    /** Answers with the serial of the client certificate of this connection, and closes the connection. */
    @RestController
    static class ClientSerial {

        @GetMapping("/client-serial")
        String clientSerial(HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response) {
            response.setHeader("Connection", "close");
            X509Certificate[] chain = (X509Certificate[]) request
                .getAttribute("jakarta.servlet.request.X509Certificate");
            return (chain != null) ? chain[0].getSerialNumber().toString(16) : "none";
        }
    }

    /** Keeps the reasons the server's trust manager gave for rejected peers. */
    public static class RecordedRejections implements PeerRejectionListener {

        private final List<SvidVerificationException> rejections = new CopyOnWriteArrayList<>();

        @Override
        public void rejected(SvidVerificationException rejection) {
            rejections.add(rejection);
        }

        public List<SvidVerificationException> all() {
            return rejections;
        }

        public void clear() {
            rejections.clear();
        }
    }
}
