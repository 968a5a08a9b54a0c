package dev.talkreel.emulator.infinitetalk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The emulator snaps a portrait to InfiniteTalk's bucket as the real one does (docs/SERVICES.md §2.2). */
class BucketsTest {
    @Test
    void eachProfilesPortraitPicksTheBucketOfItsOrientation() {
        // landscape 1024x576, shorts 576x1024 (upright: the vertical bucket), square 768x768
        assertEquals(new Buckets.Size(896, 448), Buckets.pick("infinitetalk-480", 1024, 576));
        assertEquals(new Buckets.Size(448, 832), Buckets.pick("infinitetalk-480", 576, 1024));
        assertEquals(new Buckets.Size(640, 640), Buckets.pick("infinitetalk-480", 768, 768));
        assertEquals(new Buckets.Size(704, 1280), Buckets.pick("infinitetalk-720", 576, 1024));
        assertEquals(new Buckets.Size(960, 960), Buckets.pick("infinitetalk-720", 768, 768));
    }
}
