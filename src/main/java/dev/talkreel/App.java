package dev.talkreel;

import dev.talkreel.check.Check;
import dev.talkreel.check.CheckBeside;
import dev.talkreel.check.Problem;
import dev.talkreel.demo.Demo;
import dev.talkreel.emulator.Emulators;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import org.apache.camel.main.Main;
import org.slf4j.LoggerFactory;

/**
 * talkreel's command line: {@code serve} runs the orchestrator once {@code check} (which loads the routes and
 * settings without starting them and lists what is wrong, with file and line; it runs beside the boot) found nothing,
 * {@code emulate} the four service emulators, {@code demo} both plus one sample job. Settings come from config/ (see
 * README.md).
 */
public final class App {
    /** Where the orchestrator's settings are; -Dtalkreel.config=... or TALKREEL_CONFIG point elsewhere. */
    static final String CONFIG = "config/application.properties";
    static final String EMULATOR_CONFIG = "config/emulators.properties";

    private App() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "serve" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "serve" -> serve(rest);
            case "check" -> System.exit(check());
            case "emulate" -> emulate();
            case "demo" -> System.exit(new Demo(settings()).run());
            default -> {
                System.err.println("usage: java -jar talkreel.jar [serve|check|emulate|demo]");
                System.exit(2);
            }
        }
    }

    /**
     * {@code serve}: a broken edit of routes/ or config/ is refused at start, not found by the first job after its GPU
     * work. The check runs beside the orchestrator's boot (both mostly load classes and routes, on two cores) and the
     * orchestrator starts nothing before its verdict.
     */
    private static void serve(String[] args) throws Exception {
        // logging is set up before a second thread logs: SLF4J's start is not safe for two threads at once (a logger
        // asked for meanwhile gets a stand-in, which can fail the class that asked)
        LoggerFactory.getILoggerFactory();
        CheckBeside check = CheckBeside.start(App::check);
        // the first HTTP client builds the JDK's default TLS context (every trusted certificate parsed), about 0.2 s on
        // the boot's path even where every service is plain http: built beside, the clients find it ready
        Beside.supply("talkreel-tls", () -> {
            try {
                return SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                return null; // the first client that needs TLS reports it
            }
        });
        Main main = orchestrator();
        main.addMainListener(check);
        try {
            main.run(args);
        } catch (Exception e) {
            if (check.fit()) {
                throw e;
            }
            // the check printed each problem with its file and line; camel-main's own failure adds nothing
            System.err.println("talkreel serve: not started");
            System.exit(1);
        }
    }

    /** The orchestrator: camel-main with the YAML routes of routes/ and the settings of config/. */
    public static Main orchestrator() {
        Main main = new Main();
        main.configure().addConfiguration(TalkreelConfiguration.class);
        main.setPropertyPlaceholderLocations("file:" + configFile());
        return main;
    }

    /** {@code check}: routes/ and config/ loaded as serve loads them, never started; 0 when fit to serve. */
    private static int check() {
        long start = System.nanoTime();
        List<Problem> problems = new Check(Path.of(configFile()), new Properties()).run();
        return Check.report(problems, (System.nanoTime() - start) / 1_000_000, System.out, System.err);
    }

    /** Settings for the emulators and the demo: both files, same override rules as Camel's. */
    public static Settings settings() {
        return Settings.load(Path.of(configFile()), Path.of(System.getProperty("talkreel.emulator-config",
                EMULATOR_CONFIG)));
    }

    static String configFile() {
        String fromEnv = System.getenv("TALKREEL_CONFIG");
        return System.getProperty("talkreel.config", fromEnv != null ? fromEnv : CONFIG);
    }

    private static void emulate() throws Exception {
        Emulators emulators = Emulators.start(settings());
        Runtime.getRuntime().addShutdownHook(new Thread(emulators::close));
        System.out.println("emulators running: yttools " + emulators.yttools.baseUrl() + ", vibevoice-api "
                + emulators.vibevoice.baseUrl() + ", ComfyUI " + emulators.comfyui.baseUrl() + ", infinitetalk-api "
                + emulators.infinitetalk.baseUrl() + " (Ctrl-C stops them)");
        Thread.currentThread().join();
    }
}
