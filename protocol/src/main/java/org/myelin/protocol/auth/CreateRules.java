package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.event.EventIds;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.AuthRuleSet;
import org.myelin.protocol.version.RoomVersions;

/**
 * The rules about the room's {@code m.room.create} event: rule 1 on the create event itself,
 * the check that an event belongs to the room its create event founds (rule 2 of v12; before
 * v12, rules 2.4 and 2.5 applied to the state the event is checked against), and the
 * {@code m.federate} rule (3, 4 in v12).
 */
final class CreateRules {

    private CreateRules() {
    }

    /** Rule 1: the create event. */
    static AuthResult checkCreate(Pdu event, RuleNumbers n) {
        AuthRuleSet rules = event.roomVersion().auth();
        if (!event.prevEventIds().isEmpty()) {
            return AuthResult.rejected(n.create(1), "a create event has no prev_events");
        }
        if (rules.roomIdIsCreateEventHash()) {
            if (event.json().has("room_id")) {
                return AuthResult.rejected(n.create(2), "a create event of this room version has no room_id");
            }
        } else if (!Pdu.domainOf(event.roomId()).equals(event.senderDomain())) {
            return AuthResult.rejected(n.create(2), "the room id's domain is not the sender's");
        }
        JsonNode version = event.content().get("room_version");
        if (version != null && (!version.isTextual() || RoomVersions.find(version.textValue()).isEmpty())) {
            return AuthResult.rejected(n.create(3), "unknown room_version " + version);
        }
        if (rules.createNeedsCreator() && !event.content().has("creator")) {
            return AuthResult.rejected(n.create(4), "the create event has no creator");
        }
        if (rules.creatorsHaveInfinitePower()) {
            return checkAdditionalCreators(event.content().get("additional_creators"), n);
        }
        return AuthResult.allowed();
    }

    private static AuthResult checkAdditionalCreators(JsonNode additional, RuleNumbers n) {
        if (additional == null) {
            return AuthResult.allowed();
        }
        if (!additional.isArray()) {
            return AuthResult.rejected(n.create(4), "additional_creators is not an array");
        }
        for (JsonNode user : additional) {
            if (!user.isTextual() || !org.myelin.protocol.id.UserId.isValid(user.textValue())) {
                return AuthResult.rejected(n.create(4), "additional_creators holds " + user + ", not a user id");
            }
        }
        return AuthResult.allowed();
    }

    /**
     * That {@code create} founds the room of {@code event}: in v12, its id is the room id
     * (rule 2); before, it must be present (2.4) and in the same room (2.5).
     */
    static AuthResult checkRoom(Pdu event, Pdu create, RuleNumbers n) {
        AuthRuleSet rules = event.roomVersion().auth();
        if (create == null) {
            return AuthResult.rejected(n.createInState(), "no m.room.create event in the state");
        }
        if (rules.roomIdIsCreateEventHash()) {
            if (!EventIds.roomIdOfCreateEvent(create.eventId()).equals(event.roomId())) {
                return AuthResult.rejected(n.roomIdIsCreateEvent(),
                        "room id " + event.roomId() + " is not that of create event " + create.eventId());
            }
        } else if (!create.roomId().equals(event.roomId())) {
            return AuthResult.rejected(n.authEvents(5), "the create event is in room " + create.roomId());
        }
        return AuthResult.allowed();
    }

    /** Rule 3 (4 in v12): an unfederated room takes events only from its creator's server. */
    static AuthResult checkFederate(Pdu event, Pdu create, RuleNumbers n) {
        JsonNode federate = create.content().get("m.federate");
        if (federate != null && federate.isBoolean() && !federate.booleanValue()
                && !create.senderDomain().equals(event.senderDomain())) {
            return AuthResult.rejected(n.federate(),
                    "the room is not federated and " + event.senderDomain() + " is not " + create.senderDomain());
        }
        return AuthResult.allowed();
    }
}
