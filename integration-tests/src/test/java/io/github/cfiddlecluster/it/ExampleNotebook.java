package io.github.cfiddlecluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The user image's example notebook, executed cell by cell in a student's kernel, as "Run All" does. */
final class ExampleNotebook {
    static final String PATH = "examples/cfiddle-on-the-cluster.ipynb";
    private static final Duration CELL_DEADLINE = Duration.ofMinutes(3);

    /** The outputs of each code cell, and how long all of them took. */
    record Run(List<JupyterKernel.Outputs> cells, Duration wallTime) {
        String printed() {
            return cells.stream().map(JupyterKernel.Outputs::joined).reduce("", String::concat);
        }

        JupyterKernel.Outputs last() {
            return cells.get(cells.size() - 1);
        }
    }

    private ExampleNotebook() {
    }

    /** Runs every code cell of the student's copy of the notebook in {@code kernel}; fails on the first error. */
    static Run runAll(HubSession student, JupyterKernel kernel) throws IOException, InterruptedException {
        JsonNode notebook = JupyterKernel.notebook(student.serverUrl(), student.token(), PATH);
        long started = System.nanoTime();
        List<JupyterKernel.Outputs> cells = new ArrayList<>();
        for (JsonNode cell : notebook.get("cells")) {
            if ("code".equals(cell.get("cell_type").asText())) {
                JupyterKernel.Outputs outputs = kernel.execute(cell.get("source").asText(), CELL_DEADLINE);
                assertThat(outputs.errors).as(student.user() + "'s cell:\n" + cell.get("source").asText()).isEmpty();
                cells.add(outputs);
            }
        }
        return new Run(cells, Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * What a student sees: the returned counts are right, the table is there, the plot is an image (not a
     * Figure's repr), and cfiddle's progress is not shown as an error.
     */
    static void assertAsAStudentSeesIt(Run run) {
        String printed = run.printed();
        Matcher pairs = Pattern.compile("\\((\\d+), (\\d+)\\)").matcher(printed.substring(printed.indexOf("count, return value:")));
        List<long[]> countAndValue = new ArrayList<>();
        while (pairs.find()) {
            countAndValue.add(new long[] {Long.parseLong(pairs.group(1)), Long.parseLong(pairs.group(2))});
        }
        assertThat(countAndValue).hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(p -> assertThat(p[1]).as("multiples of 3 below %d", p[0]).isEqualTo((p[0] + 2) / 3));
        assertThat(printed).contains("OPTIMIZE");
        assertThat(run.last().images).as("the plot, as an image, in the last cell: " + run.last()).isEqualTo(1);
        assertThat(run.cells()).allSatisfy(cell -> assertThat(String.join("", cell.stderr))
                .as("progress output in the error style").doesNotContain("%|"));
        assertThat(printed).as("cfiddle's progress, on stdout").contains("%|");
    }
}
