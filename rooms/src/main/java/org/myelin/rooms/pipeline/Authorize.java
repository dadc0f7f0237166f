package org.myelin.rooms.pipeline;

import org.myelin.protocol.auth.AuthResult;
import org.myelin.protocol.auth.AuthState;
import org.myelin.protocol.auth.EventAuth;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.ports.ServerKeys;
import org.myelin.storage.events.StoredEvent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The authorisation steps (server-server API, "Checks performed on receipt of a PDU", 4 to 6):
 * against the event's own auth events, against the state before it, and, for the soft-fail
 * check, against the room's current state. The rules are protocol's; this class only finds the
 * events they look at.
 */
final class Authorize {

    private final EventCache events;
    private final ServerKeys keys;

    Authorize(EventCache events, ServerKeys keys) {
        this.events = events;
        this.keys = keys;
    }

    /** Rule checks against the event's own auth events, which must all be stored. */
    AuthResult againstAuthEvents(Pdu pdu) {
        return againstAuthEvents(pdu, Map.of());
    }

    /**
     * Rule checks against the event's own auth events, found among {@code pending} (checked but
     * not written yet: a joined room's state, written in one batch afterwards) or stored.
     */
    AuthResult againstAuthEvents(Pdu pdu, Map<String, StoredEvent> pending) {
        Map<String, StoredEvent> stored = new HashMap<>();
        List<String> elsewhere = new ArrayList<>();
        for (String id : pdu.authEventIds()) {
            StoredEvent e = pending.get(id);
            if (e != null) {
                stored.put(id, e);
            } else {
                elsewhere.add(id);
            }
        }
        if (!elsewhere.isEmpty()) {
            stored.putAll(events.storedAll(elsewhere));
        }
        List<Pdu> authEvents = new ArrayList<>();
        for (String id : pdu.authEventIds()) {
            StoredEvent e = stored.get(id);
            if (e == null) {
                return AuthResult.rejected("auth_events", "auth event " + id + " is unknown");
            }
            authEvents.add(e.pdu());
        }
        AuthResult listCheck = EventAuth.checkAuthEvents(pdu, authEvents, p -> {
            StoredEvent e = stored.get(p.eventId());
            return e != null && e.isRejected();
        });
        if (!listCheck.isAllowed()) {
            return listCheck;
        }
        java.util.Map<StateKey, Pdu> byKey = new java.util.HashMap<>();
        for (Pdu a : authEvents) {
            a.stateEntry().ifPresent(k -> byKey.put(k, a));
        }
        addCreateForHashRoomIds(pdu, byKey, pending);
        return EventAuth.check(pdu, AuthState.of(byKey), keys::isSignedBy);
    }

    /** Rule checks against a whole room state (state key to event id). */
    AuthResult againstState(Pdu pdu, Map<StateKey, String> state) {
        AuthState lookup = key -> {
            String id = state.get(key);
            return id == null ? null : events.get(id);
        };
        return EventAuth.check(pdu, lookup, keys::isSignedBy);
    }

    /** In v12 the create event is never an auth event; the room id names it. */
    private void addCreateForHashRoomIds(Pdu pdu, Map<StateKey, Pdu> byKey, Map<String, StoredEvent> pending) {
        if (pdu.roomVersion().auth().roomIdIsCreateEventHash() && !byKey.containsKey(StateKey.create())) {
            String createId = "$" + pdu.roomId().substring(1);
            StoredEvent checked = pending.get(createId);
            Pdu create = checked != null ? checked.pdu() : events.get(createId);
            if (create != null) {
                byKey.put(StateKey.create(), create);
            }
        }
    }
}
