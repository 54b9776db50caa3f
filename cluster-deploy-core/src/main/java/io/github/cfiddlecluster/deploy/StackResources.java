package io.github.cfiddlecluster.deploy;

import io.github.cfiddlecluster.stack.StackNames;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A stack's swarm secrets and configs: the generated keys (made once, kept), and the users file and password
 * hashes (each named by its content, so that a change rolls out and an old one is removed once unused).
 */
final class StackResources {
    private final SwarmEngine engine;
    private final DeployLog log;
    private final ClusterSecrets secrets;

    StackResources(SwarmEngine engine, DeployLog log, ClusterSecrets secrets) {
        this.engine = engine;
        this.log = log;
        this.secrets = secrets;
    }

    /** Creates the generated secrets the stack lacks; returns their values by template name. */
    Map<String, byte[]> createMissingSecrets(String stack) throws DeployException {
        Map<String, byte[]> created = new LinkedHashMap<>();
        Map<String, String> missing = ClusterSecrets.missing(stack, engine.secrets().keySet());
        for (String secret : StackNames.SECRETS) {
            String name = StackNames.secretName(stack, secret);
            if (missing.containsKey(secret)) {
                byte[] value = secrets.generate(secret);
                engine.createSecret(name, value, Map.of(StackNames.OWNER_LABEL, stack));
                created.put(secret, value);
                log.info("created secret " + name);
            } else {
                log.debug("keeping secret " + name);
            }
        }
        return created;
    }

    /** The config holding the users file, created if new; null when the images' own list is used. */
    String ensureUsersConfig(DeployConfig config) throws DeployException {
        byte[] content = read("users file " + config.usersFile(), config::usersFileContent);
        if (content == null) {
            return null;
        }
        String name = StackNames.usersConfigName(config.stackName(), contentHash(content));
        if (!engine.configs().contains(name)) {
            engine.createConfig(name, content, Map.of(StackNames.OWNER_LABEL, config.stackName()));
            log.info("created config " + name + " from " + config.usersFile());
        }
        return name;
    }

    /**
     * The swarm secret with the students' password hashes: a new one (named by its content) when a passwords file
     * is given, else the one the previous deploy made, so that a redeploy for another reason keeps the passwords.
     */
    String ensurePasswordsSecret(DeployConfig config) throws DeployException {
        String prefix = StackNames.passwordsSecretName(config.stackName(), "");
        byte[] content = read("passwords file " + config.passwordsFile(), config::passwordsFileContent);
        if (content == null) {
            String kept = engine.secrets().keySet().stream().filter(n -> n.startsWith(prefix)).sorted().findFirst()
                    .orElse(null);
            if (kept != null) {
                log.info("keeping the students' passwords of the previous deploy (secret " + kept + ")");
            }
            return kept;
        }
        String name = StackNames.passwordsSecretName(config.stackName(), contentHash(content));
        if (!engine.secrets().containsKey(name)) {
            engine.createSecret(name, content, Map.of(StackNames.OWNER_LABEL, config.stackName()));
            log.info("created secret " + name + " from " + config.passwordsFile());
        }
        return name;
    }

    /** Removes the stack's other passwords secrets, once no task uses them any more. */
    void removeUnusedPasswordsSecrets(String stack, String current) throws DeployException {
        String prefix = StackNames.passwordsSecretName(stack, "");
        for (String name : List.copyOf(engine.secrets().keySet())) {
            if (name.startsWith(prefix) && !name.equals(current)) {
                try {
                    engine.removeSecret(name);
                    log.debug("removed the previous passwords secret " + name);
                } catch (DeployException e) {
                    log.warn("the previous passwords secret " + name + " could not be removed yet: " + e.getMessage());
                }
            }
        }
    }

    void removeUnusedUsersConfigs(String stack, String current) throws DeployException {
        String prefix = StackNames.usersConfigName(stack, "");
        for (String name : engine.configs()) {
            if (name.startsWith(prefix) && !name.equals(current) && engine.removeConfig(name)) {
                log.debug("removed the previous users config " + name);
            }
        }
    }

    /** Every secret of the stack: labelled as its own, or named as its generated ones. */
    List<String> secretsOf(String stack) throws DeployException {
        return engine.secrets().entrySet().stream()
                .filter(e -> stack.equals(e.getValue().get(StackNames.OWNER_LABEL))
                        || StackNames.SECRETS.stream().anyMatch(s -> StackNames.secretName(stack, s).equals(e.getKey())))
                .map(Map.Entry::getKey).sorted().collect(Collectors.toList());
    }

    List<String> configsOf(String stack) throws DeployException {
        return engine.configs().stream().filter(n -> n.startsWith(StackNames.usersConfigName(stack, ""))).sorted()
                .collect(Collectors.toList());
    }

    private interface Content {
        byte[] read() throws IOException;
    }

    private static byte[] read(String what, Content content) throws DeployException {
        try {
            return content.read();
        } catch (IOException e) {
            throw new DeployException.InvalidConfiguration(List.of(what + " cannot be read: " + e.getMessage()));
        }
    }

    static String contentHash(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
