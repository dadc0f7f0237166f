package org.myelin.server.client.sync;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link SyncResponse} as the mapper would from its records (snake_case names, null
 * values left out, empty sections kept), calling the accessors directly. Every message is written
 * into up to one /sync response per member, and the mapper's reflective access to some forty
 * record components per response was most of the cost of writing it. {@code SyncResponseSerializerTest}
 * checks the output against the mapper's.
 */
final class SyncResponseSerializer extends JsonSerializer<SyncResponse> {

    @Override
    public void serialize(SyncResponse r, JsonGenerator g, SerializerProvider p) throws IOException {
        g.writeStartObject();
        string(g, "next_batch", r.nextBatch());
        if (r.rooms() != null) {
            g.writeFieldName("rooms");
            rooms(g, p, r.rooms());
        }
        batch(g, p, "presence", r.presence());
        batch(g, p, "account_data", r.accountData());
        batch(g, p, "to_device", r.toDevice());
        if (r.deviceLists() != null) {
            g.writeObjectFieldStart("device_lists");
            strings(g, "changed", r.deviceLists().changed());
            strings(g, "left", r.deviceLists().left());
            g.writeEndObject();
        }
        if (r.deviceOneTimeKeysCount() != null) {
            g.writeObjectFieldStart("device_one_time_keys_count");
            for (Map.Entry<String, Integer> e : r.deviceOneTimeKeysCount().entrySet()) {
                if (e.getValue() != null) {
                    g.writeNumberField(e.getKey(), e.getValue());
                }
            }
            g.writeEndObject();
        }
        strings(g, "device_unused_fallback_key_types", r.deviceUnusedFallbackKeyTypes());
        g.writeEndObject();
    }

    private static void rooms(JsonGenerator g, SerializerProvider p, SyncResponse.Rooms rooms) throws IOException {
        g.writeStartObject();
        if (rooms.join() != null) {
            g.writeObjectFieldStart("join");
            for (Map.Entry<String, SyncResponse.JoinedRoom> e : rooms.join().entrySet()) {
                if (e.getValue() != null) {
                    g.writeFieldName(e.getKey());
                    joined(g, p, e.getValue());
                }
            }
            g.writeEndObject();
        }
        if (rooms.invite() != null) {
            g.writeObjectFieldStart("invite");
            for (Map.Entry<String, SyncResponse.InvitedRoom> e : rooms.invite().entrySet()) {
                if (e.getValue() != null) {
                    g.writeObjectFieldStart(e.getKey());
                    batch(g, p, "invite_state", e.getValue().inviteState());
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
        }
        if (rooms.leave() != null) {
            g.writeObjectFieldStart("leave");
            for (Map.Entry<String, SyncResponse.LeftRoom> e : rooms.leave().entrySet()) {
                SyncResponse.LeftRoom left = e.getValue();
                if (left != null) {
                    g.writeObjectFieldStart(e.getKey());
                    batch(g, p, "state", left.state());
                    batch(g, p, "state_after", left.stateAfter());
                    timeline(g, p, left.timeline());
                    batch(g, p, "account_data", left.accountData());
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
        }
        if (rooms.knock() != null) {
            g.writeObjectFieldStart("knock");
            for (Map.Entry<String, SyncResponse.KnockedRoom> e : rooms.knock().entrySet()) {
                if (e.getValue() != null) {
                    g.writeObjectFieldStart(e.getKey());
                    batch(g, p, "knock_state", e.getValue().knockState());
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void joined(JsonGenerator g, SerializerProvider p, SyncResponse.JoinedRoom room) throws IOException {
        g.writeStartObject();
        SyncResponse.RoomSummary summary = room.summary();
        if (summary != null) {
            g.writeObjectFieldStart("summary");
            strings(g, "m.heroes", summary.heroes());
            g.writeNumberField("m.joined_member_count", summary.joinedMemberCount());
            g.writeNumberField("m.invited_member_count", summary.invitedMemberCount());
            g.writeEndObject();
        }
        batch(g, p, "state", room.state());
        batch(g, p, "state_after", room.stateAfter());
        timeline(g, p, room.timeline());
        batch(g, p, "ephemeral", room.ephemeral());
        batch(g, p, "account_data", room.accountData());
        if (room.unreadNotifications() != null) {
            counts(g, "unread_notifications", room.unreadNotifications());
        }
        Map<String, SyncResponse.UnreadCounts> threads = room.unreadThreadNotifications();
        if (threads != null && !threads.isEmpty()) {
            g.writeObjectFieldStart("unread_thread_notifications");
            for (Map.Entry<String, SyncResponse.UnreadCounts> thread : threads.entrySet()) {
                counts(g, thread.getKey(), thread.getValue());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void counts(JsonGenerator g, String name, SyncResponse.UnreadCounts counts) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeNumberField("highlight_count", counts.highlightCount());
        g.writeNumberField("notification_count", counts.notificationCount());
        g.writeEndObject();
    }

    private static void timeline(JsonGenerator g, SerializerProvider p, SyncResponse.Timeline timeline)
            throws IOException {
        if (timeline == null) {
            return;
        }
        g.writeObjectFieldStart("timeline");
        events(g, p, "events", timeline.events());
        g.writeBooleanField("limited", timeline.limited());
        string(g, "prev_batch", timeline.prevBatch());
        g.writeEndObject();
    }

    private static void batch(JsonGenerator g, SerializerProvider p, String name, SyncResponse.EventBatch batch)
            throws IOException {
        if (batch == null) {
            return;
        }
        g.writeObjectFieldStart(name);
        events(g, p, "events", batch.events());
        g.writeEndObject();
    }

    private static void events(JsonGenerator g, SerializerProvider p, String name, List<ObjectNode> events)
            throws IOException {
        if (events == null) {
            return;
        }
        g.writeArrayFieldStart(name);
        for (ObjectNode event : events) {
            if (event == null) {
                g.writeNull(); // as the mapper writes a null element of a list
            } else {
                event.serialize(g, p);
            }
        }
        g.writeEndArray();
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        if (values == null) {
            return;
        }
        g.writeArrayFieldStart(name);
        for (String v : values) {
            if (v == null) {
                g.writeNull();
            } else {
                g.writeString(v);
            }
        }
        g.writeEndArray();
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }
}
