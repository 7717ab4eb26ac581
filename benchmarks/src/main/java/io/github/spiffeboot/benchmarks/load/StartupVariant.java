package io.github.spiffeboot.benchmarks.load;

import java.util.List;

/**
 * One way of starting a server, measured the same way for the starter and for plain Boot TLS.
 *
 * @param key short name, for logs and file names
 * @param title the row's name in the report
 * @param jdk25 whether the server runs on JDK 25 (else the JDK that runs the benchmark)
 * @param extracted whether the server runs from the extracted jar ({@code java -Djarmode=tools -jar app.jar
 * extract}), which CDS and the AOT cache need, or from the fat jar
 * @param springAot whether the server runs in Spring AOT mode ({@code -Dspring.aot.enabled=true})
 * @param cache the class cache a training run builds first
 */
record StartupVariant(String key, String title, boolean jdk25, boolean extracted, boolean springAot, Cache cache) {

    /** What a training run ({@code -Dspring.context.exit=onRefresh}) leaves for the measured runs. */
    enum Cache {

        NONE,

        /** A dynamic CDS archive: {@code -XX:ArchiveClassesAtExit} to train, {@code -XX:SharedArchiveFile} to use. */
        CDS,

        /** JDK 25's AOT cache (JEP 483/514): {@code -XX:AOTCacheOutput} to train, {@code -XX:AOTCache} to use. */
        AOT_CACHE
    }

    static final List<StartupVariant> ALL = List.of(
            new StartupVariant("jvm", "JVM, fat jar (`java -jar`)", false, false, false, Cache.NONE),
            new StartupVariant("extracted", "JVM, extracted jar", false, true, false, Cache.NONE),
            new StartupVariant("spring-aot", "Spring AOT mode, extracted", false, true, true, Cache.NONE),
            new StartupVariant("cds", "CDS archive, extracted", false, true, false, Cache.CDS),
            new StartupVariant("cds-spring-aot", "CDS archive + Spring AOT mode", false, true, true, Cache.CDS),
            new StartupVariant("jdk25", "JDK 25, extracted jar", true, true, false, Cache.NONE),
            new StartupVariant("jdk25-aot-cache", "JDK 25 AOT cache, extracted", true, true, false, Cache.AOT_CACHE),
            new StartupVariant("jdk25-aot-cache-spring-aot", "JDK 25 AOT cache + Spring AOT mode", true, true, true,
                    Cache.AOT_CACHE));

    /** The variants with these keys, in the order given. */
    static List<StartupVariant> named(List<String> keys) {
        return keys.stream()
            .map(key -> ALL.stream()
                .filter(variant -> variant.key().equals(key.trim()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no variant " + key + "; known: "
                        + String.join(",", ALL.stream().map(StartupVariant::key).toList()))))
            .toList();
    }

    /** The JVM options of a measured run, given the cache file its training run wrote. */
    List<String> runOptions(java.nio.file.Path cacheFile) {
        List<String> options = new java.util.ArrayList<>(springAotOptions());
        switch (cache) {
            // 'on': a cache that cannot be used fails the run instead of silently measuring without it.
            case CDS -> options.addAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + cacheFile));
            case AOT_CACHE -> options.addAll(List.of("-XX:AOTMode=on", "-XX:AOTCache=" + cacheFile));
            case NONE -> {
            }
        }
        return options;
    }

    /** The JVM options of the training run, which writes {@code cacheFile} and exits once the context is refreshed. */
    List<String> trainingOptions(java.nio.file.Path cacheFile) {
        List<String> options = new java.util.ArrayList<>(springAotOptions());
        options.add(switch (cache) {
            case CDS -> "-XX:ArchiveClassesAtExit=" + cacheFile;
            case AOT_CACHE -> "-XX:AOTCacheOutput=" + cacheFile;
            case NONE -> throw new IllegalStateException(key + " has no training run");
        });
        options.add("-Dspring.context.exit=onRefresh");
        return options;
    }

    private List<String> springAotOptions() {
        return springAot ? List.of("-Dspring.aot.enabled=true") : List.of();
    }
}
