package org.myelin.protocol.version;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The registry of room versions Myelin knows: 1 to 12, all stable, 12 the default. */
public final class RoomVersions {

    public static final RoomVersion V1 = new RoomVersion("1", true, EventFormat.EVENT_ID_IN_EVENT, false,
            RedactionRules.V1, AuthRuleSet.V1, StateResAlgorithm.V1, false);
    public static final RoomVersion V2 = new RoomVersion("2", true, EventFormat.EVENT_ID_IN_EVENT, false,
            RedactionRules.V1, AuthRuleSet.V1, StateResAlgorithm.V2, false);
    public static final RoomVersion V3 = new RoomVersion("3", true, EventFormat.REFERENCE_HASH, false,
            RedactionRules.V1, AuthRuleSet.V3, StateResAlgorithm.V2, false);
    public static final RoomVersion V4 = new RoomVersion("4", true, EventFormat.URL_SAFE_REFERENCE_HASH, false,
            RedactionRules.V1, AuthRuleSet.V3, StateResAlgorithm.V2, false);
    public static final RoomVersion V5 = new RoomVersion("5", true, EventFormat.URL_SAFE_REFERENCE_HASH, false,
            RedactionRules.V1, AuthRuleSet.V3, StateResAlgorithm.V2, true);
    public static final RoomVersion V6 = new RoomVersion("6", true, EventFormat.URL_SAFE_REFERENCE_HASH, false,
            RedactionRules.V6, AuthRuleSet.V6, StateResAlgorithm.V2, true);
    public static final RoomVersion V7 = new RoomVersion("7", true, EventFormat.URL_SAFE_REFERENCE_HASH, false,
            RedactionRules.V6, AuthRuleSet.V7, StateResAlgorithm.V2, true);
    public static final RoomVersion V8 = new RoomVersion("8", true, EventFormat.URL_SAFE_REFERENCE_HASH, false,
            RedactionRules.V8, AuthRuleSet.V8, StateResAlgorithm.V2, true);
    public static final RoomVersion V9 = new RoomVersion("9", true, EventFormat.URL_SAFE_REFERENCE_HASH, false,
            RedactionRules.V9, AuthRuleSet.V8, StateResAlgorithm.V2, true);
    public static final RoomVersion V10 = new RoomVersion("10", true, EventFormat.URL_SAFE_REFERENCE_HASH, false,
            RedactionRules.V9, AuthRuleSet.V10, StateResAlgorithm.V2, true);
    public static final RoomVersion V11 = new RoomVersion("11", true, EventFormat.URL_SAFE_REFERENCE_HASH, true,
            RedactionRules.V11, AuthRuleSet.V11, StateResAlgorithm.V2, true);
    public static final RoomVersion V12 = new RoomVersion("12", true, EventFormat.URL_SAFE_REFERENCE_HASH, true,
            RedactionRules.V11, AuthRuleSet.V12, StateResAlgorithm.V2_1, true);

    /** The version new rooms get unless the creator asks for another. */
    public static final RoomVersion DEFAULT = V12;

    private static final Map<String, RoomVersion> BY_ID = new LinkedHashMap<>();

    static {
        for (RoomVersion v : new RoomVersion[] {V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12}) {
            BY_ID.put(v.id(), v);
        }
    }

    private RoomVersions() {
    }

    /** The version with this identifier, if Myelin knows it. */
    public static Optional<RoomVersion> find(String id) {
        return Optional.ofNullable(BY_ID.get(id));
    }

    /** Every known version, oldest first. */
    public static Collection<RoomVersion> all() {
        return BY_ID.values();
    }
}
