package io.github.spiffeboot.benchmarks.load;

import java.util.List;

/** The one statistic the reports use. */
final class Statistics {

    private Statistics() {
    }

    /** The median (the mean of the two middle values for an even count); NaN for no values. */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int middle = sorted.length / 2;
        return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
