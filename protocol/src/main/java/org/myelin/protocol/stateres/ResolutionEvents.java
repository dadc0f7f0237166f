package org.myelin.protocol.stateres;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;

import java.util.HashMap;
import java.util.Map;

/**
 * The events one resolution reads, fetched once each from the caller's {@link EventSource}:
 * a resolution reads the same auth events many times over.
 */
final class ResolutionEvents {

    private final EventSource source;
    private final Map<String, Pdu> fetched = new HashMap<>();
    private final Map<String, Boolean> rejected = new HashMap<>();

    ResolutionEvents(EventSource source) {
        this.source = source;
    }

    /** The event, or null if the source does not have it. */
    Pdu get(String eventId) {
        Pdu event = fetched.get(eventId);
        if (event == null && !fetched.containsKey(eventId)) {
            event = source.get(eventId);
            fetched.put(eventId, event); // null too: asked once
        }
        return event;
    }

    boolean isRejected(String eventId) {
        return rejected.computeIfAbsent(eventId, source::isRejected);
    }

    /**
     * The event's own {@code auth_events}, keyed by their state keys; from room version 12 on,
     * with the {@code m.room.create} event its room id names, which auth events no longer cite
     * (v12 "Authorisation rules": "The room_id (being the m.room.create event's ID) implies this").
     *
     * @param withoutRejected leave out auth events that were rejected
     */
    Map<StateKey, Pdu> ownAuthEvents(Pdu event, boolean withoutRejected) {
        Map<StateKey, Pdu> auth = new HashMap<>();
        for (String id : event.authEventIds()) {
            Pdu authEvent = get(id);
            if (authEvent != null && authEvent.isState() && !(withoutRejected && isRejected(id))) {
                auth.put(new StateKey(authEvent.type(), authEvent.stateKey()), authEvent);
            }
        }
        Pdu create = impliedCreateEvent(event);
        if (create != null && !(withoutRejected && isRejected(create.eventId()))) {
            auth.put(StateKey.create(), create);
        }
        return auth;
    }

    /**
     * The create event a room version 12 event's room id names, or null for earlier versions
     * (where auth events cite it), for the create event itself, and when it is missing.
     */
    Pdu impliedCreateEvent(Pdu event) {
        if (!event.roomVersion().auth().roomIdIsCreateEventHash() || event.is(StateKey.CREATE, "")) {
            return null;
        }
        Pdu create = get("$" + event.roomId().substring(1));
        return create != null && create.is(StateKey.CREATE, "") ? create : null;
    }

    /** The {@code m.room.power_levels} event among the event's {@code auth_events}, or null. */
    Pdu powerLevelsAuthEvent(Pdu event) {
        for (String id : event.authEventIds()) {
            Pdu authEvent = get(id);
            if (authEvent != null && authEvent.is(StateKey.POWER_LEVELS, "")) {
                return authEvent;
            }
        }
        return null;
    }
}
