package io.github.cfiddlecluster.stack;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of compose's variable interpolation that the stack template uses: {@code ${NAME}}, {@code ${NAME:-default}}
 * (default when unset or empty), {@code ${NAME-default}} (default when unset) and {@code $$} (a literal dollar).
 *
 * <p>The result is again a compose file, which {@code docker stack deploy} interpolates once more: {@code $$} is
 * therefore kept as it is, and every {@code $} in a substituted value is written as {@code $$}. Like compose,
 * which interpolates parsed values only, comment lines (first non-blank character {@code #}) are left alone.
 */
public final class ComposeInterpolation {
    private static final Pattern REFERENCE =
            Pattern.compile("\\$(?:(\\$)|\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?}|([A-Za-z_][A-Za-z0-9_]*)|)");

    private ComposeInterpolation() {}

    /**
     * @throws IllegalArgumentException for a variable that has neither a value nor a default, or a lone {@code $}
     */
    public static String interpolate(String text, Map<String, String> variables) {
        StringBuilder out = new StringBuilder();
        int lineNumber = 0;
        for (String line : text.split("(?<=\n)", -1)) {
            lineNumber++;
            out.append(line.stripLeading().startsWith("#") ? line : interpolateLine(line, lineNumber, variables));
        }
        return out.toString();
    }

    private static String interpolateLine(String text, int line, Map<String, String> variables) {
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(1) != null) {
                replacement = "$$";
            } else if (m.group(2) != null || m.group(5) != null) {
                String name = m.group(2) != null ? m.group(2) : m.group(5);
                String value = variables.get(name);
                String operator = m.group(3);
                if (operator != null && (value == null || (operator.equals(":-") && value.isEmpty()))) {
                    value = m.group(4);
                }
                if (value == null) {
                    throw new IllegalArgumentException("the stack template uses ${" + name + "}, which has no value and no default"
                            + " (line " + line + ")");
                }
                replacement = value.replace("$", "$$");
            } else {
                throw new IllegalArgumentException("a lone '$' in the stack template (line " + line
                        + "): write $$ for a literal dollar");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
