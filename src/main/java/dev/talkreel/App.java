package dev.talkreel;

import dev.talkreel.demo.Demo;
import dev.talkreel.emulator.Emulators;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.camel.main.Main;

/**
 * talkreel's command line: {@code serve} runs the orchestrator, {@code emulate} the four service emulators,
 * {@code demo} both plus one sample job. Settings come from config/ (see README.md).
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
            case "serve" -> orchestrator().run(rest);
            case "emulate" -> emulate();
            case "demo" -> System.exit(new Demo(settings()).run());
            default -> {
                System.err.println("usage: java -jar talkreel.jar [serve|emulate|demo]");
                System.exit(2);
            }
        }
    }

    /** The orchestrator: camel-main with the YAML routes of routes/ and the settings of config/. */
    public static Main orchestrator() {
        Main main = new Main();
        main.configure().addConfiguration(TalkreelConfiguration.class);
        main.setPropertyPlaceholderLocations("file:" + configFile());
        return main;
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
