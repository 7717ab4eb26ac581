package io.github.spiffeboot.benchmarks.load;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StatisticsTests {

    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        assertThat(Statistics.median(List.of(0.9, 0.5, 0.55, 3.0, 0.52))).isEqualTo(0.55);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Statistics.median(List.of(0.4, 0.6, 0.5, 10.0))).isEqualTo(0.55);
    }

    @Test
    void medianOfNothingIsNotANumber() {
        assertThat(Statistics.median(List.of())).isNaN();
    }
}
