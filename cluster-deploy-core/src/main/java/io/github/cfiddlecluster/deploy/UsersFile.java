package io.github.cfiddlecluster.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The cluster's accounts file: {@code name:uid:gid} lines, {@code #} comments. The deploy checks it with the same
 * rules as the nodes' list_users (node-lib.sh) before anything is deployed, so that a bad line stops the deploy
 * instead of a node.
 */
public final class UsersFile {
    /** The accounts of the images' own users file, used when no cfiddle.usersFile is given. */
    public static final List<String> IMAGE_ACCOUNTS = List.of("student");
    static final Pattern USER_NAME = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    private static final long MIN_ID = 1000;

    private UsersFile() {
    }

    /** Every broken rule, each naming the file, the line and what it must be. */
    public static List<String> problems(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of("users file " + file + " cannot be read: " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<Long> uids = new HashSet<>();
        for (int number = 1; number <= lines.size(); number++) {
            String line = content(lines.get(number - 1));
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split(":", -1);
            String where = "users file " + file + " line " + number + ": '" + line + "'";
            if (fields.length != 3 || !USER_NAME.matcher(fields[0]).matches() || !fields[1].matches("\\d{1,9}")
                    || !fields[2].matches("\\d{1,9}")) {
                problems.add(where + " is not name:uid:gid with a lower-case name");
                continue;
            }
            long uid = Long.parseLong(fields[1]);
            if (uid < MIN_ID || Long.parseLong(fields[2]) < MIN_ID) {
                problems.add(where + ": uid and gid must be at least " + MIN_ID);
            }
            if (!names.add(fields[0])) {
                problems.add(where + ": " + fields[0] + " is listed twice");
            }
            if (!uids.add(uid)) {
                problems.add(where + ": uid " + uid + " is listed twice");
            }
        }
        return problems;
    }

    /**
     * The account names, each with where it is defined ("users file F line N"); the images' own list for a null
     * file. Call after {@link #problems} found none.
     */
    public static Map<String, String> accounts(Path file) {
        Map<String, String> accounts = new LinkedHashMap<>();
        if (file == null) {
            IMAGE_ACCOUNTS.forEach(name -> accounts.put(name, "the images' users file"));
            return accounts;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = content(lines.get(i));
                if (!line.isEmpty()) {
                    accounts.put(line.split(":", -1)[0], "users file " + file + " line " + (i + 1));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("users file " + file + " was readable a moment ago", e);
        }
        return accounts;
    }

    /** One line as the nodes read it: no comment, no white space. */
    private static String content(String line) {
        return line.replaceAll("#.*", "").replaceAll("\\s", "");
    }
}
