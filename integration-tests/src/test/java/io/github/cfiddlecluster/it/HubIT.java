package io.github.cfiddlecluster.it;

import static io.github.cfiddlecluster.it.SharedCluster.ALICE;
import static io.github.cfiddlecluster.it.SharedCluster.ALICE_UID;
import static io.github.cfiddlecluster.it.SharedCluster.BOB;
import static io.github.cfiddlecluster.it.SharedCluster.BOB_UID;
import static io.github.cfiddlecluster.it.SharedCluster.DAVE;
import static io.github.cfiddlecluster.it.SharedCluster.TEACHER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.cfiddlecluster.slurm.SlurmJob;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** JupyterHub on the user node: every student logs in as themselves and gets a server, kernels and jobs of their own. */
class HubIT {
    private static final Logger LOG = LoggerFactory.getLogger(HubIT.class);
    private static final CfiddleCluster CLUSTER = SharedCluster.get();
    private static final Duration CELL = Duration.ofMinutes(2);

    @Test
    void twoStudentsRunTheExampleNotebookAtOnceEachInTheirOwnServerAndUnderTheirOwnUid() throws Exception {
        long lastJob = CLUSTER.lastJobId();
        List<CompletableFuture<JsonNode>> students = List.of(ALICE, BOB).stream()
                .map(name -> CompletableFuture.supplyAsync(() -> exampleNotebookAs(name))).toList();

        Map<String, JsonNode> seen = Map.of(ALICE, students.get(0).join(), BOB, students.get(1).join());
        for (Map.Entry<String, JsonNode> student : seen.entrySet()) {
            int uid = student.getKey().equals(ALICE) ? ALICE_UID : BOB_UID;
            assertThat(student.getValue().get("user").asText()).isEqualTo(student.getKey());
            assertThat(student.getValue().get("home").asText()).isEqualTo("/home/" + student.getKey());
            // Each asked the cluster for the multiples of 3 below their own uid: their own answer came back.
            assertThat(student.getValue().get("own").asLong()).isEqualTo((uid + 2) / 3);
        }
        List<SlurmJob> jobs = CLUSTER.awaitFinishedJobsAfter(lastJob, 4);
        assertThat(jobs).extracting(SlurmJob::user).containsExactlyInAnyOrder(ALICE, ALICE, BOB, BOB);
        assertThat(jobs).allSatisfy(j -> assertThat(j.state()).isEqualTo("COMPLETED"));
        assertThat(CLUSTER.userNodeProcesses().lines().filter(l -> l.contains("jupyterhub-singleuser"))
                .map(l -> l.trim().split("\\s+")[0])).contains(ALICE, BOB);
    }

    /** Logs in, starts the server, runs the example notebook and one experiment of the student's own. */
    private static JsonNode exampleNotebookAs(String name) {
        try {
            HubSession student = CLUSTER.logIn(name);
            student.startServer();
            try (JupyterKernel kernel = student.kernel(ExampleNotebook.PATH)) {
                ExampleNotebook.Run run = ExampleNotebook.runAll(student, kernel);
                LOG.info("{}: the example notebook ran in {} ms through the hub", name, run.wallTime().toMillis());
                ExampleNotebook.assertAsAStudentSeesIt(run);
                JupyterKernel.Outputs own = kernel.execute("import getpass, json, os\n"
                        + "own = run(exes[:1], 'multiples_of_3', arguments=arg_map(count=[os.getuid()]))[0].return_value\n"
                        + "print('RESULT ' + json.dumps(dict(user=getpass.getuser(), home=os.path.expanduser('~'), own=own)))", CELL);
                assertThat(own.errors).isEmpty();
                LOG.info("{}: server and kernel after the notebook: {} MB resident", name, residentMegabytes(name));
                return ScriptResult.parse(own.joined());
            }
        } catch (Exception e) {
            throw new IllegalStateException(name + "'s notebook", e);
        }
    }

    /** The resident memory of all of a student's processes on the user node. */
    private static long residentMegabytes(String user) {
        return CLUSTER.userNodeProcesses().lines().map(l -> l.trim().split("\\s+"))
                .filter(f -> f.length > 2 && f[0].equals(user)).mapToLong(f -> Long.parseLong(f[2])).sum() / 1024;
    }

    @Test
    void aStudentCannotOpenAnotherStudentsServerAndNeitherCanTheAdmin() {
        HubSession alice = CLUSTER.logIn(ALICE);
        HubSession bob = CLUSTER.logIn(BOB);
        HubSession teacher = CLUSTER.logIn(TEACHER);
        bob.startServer();

        assertThat(bob.get("/user/" + BOB + "/lab").statusCode()).as("bob's own server").isEqualTo(200);
        // At bob's own origin, as a link to his server would take her: his server sends her to the hub, which refuses.
        assertThat(alice.getUrl(alice.serverUrl(BOB) + "/lab").statusCode()).as("alice, logged in, at bob's server")
                .isEqualTo(403);
        for (String api : List.of("/api/contents", "/api/kernels", "/api/sessions")) {
            assertThat(alice.getWithToken(alice.serverUrl(BOB) + api).statusCode())
                    .as("alice's own token at bob's " + api).isEqualTo(403);
        }
        assertThat(alice.get("/hub/admin").statusCode()).as("alice at the admin page").isEqualTo(403);
        assertThat(teacher.get("/hub/admin").statusCode()).as("the admin at the admin page").isEqualTo(200);
        assertThat(teacher.getUrl(teacher.serverUrl(BOB) + "/lab").statusCode()).as("the admin at bob's server").isEqualTo(403);
    }

    @Test
    void aStudentsKernelCannotReadAnotherHomeNorAnySecret() throws Exception {
        HubSession alice = CLUSTER.logIn(ALICE);
        alice.startServer();
        try (JupyterKernel kernel = alice.kernel("probe.ipynb")) {
            for (String path : List.of("/home/" + BOB, "/run/secrets/passwords", "/run/secrets/munge.key",
                    "/etc/munge/munge.key", "/etc/shadow", "/var/lib/jupyterhub/jupyterhub_cookie_secret", "/proc/1/environ")) {
                JupyterKernel.Outputs read = kernel.execute("import os\nos.listdir('" + path + "') if os.path.isdir('" + path
                        + "') else open('" + path + "', 'rb').read()", CELL);
                assertThat(read.errors).as(path).singleElement().asString().startsWith("PermissionError");
            }
            JupyterKernel.Outputs environment = kernel.execute("import os\nprint(sorted(os.environ))", CELL);
            assertThat(environment.joined()).doesNotContain("CFIDDLE_ADMINS").doesNotContain("CONFIGPROXY")
                    .doesNotContain("MUNGE").doesNotContain("PASSWORD");
        }
    }

    @Test
    void aStudentCannotCancelAnotherStudentsJob() throws Exception {
        CompletableFuture<JsonNode> bobsRunaway = CompletableFuture.supplyAsync(
                () -> ScriptResult.parse(CLUSTER.python(BOB, "experiments/bad_input.py", "infinite_loop")));
        String job = Long.toString(await("bob's job running").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> running(BOB), jobs -> !jobs.isEmpty()).get(0).id());

        HubSession alice = CLUSTER.logIn(ALICE);
        alice.startServer();
        try (JupyterKernel kernel = alice.kernel("probe.ipynb")) {
            JupyterKernel.Outputs cancel = kernel.execute("import subprocess\n"
                    + "r = subprocess.run(['scancel', '" + job + "'], capture_output=True, text=True)\n"
                    + "print('exit', r.returncode, r.stderr)", CELL);
            assertThat(cancel.joined()).doesNotContain("exit 0").contains("Access/permission denied");
        }
        assertThat(running(BOB)).extracting(SlurmJob::id).containsExactly(Long.parseLong(job));

        CLUSTER.controllerExec("scancel", job);
        assertThat(bobsRunaway.join().get("error").get("type").asText()).isEqualTo("ClusterRunError");
        await("no sandbox container left").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> Sandboxes.of(CLUSTER).isEmpty());
    }

    @Test
    void aForkBombInAStudentsKernelStopsAtTheProcessLimit() throws Exception {
        int limit = CLUSTER.studentProcessLimit();
        HubSession dave = CLUSTER.logIn(DAVE);
        dave.startServer();
        try (JupyterKernel kernel = dave.kernel("forks.ipynb")) {
            // Forks until the kernel is refused, at most well past the limit; the children wait and are then killed.
            JupyterKernel.Outputs forks = kernel.execute("import os, signal\n"
                    + "children = []\n"
                    + "try:\n"
                    + "    while len(children) < " + (limit + 100) + ":\n"
                    + "        pid = os.fork()\n"
                    + "        if pid == 0:\n"
                    + "            signal.pause()\n"
                    + "            os._exit(0)\n"
                    + "        children.append(pid)\n"
                    + "except BlockingIOError:\n"
                    + "    pass\n"
                    + "for pid in children:\n"
                    + "    os.kill(pid, signal.SIGKILL)\n"
                    + "    os.waitpid(pid, 0)\n"
                    + "print('FORKED', len(children))", CELL);
            assertThat(forks.errors).isEmpty();
            int forked = Integer.parseInt(forks.joined().replaceAll("(?s).*FORKED (\\d+).*", "$1"));
            assertThat(forked).as("processes dave's kernel could start").isPositive().isLessThan(limit);
        }
    }

    @Test
    void noPasswordOrTokenInTheUserNodesLogOrEnvironment() throws Exception {
        HubSession alice = CLUSTER.logIn(ALICE);
        alice.startServer();
        try (JupyterKernel kernel = alice.kernel("probe.ipynb")) {
            assertThat(kernel.execute("1 + 1", CELL).joined()).isEqualTo("2");
        }
        String hash = CLUSTER.userNodeExec("root", "getent", "shadow", ALICE).getStdout().split(":")[1];
        for (String secret : List.of(CLUSTER.password(ALICE), alice.token(), hash)) {
            assertThat(CLUSTER.userNodeLog()).doesNotContain(secret);
            assertThat(CLUSTER.userNodeEnvironment()).noneSatisfy(v -> assertThat(v).contains(secret));
        }
    }

    @Test
    void aWrongPasswordOrAnUnknownUserIsRefusedAtTheLoginPage() {
        for (HubSession.Login refused : List.of(
                HubSession.attempt(CLUSTER.hubUrl(), ALICE, CLUSTER.password(BOB)),
                HubSession.attempt(CLUSTER.hubUrl(), "mallory", CLUSTER.password(ALICE)),
                HubSession.attempt(CLUSTER.hubUrl(), "root", ""))) {
            assertThat(refused.loggedIn()).isFalse();
            assertThat(refused.page()).contains("Invalid username or password");
        }
        assertThat(HubSession.attempt(CLUSTER.hubUrl(), ALICE, CLUSTER.password(ALICE)).loggedIn()).isTrue();
    }

    @Test
    void anIdleServerStopsByItself() {
        long loggingIn = System.nanoTime();
        HubSession dave = CLUSTER.logIn(DAVE);
        dave.startServer();
        long started = System.nanoTime();
        LOG.info("dave: from login to a running server (started for the first time) {} ms",
                Duration.ofNanos(started - loggingIn).toMillis());
        // The server checks for inactivity once a minute, and the hub polls its servers every 10 s.
        await("dave's idle server stopped").atMost(SharedCluster.IDLE_TIMEOUT.plus(Duration.ofMinutes(3)))
                .pollInterval(Duration.ofSeconds(2)).until(() -> !dave.hasServer());
        LOG.info("dave's idle server stopped {} s after it started (idle timeout {} s)",
                Duration.ofNanos(System.nanoTime() - started).toSeconds(), SharedCluster.IDLE_TIMEOUT.toSeconds());
        assertThat(CLUSTER.userNodeProcesses()).doesNotContainPattern("(?m)^\\s*" + DAVE + "\\s.*jupyterhub-singleuser");
    }

    private static List<SlurmJob> running(String user) {
        return CfiddleCluster.query(() -> CLUSTER.slurm().queue()).stream()
                .filter(j -> j.user().equals(user) && j.state().equals("RUNNING")).toList();
    }
}
