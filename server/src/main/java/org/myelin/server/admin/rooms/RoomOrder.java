package org.myelin.server.admin.rooms;

import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The orders of {@code GET /_synapse/admin/v1/rooms} ({@code order_by}): names alphabetically,
 * counts largest first, as Synapse sorts them; {@code dir=b} reverses. Rooms without the value go
 * last; ties go by room id.
 */
final class RoomOrder {

    static final List<String> NAMES = List.of("alphabetical", "size", "name", "canonical_alias", "joined_members",
            "joined_local_members", "version", "creator", "encryption", "federatable", "public", "join_rules",
            "guest_access", "history_visibility", "state_events");

    private RoomOrder() {
    }

    static Comparator<RoomFacts> of(String name, boolean backwards) {
        Comparator<RoomFacts> order = switch (name) {
            case "size", "joined_members" -> largestFirst(f -> f.joinedMembers().size());
            case "joined_local_members" -> largestFirst(f -> f.joinedLocalMembers().size());
            case "version" -> largestFirst(f -> versionNumber(f.version()));
            case "state_events" -> largestFirst(RoomFacts::stateEvents);
            case "canonical_alias" -> text(RoomFacts::canonicalAlias);
            case "creator" -> text(RoomFacts::creator);
            case "encryption" -> text(RoomFacts::encryption);
            case "federatable" -> Comparator.comparing(RoomFacts::federatable);
            case "public" -> Comparator.comparing(RoomFacts::isPublic);
            case "join_rules" -> text(RoomFacts::joinRules);
            case "guest_access" -> text(RoomFacts::guestAccess);
            case "history_visibility" -> text(RoomFacts::historyVisibility);
            default -> text(RoomFacts::name);
        };
        if (backwards) {
            order = order.reversed();
        }
        return order.thenComparing(RoomFacts::roomId);
    }

    private static Comparator<RoomFacts> largestFirst(Function<RoomFacts, Integer> count) {
        return Comparator.comparing(count, Comparator.reverseOrder());
    }

    private static Comparator<RoomFacts> text(Function<RoomFacts, String> value) {
        return Comparator.comparing(value, Comparator.nullsLast(Comparator.naturalOrder()));
    }

    private static int versionNumber(String version) {
        try {
            return Integer.parseInt(version);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
