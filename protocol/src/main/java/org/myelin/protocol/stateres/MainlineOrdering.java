package org.myelin.protocol.stateres;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.json.CanonicalJson;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Step 3 of state resolution v2 ("Algorithm"): "Take all remaining events that weren't picked in
 * step 1 and order them by the mainline ordering based on the power level in the partially
 * resolved state obtained in step 2."
 *
 * <p>The mainline of P<sub>0</sub> ("Definitions") is [P<sub>0</sub>, P<sub>1</sub>, …], each
 * P<sub>i+1</sub> "the {@code m.room.power_levels} event in the {@code auth_events} of
 * P<sub>i</sub>". The mainline position of an event e is i for the first e<sub>j</sub> (j ≥ 1, its
 * power levels auth event, that one's, and so on) equal to some P<sub>i</sub>, or ∞ if none is.
 * Then x &lt; y if x's mainline position is <em>greater</em>, then if x's
 * {@code origin_server_ts} is smaller, then if x's {@code event_id} is smaller.
 *
 * <p>Positions of the power levels events met on the way are remembered, so events sharing a
 * history of power levels walk it once.
 */
final class MainlineOrdering {

    private static final int INFINITY = Integer.MAX_VALUE;

    private final ResolutionEvents events;
    /** Mainline positions, and the positions found for power levels events off the mainline. */
    private final Map<String, Integer> positions = new HashMap<>();

    private MainlineOrdering(ResolutionEvents events, String powerLevelsId) {
        this.events = events;
        String id = powerLevelsId;
        for (int i = 0; id != null && !positions.containsKey(id); i++) {
            positions.put(id, i);
            Pdu event = events.get(id);
            Pdu next = event == null ? null : events.powerLevelsAuthEvent(event);
            id = next == null ? null : next.eventId();
        }
    }

    /**
     * The events, sorted by the mainline ordering based on {@code powerLevelsId}
     * (null if the partially resolved state has no power levels: every position is then ∞).
     */
    static List<Pdu> sort(Collection<Pdu> remaining, String powerLevelsId, ResolutionEvents events) {
        MainlineOrdering mainline = new MainlineOrdering(events, powerLevelsId);
        Map<String, Integer> positionOf = new HashMap<>();
        for (Pdu event : remaining) {
            positionOf.put(event.eventId(), mainline.position(event));
        }
        Comparator<Pdu> order = Comparator.comparingInt((Pdu e) -> positionOf.get(e.eventId())).reversed()
                .thenComparingLong(Pdu::originServerTs)
                .thenComparing(Pdu::eventId, CanonicalJson.CODE_POINT_ORDER);
        List<Pdu> sorted = new ArrayList<>(remaining);
        sorted.sort(order);
        return sorted;
    }

    /** The mainline position of {@code event}. */
    int position(Pdu event) {
        Set<String> path = new LinkedHashSet<>();
        int found = INFINITY;
        Pdu step = events.powerLevelsAuthEvent(event);
        while (step != null) {
            Integer known = positions.get(step.eventId());
            if (known != null) {
                found = known;
                break;
            }
            if (!path.add(step.eventId())) {
                break; // a cycle of auth events: impossible with hashed event ids
            }
            step = events.powerLevelsAuthEvent(step);
        }
        for (String id : path) {
            positions.put(id, found);
        }
        return found;
    }
}
