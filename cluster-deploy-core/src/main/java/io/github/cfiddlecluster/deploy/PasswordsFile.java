package io.github.cfiddlecluster.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The students' passwords for the hub: {@code name:crypt-hash} lines (what {@code chpasswd --encrypted} takes on the
 * user node), e.g. from {@code openssl passwd -6}. Only hashes are accepted, and messages never repeat a line, so a
 * plain-text password typed by mistake is not echoed into a build log.
 */
final class PasswordsFile {
    /** crypt(3) hashes: $id$[params$]salt$hash (sha512crypt $6$, yescrypt $y$, bcrypt $2b$, ...). */
    private static final Pattern CRYPT_HASH = Pattern.compile("\\$[0-9a-z]{1,2}\\$[./0-9A-Za-z$=,]{8,}");
    private static final Pattern USER_NAME = UsersFile.USER_NAME;

    private PasswordsFile() {}

    /**
     * @param accounts the cluster's account names, each with where it is defined (e.g. "users file F line 3"):
     *     every one needs a password
     */
    static List<String> problems(Path file, Map<String, String> accounts) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of("passwords file " + file + " cannot be read: " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        Set<String> named = new HashSet<>();
        int number = 0;
        for (String line : lines) {
            number++;
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            String where = "passwords file " + file + " line " + number;
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon);
            String hash = colon < 0 ? "" : line.substring(colon + 1);
            if (!USER_NAME.matcher(name).matches()) {
                problems.add(where + " is not name:crypt-hash with a lower-case account name");
            } else if (!CRYPT_HASH.matcher(hash).matches()) {
                named.add(name); // one problem for this account is enough
                problems.add(where + ": the password of " + name + " is not a crypt hash; plain-text passwords are"
                        + " refused (make a hash with: openssl passwd -6)");
            } else if (!accounts.containsKey(name)) {
                problems.add(where + ": " + name + " is not one of the cluster's accounts (" + String.join(", ",
                        accounts.keySet()) + "); add it to the users file (-Dcfiddle.usersFile)");
            } else if (!named.add(name)) {
                problems.add(where + ": " + name + " is listed twice");
            }
        }
        for (Map.Entry<String, String> account : accounts.entrySet()) {
            if (!named.contains(account.getKey())) {
                problems.add(account.getValue() + ": " + account.getKey() + " has no password in passwords file " + file);
            }
        }
        return problems;
    }
}
