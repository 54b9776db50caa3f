package io.github.cfiddlecluster.it;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A passwords file as an admin writes it for {@code -Dcfiddle.passwordsFile}: {@code name:crypt-hash} lines. The
 * hashes are made by the user image's own Python (the system that checks them), from a file, not a command line.
 */
public final class PasswordHashes {
    private static final String HASH_EACH_LINE = "import crypt, sys\n"
            + "for line in open('/tmp/plain'):\n"
            + "    name, password = line.rstrip('\\n').split(':', 1)\n"
            + "    print(name + ':' + crypt.crypt(password, crypt.mksalt(crypt.METHOD_SHA512)))\n";

    private PasswordHashes() {
    }

    /** name:hash lines for the given names and plain-text passwords. */
    public static byte[] file(Map<String, String> passwords) {
        String plain = passwords.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue() + "\n")
                .collect(Collectors.joining());
        OneShot.Result result = OneShot.of(Images.USER).withEntrypoint("python3", "-W", "ignore", "-c", HASH_EACH_LINE)
                .withFile("/tmp/plain", plain.getBytes(StandardCharsets.UTF_8), 0444).run();
        if (result.exitCode() != 0 || result.stdout().lines().count() != passwords.size()) {
            throw new IllegalStateException("could not hash the test passwords: " + result);
        }
        return result.stdout().getBytes(StandardCharsets.US_ASCII);
    }
}
