package io.github.cfiddlecluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One student exhausting each of their limits on the user node (memory, processes, CPU, disk) while another
 * student's notebook keeps working, and the hog told which limit it met. A cluster of its own: small limits that
 * the shared cluster's suites must not meet.
 */
class StudentLimitsIT {
    private static final Logger LOG = LoggerFactory.getLogger(StudentLimitsIT.class);
    private static final String MEMORY = "512m";
    private static final String CPUS = "1";
    private static final String DISK = "64m";
    private static final int PROCESSES = 100;
    private static final String BOB = "bob";
    private static final Duration CELL = Duration.ofSeconds(60);
    /** How long the other student's cell may take while the hog is at its limit (it takes well under 1 s idle). */
    private static final Duration STILL_WORKING = Duration.ofSeconds(20);
    /** The hub polls each server every 10 s (c.Spawner.poll_interval) and measures its home then. */
    private static final Duration HUB_NOTICES = Duration.ofSeconds(45);
    private static CfiddleCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new CfiddleCluster().withWorkers(1)
                .withUser("alice", 2001).withUser(BOB, 2002).withUser("carol", 2003).withUser("dave", 2004)
                .withUser("erin", 2005).withStudentProcessLimit(PROCESSES).withStudentLimits(MEMORY, CPUS, DISK);
        cluster.start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.stop();
        }
    }

    /** Bob's notebook still runs a cell that starts a process and computes, within the deadline. */
    private static Duration bobStillWorks() throws Exception {
        HubSession bob = cluster.logIn(BOB);
        bob.startServer();
        long started = System.nanoTime();
        try (JupyterKernel kernel = bob.kernel("still-working.ipynb")) {
            JupyterKernel.Outputs out = kernel.execute("import subprocess\n"
                    + "print(subprocess.run(['echo', 'started'], capture_output=True, text=True).stdout.strip(),"
                    + " sum(range(3_000_000)))", STILL_WORKING);
            assertThat(out.errors).isEmpty();
            assertThat(out.joined()).contains("started 4499998500000");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        LOG.info("bob's kernel started and ran its cell in {} ms", took.toMillis());
        return took;
    }

    private static String asRoot(String... command) {
        return cluster.userNodeExec("root", command).getStdout();
    }

    @Test
    void cgroupsAreRootsAndAStudentCannotLeaveTheirsNorSeeTheHostsOrAnothersState() throws Exception {
        cluster.logIn(BOB).startServer();
        HubSession alice = cluster.logIn("alice");
        alice.startServer();
        try (JupyterKernel kernel = alice.kernel("escape.ipynb")) {
            JupyterKernel.Outputs out = kernel.execute("import glob, os\n"
                    + "own = [l for l in open('/proc/self/cgroup') if ':memory:' in l or l.startswith('0::')]\n"
                    + "print('OWN', own)\n"
                    + "host = '/var/lib/cfiddle-host/cgroup'\n"
                    + "for target in glob.glob('/sys/fs/cgroup/*/cgroup.procs') + ['/sys/fs/cgroup/cgroup.procs',\n"
                    + "        '/sys/fs/cgroup/memory/student-alice/memory.limit_in_bytes', host + '/cgroup.procs',\n"
                    + "        host + '/memory/cgroup.procs', host + '/pids/cgroup.procs']:\n"
                    + "    try:\n"
                    + "        open(target, 'w').write(str(os.getpid()) if target.endswith('procs') else '-1')\n"
                    + "        print('WROTE', target)\n"
                    + "    except OSError as e:\n"
                    + "        pass\n"
                    + "for peek in (lambda: os.listdir(host), lambda: open('/run/cfiddle-cluster/limits/bob.json').read()):\n"
                    + "    try:\n"
                    + "        print('READ', peek())\n"
                    + "    except PermissionError:\n"
                    + "        print('DENIED')\n"
                    + "import subprocess\n"
                    + "if subprocess.run(['unshare', '-Ur', 'true']).returncode == 0:\n"
                    + "    print('UNSHARED a user namespace')\n"
                    + "import resource\n"
                    + "try:\n"
                    + "    resource.setrlimit(resource.RLIMIT_FSIZE, (-1, -1))\n"
                    + "    print('RAISED file size limit')\n"
                    + "except ValueError:\n"
                    + "    pass", CELL);
            assertThat(out.errors).isEmpty();
            assertThat(out.joined()).contains("student-alice").doesNotContain("WROTE").doesNotContain("RAISED")
                    .doesNotContain("READ").doesNotContain("UNSHARED");
            assertThat(out.joined().split("DENIED", -1)).as("the host's cgroups and bob's state both denied").hasSize(3);
        }
        assertThat(asRoot("sh", "-c", "stat -c '%U %a' /sys/fs/cgroup/*/student-alice/cgroup.procs /sys/fs/cgroup/student-alice/cgroup.procs 2>/dev/null"))
                .isNotBlank().doesNotContain("alice");
    }

    @Test
    void aMemoryHogIsStoppedAtItsLimitAndToldSo() throws Exception {
        HubSession alice = cluster.logIn("alice");
        alice.startServer();
        JupyterKernel hog = alice.kernel("memory-hog.ipynb");
        // Grows by 64 MiB steps until the kernel stops it (the kernel dies: its cell never finishes).
        CompletableFuture<JupyterKernel.Outputs> hogging = CompletableFuture.supplyAsync(() -> {
            try {
                return hog.execute("chunks = []\nwhile True:\n    chunks.append(bytearray(64 << 20))", CELL);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            await("the hub logs alice's out-of-memory kill").atMost(HUB_NOTICES).pollInterval(Duration.ofMillis(500))
                    .until(() -> cluster.userNodeLog().contains("alice: out of memory at their limit of 512m (cfiddle.studentMemory)"));
            bobStillWorks();
        } finally {
            hogging.cancel(true);
            hog.close();
        }
        try (JupyterKernel kernel = alice.kernel("after-the-hog.ipynb")) {
            JupyterKernel.Outputs out = kernel.execute("print('fresh kernel')", CELL);
            assertThat(String.join("", out.stderr))
                    .contains("reached your memory limit of 512m (cfiddle.studentMemory)");
        }
    }

    @Test
    void aForkBombStopsAtTheProcessLimitAndIsToldSo() throws Exception {
        HubSession carol = cluster.logIn("carol");
        carol.startServer();
        try (JupyterKernel bomb = carol.kernel("fork-bomb.ipynb")) {
            // The children stay (paused) while bob works, then go.
            JupyterKernel.Outputs forks = bomb.execute("import os, signal\n"
                    + "children = []\n"
                    + "while True:\n"
                    + "    pid = os.fork()\n"
                    + "    if pid == 0:\n"
                    + "        signal.pause()\n"
                    + "        os._exit(0)\n"
                    + "    children.append(pid)", CELL);
            assertThat(forks.errors).singleElement().asString().startsWith("BlockingIOError");
            assertThat(String.join("", forks.stderr)).contains("as your limit of " + PROCESSES + " (cfiddle.studentProcessLimit)");
            try {
                bobStillWorks();
            } finally {
                bomb.execute("for pid in children:\n    os.kill(pid, signal.SIGKILL)\n    os.waitpid(pid, 0)", CELL);
            }
        }
    }

    @Test
    void aCpuHogGetsItsShareOnly() throws Exception {
        HubSession dave = cluster.logIn("dave");
        dave.startServer();
        try (JupyterKernel hog = dave.kernel("cpu-hog.ipynb")) {
            hog.execute("import subprocess, sys\n"
                    + "spinners = [subprocess.Popen([sys.executable, '-c', 'while True: pass']) for _ in range(4)]", CELL);
            try {
                await("dave's cgroup throttled at " + CPUS + " CPU").atMost(HUB_NOTICES).pollInterval(Duration.ofMillis(500))
                        .until(() -> throttled("dave") > 0);
                Duration took = bobStillWorks();
                LOG.info("with dave's 4 spinners at {} CPU: bob's cell took {} ms; dave throttled {} times", CPUS,
                        took.toMillis(), throttled("dave"));
            } finally {
                hog.execute("for s in spinners:\n    s.kill()\n    s.wait()", CELL);
            }
        }
    }

    private static long throttled(String student) {
        String stat = asRoot("sh", "-c", "cat /sys/fs/cgroup/cpu/student-" + student + "/cpu.stat /sys/fs/cgroup/student-"
                + student + "/cpu.stat 2>/dev/null");
        return stat.lines().filter(l -> l.startsWith("nr_throttled ")).mapToLong(l -> Long.parseLong(l.split(" ")[1])).sum();
    }

    @Test
    void aHomeOverItsQuotaStopsItsServerKeepsItsFilesAndSaysSo() throws Exception {
        HubSession erin = cluster.logIn("erin");
        erin.startServer();
        try (JupyterKernel kernel = erin.kernel("disk-hog.ipynb")) {
            // One file larger than the quota, anywhere (here /tmp, which the hub does not measure): refused.
            JupyterKernel.Outputs tooBig = kernel.execute("import os\ntry:\n    open('/tmp/erin-big', 'wb').write(b'x' * (100 << 20))\n"
                    + "finally:\n    os.remove('/tmp/erin-big')", CELL);
            assertThat(tooBig.errors).singleElement().asString().contains("File too large");
            assertThat(String.join("", tooBig.stderr)).contains("larger than 64m (your disk quota, cfiddle.studentDiskQuota");
            JupyterKernel.Outputs fill = kernel.execute("for i in range(3):\n    open(f'part{i}', 'wb').write(b'x' * (30 << 20))\nprint('WRITTEN')", CELL);
            assertThat(fill.joined()).contains("WRITTEN");
        }
        await("the hub stops erin's server over her quota").atMost(HUB_NOTICES).pollInterval(Duration.ofMillis(500))
                .until(() -> !erin.hasServer());
        assertThat(cluster.userNodeLog()).contains("erin: home holds").contains("over its disk quota of 64m (cfiddle.studentDiskQuota)");
        assertThat(asRoot("cat", "/home/erin/DISK-QUOTA-REACHED.txt")).contains("its disk quota of 64m (cfiddle.studentDiskQuota) is reached");
        assertThat(asRoot("sh", "-c", "stat -c %s /home/erin/part*")).isEqualTo("31457280\n31457280\n31457280\n");
        assertThat(asRoot("sh", "-c", "ps -o pid= -u erin | wc -l").trim()).isEqualTo("0");
        bobStillWorks();

        // Over her quota, erin can start her server, read, and delete, but not write anything large.
        erin.startServer();
        try (JupyterKernel kernel = erin.kernel("cleaning-up.ipynb")) {
            JupyterKernel.Outputs write = kernel.execute("open('more', 'wb').write(b'x' * (2 << 20))", CELL);
            assertThat(write.errors).singleElement().asString().contains("File too large");
            assertThat(String.join("", write.stderr)).contains("larger than 1m").contains("its disk quota of 64m");
            JupyterKernel.Outputs clean = kernel.execute("import os\nos.remove('part0')\nos.remove('part1')\n"
                    + "print(sorted(os.listdir('.')))", CELL);
            assertThat(clean.errors).isEmpty();
            assertThat(clean.joined()).contains("part2").doesNotContain("part0");
        }
        assertThat(asRoot("ls", "/home/erin")).contains("part2").doesNotContain("part0");
    }
}
