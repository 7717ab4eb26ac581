package io.github.spiffeboot.benchmarks;

import java.util.List;

/**
 * The baseline: what a straightforward allowlist does without compiling anything. Rules are scanned in
 * order, each path compared segment by segment as strings, and each rule's IDs scanned one by one.
 */
final class NaiveAllowlist {

    record Rule(String method, String path, List<String> ids) {
    }

    private final List<Rule> rules;

    NaiveAllowlist(List<Rule> rules) {
        this.rules = rules;
    }

    boolean allowed(String caller, String method, String path) {
        String[] request = path.substring(1).split("/");
        for (Rule rule : rules) {
            if (!rule.method().equals(method) || !matches(rule.path().substring(1).split("/"), request)) {
                continue;
            }
            for (String id : rule.ids()) {
                if (id.equals(caller) || (id.endsWith("/**") && caller.startsWith(id.substring(0, id.length() - 2)))) {
                    return true;
                }
            }
            return false;
        }
        return false;
    }

    private static boolean matches(String[] pattern, String[] request) {
        if (pattern.length != request.length) {
            return false;
        }
        for (int i = 0; i < pattern.length; i++) {
            if (!pattern[i].startsWith("{") && !pattern[i].equalsIgnoreCase(request[i])) {
                return false;
            }
        }
        return true;
    }
}
