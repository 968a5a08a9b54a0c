package dev.talkreel.check;

import dev.talkreel.service.comfyui.ComfyWorkflow;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;

/**
 * The ComfyUI workflow and its {@code talkreel.comfyui.bind.*} settings, checked as {@code serve} checks them at start
 * (ComfyWorkflow), each problem reported at the line of the setting at fault in the config file.
 */
final class ComfyBindings {
    private ComfyBindings() {
    }

    static List<Problem> check(CamelContext camel, String configLocation, Sources sources) {
        Optional<String> workflowSetting = camel.getPropertiesComponent().resolveProperty(ComfyWorkflow.WORKFLOW);
        if (workflowSetting.isEmpty()) {
            return List.of(); // no ComfyUI step configured
        }
        String config = Sources.display(configLocation);
        return ComfyWorkflow.issues(Path.of(workflowSetting.get().trim()),
                        key -> camel.getPropertiesComponent().resolveProperty(key).orElse(null)).stream()
                .map(i -> new Problem(config, lineOf(configLocation, i.setting(), sources), i.toString()))
                .toList();
    }

    private static int lineOf(String configLocation, String key, Sources sources) {
        return sources.find(configLocation, Pattern.compile("^\\s*" + Pattern.quote(key) + "\\s*[=:]"), 1);
    }
}
