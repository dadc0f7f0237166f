package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.Relation;
import org.myelin.rooms.events.EventCache;
import org.myelin.storage.events.RelationRepository;
import org.myelin.storage.events.StoredEvent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The aggregations of child events bundled with each event a client gets (client-server API,
 * "Aggregations of child events"), under {@code unsigned.m.relations}:
 *
 * <ul>
 *   <li>{@code m.replace}: the latest edit (by {@code origin_server_ts}, then event id) sent by the
 *       original's sender, of the original's type, in full; none for a redacted original;</li>
 *   <li>{@code m.thread}: {@code latest_event} (a full client event, with its own aggregations),
 *       {@code count} and {@code current_user_participated} (the user sent the root or a reply);</li>
 *   <li>{@code m.reference}: {@code chunk}, the referencing events' ids, oldest first.</li>
 * </ul>
 *
 * Annotations are not bundled (spec v1.7); {@code /relations} serves them. State events, edits and
 * annotations get no aggregations, and an event that has a relation starts no thread (as Synapse).
 * Costs one statement per room of a page when some of its events have children
 * ({@link RelationIndex}), none otherwise, and the same once more for the threads' latest events.
 */
final class BundledAggregations {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final RelationIndex index;
    private final RelationRepository relations;
    private final EventCache events;

    BundledAggregations(RelationIndex index, RelationRepository relations, EventCache events) {
        this.index = index;
        this.relations = relations;
        this.events = events;
    }

    /** Reads which events of {@code roomIds} have bundled children, for all the rooms at once. */
    void prepare(Collection<String> roomIds) {
        index.prepare(roomIds);
    }

    /**
     * The {@code m.relations} object of each of {@code pdus} that has aggregations, by event id,
     * as {@code userId} sees them.
     *
     * @param redacted the ids of those of {@code pdus} that are redacted: their edits are not bundled
     * @param format   formats events as clients get them (a thread's latest event)
     * @param edits    formats an edit as clients get it
     */
    Map<String, ObjectNode> of(Collection<Pdu> pdus, String userId, Set<String> redacted,
                               Function<List<Pdu>, List<ObjectNode>> format, Function<Pdu, ObjectNode> edits) {
        Map<String, List<Pdu>> byRoom = new LinkedHashMap<>();
        for (Pdu pdu : pdus) {
            if (mayHaveChildren(pdu)) {
                byRoom.computeIfAbsent(pdu.roomId(), r -> new ArrayList<>()).add(pdu);
            }
        }
        Map<String, ObjectNode> bundles = new HashMap<>();
        byRoom.forEach((roomId, inRoom) -> {
            Map<String, Pdu> byId = new LinkedHashMap<>();
            inRoom.forEach(p -> byId.put(p.eventId(), p));
            List<String> parents = index.parentsAmong(roomId, byId.keySet());
            if (!parents.isEmpty()) {
                bundles.putAll(bundle(roomId, byId, parents, userId, redacted, format, edits));
            }
        });
        return bundles;
    }

    private Map<String, ObjectNode> bundle(String roomId, Map<String, Pdu> byId, List<String> parents, String userId,
                                           Set<String> redacted, Function<List<Pdu>, List<ObjectNode>> format,
                                           Function<Pdu, ObjectNode> edits) {
        RelationRepository.Aggregates found = relations.aggregate(roomId, parents, userId);
        Set<String> wanted = new LinkedHashSet<>(found.edits().values());
        found.threads().values().forEach(t -> wanted.add(t.latestEventId()));
        Map<String, StoredEvent> loaded = wanted.isEmpty() ? Map.of() : events.storedAll(wanted);
        Map<String, ObjectNode> latestFormatted = formatLatest(found, byId, loaded, format);
        Map<String, ObjectNode> bundles = new HashMap<>();
        for (String parentId : parents) {
            Pdu parent = byId.get(parentId);
            ObjectNode bundle = JSON.objectNode();
            String editId = found.edits().get(parentId);
            StoredEvent edit = editId == null ? null : loaded.get(editId);
            if (edit != null && !redacted.contains(parentId)) {
                bundle.set(Relation.REPLACE, edits.apply(edit.pdu()));
            }
            RelationRepository.ThreadSummary thread = found.threads().get(parentId);
            ObjectNode latest = thread == null ? null : latestFormatted.get(thread.latestEventId());
            if (latest != null && Relation.of(parent).isEmpty()) {
                ObjectNode summary = bundle.putObject(Relation.THREAD);
                summary.set("latest_event", latest);
                summary.put("count", thread.count());
                summary.put("current_user_participated", thread.userReplied() || parent.sender().equals(userId));
            }
            List<String> references = found.references().get(parentId);
            if (references != null && !references.isEmpty()) {
                var chunk = bundle.putObject(Relation.REFERENCE).putArray("chunk");
                references.forEach(id -> chunk.addObject().put("event_id", id));
            }
            if (!bundle.isEmpty()) {
                bundles.put(parentId, bundle);
            }
        }
        return bundles;
    }

    /** The threads' latest events in client format (each with its own aggregations), by id. */
    private static Map<String, ObjectNode> formatLatest(RelationRepository.Aggregates found, Map<String, Pdu> byId,
                                                        Map<String, StoredEvent> loaded,
                                                        Function<List<Pdu>, List<ObjectNode>> format) {
        List<Pdu> latest = new ArrayList<>();
        for (Map.Entry<String, RelationRepository.ThreadSummary> e : found.threads().entrySet()) {
            StoredEvent event = loaded.get(e.getValue().latestEventId());
            if (event != null && Relation.of(byId.get(e.getKey())).isEmpty()) {
                latest.add(event.pdu());
            }
        }
        Map<String, ObjectNode> formatted = new HashMap<>();
        if (latest.isEmpty()) {
            return formatted;
        }
        List<ObjectNode> done = format.apply(latest);
        for (int i = 0; i < latest.size(); i++) {
            formatted.put(latest.get(i).eventId(), done.get(i));
        }
        return formatted;
    }

    private static boolean mayHaveChildren(Pdu pdu) {
        return !pdu.isState() && Relation.of(pdu).map(Relation::allowsChildren).orElse(true);
    }
}
