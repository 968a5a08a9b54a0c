package dev.talkreel.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The inbox under hostile entries (issue 7): a FIFO used to block the only inbox thread (valid files waited 88 s)
 * and went to .failed without an error file; a symbolic link was followed and the first word of the file it pointed
 * to landed in the log. Now only regular files are read; the rest go to inbox/.failed/ unread, each with an error
 * file; the folders are made again when deleted; and 100 files dropped at once are taken in parallel.
 */
class HostileInboxIT {
    private static final String SECRET = "TOPSECRETWORD-41b7";

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of());

    static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static PrintStream console;

    @BeforeAll
    static void captureTheLog() {
        // slf4j-simple writes each line to the System.out of the moment (src/main/resources/simplelogger.properties)
        console = System.out;
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                console.write(b);
                LOG.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                console.write(b, off, len);
                LOG.write(b, off, len);
            }
        }, true));
    }

    @AfterAll
    static void stopCapturing() {
        System.setOut(console);
    }

    @BeforeEach
    void noServiceWork() {
        // jobs created here need not run: the services just take their time
        talkreel.emulators().yttools.behaviour().latency("task", Duration.ofMinutes(10));
        talkreel.emulators().comfyui.behaviour().latency("execute", Duration.ofMinutes(10));
    }

    @Test
    void aFifoADeviceASymlinkAndADirectoryGoToFailedUnreadAndAValidFileIsStillTakenAtOnce() throws Exception {
        Path inbox = talkreel.shared().resolve("inbox");
        Path secret = talkreel.shared().getParent().resolve("outside-secret.txt");
        Files.writeString(secret, SECRET + " {\"youtube_url\": \"https://youtu.be/ao8f3qyMoLM\", \"script\": \"x\"}");
        Path staging = Files.createDirectories(talkreel.shared().getParent().resolve("staging"));

        // each made outside the inbox and renamed in, as a user would drop a file
        List<String> hostile = new ArrayList<>();
        run("mkfifo", staging.resolve("pipe.json").toString());
        hostile.add("pipe.json");
        Files.createSymbolicLink(staging.resolve("link.json"), secret);
        hostile.add("link.json");
        Files.createDirectories(staging.resolve("folder.json"));
        Files.writeString(staging.resolve("folder.json").resolve("inner.json"), "{}");
        hostile.add("folder.json");
        if (run("mknod", staging.resolve("device.json").toString(), "c", "1", "3") == 0) {
            hostile.add("device.json");
        } else {
            System.out.println("hostile inbox: mknod is not allowed here, no device case");
        }
        for (String name : hostile) {
            Files.move(staging.resolve(name), inbox.resolve(name));
        }
        long t0 = System.nanoTime();
        client().drop("valid.json", JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM", "Hello after the FIFO."));
        Path done = JobClient.waitForKept(inbox.resolve(".done"), "valid.json", Duration.ofSeconds(15));
        long validMs = (System.nanoTime() - t0) / 1_000_000;

        Path failed = inbox.resolve(".failed");
        Map<String, String> kinds = Map.of("pipe.json", "a FIFO (named pipe)", "link.json", "a symbolic link",
                "folder.json", "a directory", "device.json", "a character device");
        for (String name : hostile) {
            Path kept = JobClient.waitForKept(failed, name, Duration.ofSeconds(15));
            Path errorFile = kept.resolveSibling(kept.getFileName() + ".error.json");
            assertTrue(Files.isRegularFile(errorFile), "no error file for " + name);
            JsonNode error = JobClient.JSON.readTree(errorFile.toFile());
            assertEquals("not a regular file", error.path("error").asText(), error.toString());
            assertTrue(error.path("errors").path(0).path("message").asText().startsWith("is " + kinds.get(name)),
                    error.toString());
        }
        assertTrue(Files.isSymbolicLink(JobClient.waitForKept(failed, "link.json", Duration.ofSeconds(1))), "the link itself was moved");
        assertTrue(Files.readString(secret).startsWith(SECRET), "the linked file is untouched");
        assertFalse(Files.exists(JobClient.waitForKept(failed, "folder.json", Duration.ofSeconds(1)).resolve(".done")),
                "nothing taken from inside the directory");
        assertTrue(Files.readString(done).contains("Hello after the FIFO."));
        for (String name : hostile) {
            assertFalse(Files.exists(inbox.resolve(name), LinkOption.NOFOLLOW_LINKS), name + " left");
        }

        // the linked file's content is nowhere: not in the log (which did capture the inbox's lines about the link),
        // not in an error file
        assertTrue(LOG.toString().contains("inbox entry link.json is"), "the log was not captured:\n" + LOG);
        assertFalse(LOG.toString().contains(SECRET), "secret in the log:\n" + LOG);
        try (Stream<Path> files = Files.list(failed)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".error.json")).toList()) {
                assertFalse(Files.readString(f).contains(SECRET), "secret in " + f);
            }
        }
        System.out.println("hostile inbox: " + hostile + " moved to .failed with an error file each; a valid file "
                + "dropped right after was accepted in " + validMs + " ms");
        assertTrue(validMs < 5_000, "valid file took " + validMs + " ms");
    }

    @Test
    void deletedFoldersAreMadeAgainAndNoFileContentIsLogged() throws Exception {
        Path inbox = talkreel.shared().resolve("inbox");
        deleteTree(inbox.resolve(".done"));
        deleteTree(inbox.resolve(".failed"));
        client().drop("again.json", JobClient.job("https://youtu.be/ao8f3qyMoLM", "Folders made again."));
        client().drop("broken.json", "{\"" + SECRET + "\": oops not json");
        JobClient.waitForKept(inbox.resolve(".done"), "again.json", Duration.ofSeconds(15));
        Path kept = JobClient.waitForKept(inbox.resolve(".failed"), "broken.json", Duration.ofSeconds(15));
        JobClient.waitForFile(kept.resolveSibling(kept.getFileName() + ".error.json"), Duration.ofSeconds(5));
        assertFalse(LOG.toString().contains(SECRET), "file content in the log:\n" + LOG);
    }

    @Test
    void aHundredFilesDroppedAtOnceAreAllTakenInSeconds() throws Exception {
        Path inbox = talkreel.shared().resolve("inbox");
        Path staging = Files.createDirectories(talkreel.shared().getParent().resolve("staging-100"));
        for (int i = 0; i < 100; i++) {
            Files.writeString(staging.resolve("many-" + i + ".json"), JobClient.job(
                    "https://www.youtube.com/watch?v=ao8f3qyMoLM", "File number " + i + " of the hundred."));
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            Files.move(staging.resolve("many-" + i + ".json"), inbox.resolve("many-" + i + ".json"));
        }
        long[] taken = {0};
        JobClient.eventually(Duration.ofSeconds(60), Duration.ofMillis(50),
                () -> (taken[0] = countKept(inbox.resolve(".done"), "many-")) == 100);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("inbox: 100 files dropped at once, %d taken in %.1f s (talkreel.inbox.parallel threads)%n",
                taken[0], seconds);
        assertEquals(100, taken[0], "files taken");
        assertEquals(0, countKept(inbox.resolve(".failed"), "many-"), "none refused");
        JsonNode list = JobClient.JSON.readTree(client().get("/api/jobs?limit=200").body());
        long jobs = 0;
        for (JsonNode j : list.path("jobs")) {
            jobs++;
        }
        assertTrue(jobs >= 100, "jobs listed: " + jobs);
        assertTrue(seconds < 15, "100 files took " + seconds + " s");
    }

    private static JobClient client() {
        return talkreel.client();
    }

    private static long countKept(Path folder, String prefix) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains("-" + prefix) && n.endsWith(".json") && !n.endsWith(".error.json")).count();
        }
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            System.out.println(String.join(" ", command) + ": " + out.strip());
        }
        return rc;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
