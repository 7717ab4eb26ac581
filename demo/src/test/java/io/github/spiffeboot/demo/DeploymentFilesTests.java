package io.github.spiffeboot.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Docker engine runs where this is built, so docker-compose.yml is checked for what can be checked
 * without one: it parses, and it agrees with the SPIRE entries and the samples' own configuration.
 */
class DeploymentFilesTests {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    @SuppressWarnings("unchecked")
    void composeRunsSpireAndBothSamplesEachUnderTheUidOfItsEntry() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services).containsKeys("spire-server", "spire-agent", "payment-service", "order-service");
        Map<String, String> uidByName = entries();
        assertThat(services.get("payment-service").get("user")).isEqualTo(uidByName.get("payment-service"));
        assertThat(services.get("order-service").get("user")).isEqualTo(uidByName.get("order-service"));
        for (String sample : List.of("payment-service", "order-service")) {
            List<String> volumes = (List<String>) services.get(sample).get("volumes");
            assertThat(volumes).anyMatch(volume -> volume.startsWith("./sample-" + sample + "/target/sample-" + sample
                    + "-exec.jar:"));
            Map<String, Object> environment = (Map<String, Object>) services.get(sample).get("environment");
            assertThat(environment.get("SPIFFE_ENDPOINT_SOCKET")).isEqualTo("unix:///run/spire/sockets/agent.sock");
        }
        assertThat(Files.readString(ROOT.resolve("deploy/spire/agent/agent.conf")))
            .contains("socket_path = \"/run/spire/sockets/agent.sock\"");
        assertThat(ROOT.resolve("deploy/spire/server/bootstrap.sh")).isExecutable();
        assertThat(ROOT.resolve("deploy/spire/agent/start.sh")).isExecutable();
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesEachSampleOnTheManagementPortItIsGiven() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services).containsKey("prometheus");
        Map<String, Object> prometheus = new Yaml().load(Files.readString(ROOT.resolve("deploy/prometheus/prometheus.yml")));
        String targets = String.valueOf(prometheus.get("scrape_configs"));
        for (String sample : List.of("payment-service", "order-service")) {
            Object port = ((Map<String, Object>) services.get(sample).get("environment")).get("MANAGEMENT_PORT");
            assertThat(targets).contains(sample + ":" + port);
        }
        assertThat(targets).contains("/actuator/prometheus");
    }

    @Test
    void theSamplesNameTheIdsThatSpireIssues() throws IOException {
        String payment = Files.readString(ROOT.resolve("sample-payment-service/src/main/resources/payment-service.yml"));
        String order = Files.readString(ROOT.resolve("sample-order-service/src/main/resources/order-service.yml"));
        Map<String, String> ids = ids();
        assertThat(payment).contains(ids.get("order-service")).contains(ids.get("subscription-service"));
        assertThat(order).contains(ids.get("payment-service")).contains(ids.get("storefront"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSpireEndToEndRunRepeatsEveryRuleOfPaymentService() throws IOException {
        // A list from a higher-precedence source replaces the sample's whole list: a rule the e2e file left
        // out would be denied under SPIRE only.
        Map<String, Object> sample = new Yaml()
            .load(Files.readString(ROOT.resolve("sample-payment-service/src/main/resources/payment-service.yml")));
        Map<String, Object> e2e = new Yaml().load(Files.readString(ROOT.resolve("e2e/spire/payment-service-e2e.yml")));
        java.util.List<Map<String, Object>> sampleRules = (java.util.List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>) sample
            .get("spiffe")).get("authz")).get("allowed-callers");
        java.util.List<Map<String, Object>> e2eRules = (java.util.List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>) e2e
            .get("spiffe")).get("authz")).get("allowed-callers");
        for (Map<String, Object> rule : sampleRules) {
            Map<String, Object> repeated = e2eRules.stream()
                .filter(candidate -> rule.get("name").equals(candidate.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("e2e/spire/payment-service-e2e.yml lacks the rule " + rule.get("name")));
            assertThat(repeated.get("path")).as(rule.get("name") + " path").isEqualTo(rule.get("path"));
            assertThat(repeated.get("grpc-method")).as(rule.get("name") + " grpc-method").isEqualTo(rule.get("grpc-method"));
            assertThat((java.util.List<Object>) repeated.get("ids")).as(rule.get("name") + " ids")
                .containsAll((java.util.List<Object>) rule.get("ids"));
        }
    }

    @Test
    void composeRunsTheSpireVersionAndConfigurationThatTheSpireEndToEndRunChecks() throws IOException {
        String build = Files.readString(ROOT.resolve("e2e/spire/build-spire.sh"));
        java.util.regex.Matcher pinned = java.util.regex.Pattern.compile("SPIRE_VERSION:-v([0-9.]+)").matcher(build);
        assertThat(pinned.find()).isTrue();
        String version = pinned.group(1);
        assertThat(Files.readString(ROOT.resolve("deploy/spire/server/Dockerfile")))
            .contains("ghcr.io/spiffe/spire-server:" + version + " ");
        assertThat(Files.readString(ROOT.resolve("deploy/spire/agent/Dockerfile")))
            .contains("ghcr.io/spiffe/spire-agent:" + version + " ");
        // The e2e renders these very files (values substituted), so compose and CI run one configuration.
        String e2e = Files.readString(ROOT.resolve("e2e/spire/run.sh"));
        assertThat(e2e).contains("render deploy/spire/server/server.conf").contains("render deploy/spire/agent/agent.conf")
            .contains("deploy/spire/entries.txt");
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
        assertThat(compose).contains("./deploy/spire/server/server.conf:/opt/spire/conf/server/server.conf")
            .contains("./deploy/spire/agent/agent.conf:/opt/spire/conf/agent/agent.conf");
        // A restart keeps the server's CA and the agent's key, as the e2e's outage and agent restart need.
        assertThat(Files.readString(ROOT.resolve("deploy/spire/server/server.conf"))).contains("KeyManager \"disk\"");
        assertThat(Files.readString(ROOT.resolve("deploy/spire/agent/agent.conf"))).contains("KeyManager \"disk\"");
    }

    /** Workload name (last path segment of the ID) to uid, from entries.txt. */
    private static Map<String, String> entries() throws IOException {
        Map<String, String> uids = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : read().entrySet()) {
            uids.put(entry.getKey().substring(entry.getKey().lastIndexOf('/') + 1),
                    entry.getValue().substring("unix:uid:".length()));
        }
        return uids;
    }

    private static Map<String, String> ids() throws IOException {
        Map<String, String> ids = new LinkedHashMap<>();
        read().keySet().forEach(id -> ids.put(id.substring(id.lastIndexOf('/') + 1), id));
        return ids;
    }

    private static Map<String, String> read() throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        for (String line : Files.readAllLines(ROOT.resolve("deploy/spire/entries.txt"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] parts = line.trim().split("\\s+");
                entries.put(parts[0], parts[1]);
            }
        }
        return entries;
    }
}
