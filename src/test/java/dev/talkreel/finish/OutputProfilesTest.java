package dev.talkreel.finish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputProfilesTest {

    private static Map<String, String> shipped() {
        Map<String, String> s = new HashMap<>();
        s.put("talkreel.output.profile", "shorts");
        s.put("talkreel.output.landscape.size", "native");
        s.put("talkreel.output.landscape.portrait-size", "1024x576");
        s.put("talkreel.output.shorts.size", "1080x1920");
        s.put("talkreel.output.shorts.portrait-size", "576x1024");
        s.put("talkreel.output.square.size", "1080x1080");
        s.put("talkreel.output.square.portrait-size", "768x768");
        return s;
    }

    @Test
    void readsEveryProfile() {
        OutputProfiles profiles = OutputProfiles.fromSettings(shipped()::get, null);
        assertEquals(new OutputProfile("shorts", 1080, 1920, 576, 1024), profiles.named("shorts"));
        assertTrue(profiles.named("landscape").nativeSize());
        assertEquals(1080, profiles.named("square").height());
    }

    @Test
    void refusesABadSizeNamingTheKey() {
        Map<String, String> s = shipped();
        s.put("talkreel.output.shorts.size", "1080x1921");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OutputProfiles.fromSettings(s::get, null));
        assertTrue(e.getMessage().startsWith("talkreel.output.shorts.size = 1080x1921"), e.getMessage());
        s.put("talkreel.output.shorts.size", "1080x1920");
        s.put("talkreel.output.square.portrait-size", "native");
        assertThrows(IllegalArgumentException.class, () -> OutputProfiles.fromSettings(s::get, null));
    }

    @Test
    void refusesAnUnknownDefault() {
        Map<String, String> s = shipped();
        s.put("talkreel.output.profile", "vertical");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OutputProfiles.fromSettings(s::get, null));
        assertTrue(e.getMessage().contains("vertical"), e.getMessage());
    }
}
