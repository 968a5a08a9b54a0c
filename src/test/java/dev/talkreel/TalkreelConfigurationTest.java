package dev.talkreel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.service.comfyui.ComfyWorkflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestrator's own refusal, without the {@code check} that {@code serve} runs first: a wrong ComfyUI binding
 * stops the configuration before anything is made (no shared volume).
 */
class TalkreelConfigurationTest {
    @TempDir
    Path root;

    @Test
    void aWrongComfyUiBindingRefusesTheConfigurationBeforeAnythingIsMade() throws Exception {
        Properties overrides = new Properties();
        overrides.setProperty("talkreel.comfyui.bind.seed", "3.noise_seed");
        overrides.setProperty("talkreel.shared.dir", root.resolve("shared").toString());
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getPropertiesComponent().setLocation("file:config/application.properties");
            camel.getPropertiesComponent().setOverrideProperties(overrides);
            String message = assertThrows(ComfyWorkflow.InvalidException.class,
                    () -> new TalkreelConfiguration().configure(camel)).getMessage();
            assertTrue(message.contains("talkreel.comfyui.bind.seed: node 3 (KSampler) of config/comfyui/"
                    + "wan-portrait-api.json has no input 'noise_seed'; its inputs are seed, steps"), message);
        }
        assertFalse(Files.exists(root.resolve("shared")), "nothing made");
    }
}
