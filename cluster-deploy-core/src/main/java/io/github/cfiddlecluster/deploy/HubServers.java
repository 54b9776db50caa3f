package io.github.cfiddlecluster.deploy;

import java.util.ArrayList;
import java.util.List;

/** The students' running notebook servers on the user node, from its process list (each runs as its student). */
final class HubServers {
    /** What status runs on the user node: owner, seconds running, resident memory (KiB), command line. */
    static final List<String> PS_COMMAND = List.of("ps", "-eo", "user:32=,etimes=,rss=,args=");
    private static final String SERVER_PROGRAM = "jupyterhub-singleuser";

    private HubServers() {}

    /** One line per running server ("alice  up 12 min  95 MB"), or "(none)". */
    static List<String> describe(String psOutput) {
        List<String> out = new ArrayList<>();
        for (String line : psOutput.split("\n")) {
            String[] f = line.trim().split("\\s+", 4);
            if (f.length == 4 && f[3].contains(SERVER_PROGRAM) && f[1].matches("\\d+") && f[2].matches("\\d+")) {
                out.add(String.format("  %-20s up %-8s %4d MB", f[0], uptime(Long.parseLong(f[1])),
                        Long.parseLong(f[2]) / 1024));
            }
        }
        if (out.isEmpty()) {
            out.add("  (none)");
        }
        return out;
    }

    private static String uptime(long seconds) {
        return seconds < 120 ? seconds + " s" : seconds < 7200 ? seconds / 60 + " min" : seconds / 3600 + " h";
    }
}
