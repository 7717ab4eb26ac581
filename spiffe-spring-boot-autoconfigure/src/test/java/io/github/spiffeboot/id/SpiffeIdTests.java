package io.github.spiffeboot.id;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpiffeIdTests {

    static List<Arguments> spiffeIdCases() {
        return ConformanceCases.read("spiffeid_cases.tsv");
    }

    static List<Arguments> trustDomainCases() {
        return ConformanceCases.read("trustdomain_cases.tsv");
    }

    @ParameterizedTest(name = "[{index}] {0} valid={1}")
    @MethodSource("spiffeIdCases")
    void parsesExactlyWhatTheSpiffeIdStandardAccepts(String input, boolean valid, String reason) {
        if (valid) {
            SpiffeId id = SpiffeId.parse(input);
            assertThat(id.toString()).isEqualTo(input);
        }
        else {
            assertThatThrownBy(() -> SpiffeId.parse(input)).isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessage(reason);
        }
    }

    @ParameterizedTest(name = "[{index}] {0} valid={1}")
    @MethodSource("trustDomainCases")
    void parsesTrustDomainsAsTheStandardDoes(String input, boolean valid, String reason) {
        if (valid) {
            assertThat(TrustDomain.parse(input).name()).isNotEmpty();
        }
        else {
            assertThatThrownBy(() -> TrustDomain.parse(input)).isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessage(reason);
        }
    }

    @Test
    void splitsTrustDomainAndPath() {
        SpiffeId id = SpiffeId.parse("spiffe://example.org/ns/production/sa/payment-service");
        assertThat(id.trustDomain()).isEqualTo(new TrustDomain("example.org"));
        assertThat(id.path()).isEqualTo("/ns/production/sa/payment-service");
        assertThat(id.isRoot()).isFalse();
        assertThat(SpiffeId.parse("spiffe://example.org").isRoot()).isTrue();
    }

    @Test
    void rejectsWhatJavaSpiffeWouldRepair() {
        // java-spiffe lower-cases these; a strict parser must not, or "equal" IDs would differ as strings.
        assertThatThrownBy(() -> SpiffeId.parse("SPIFFE://example.org/a")).hasMessage("scheme is missing or invalid");
        assertThatThrownBy(() -> SpiffeId.parse("spiffe://Example.org/a"))
            .hasMessageContaining("trust domain characters");
    }

    @Test
    void rejectsTrustDomainsLongerThan255Bytes() {
        assertThatThrownBy(() -> SpiffeId.parse("spiffe://" + "a".repeat(256) + "/x"))
            .isInstanceOf(InvalidSpiffeIdException.class)
            .hasMessageContaining("255");
    }
}
