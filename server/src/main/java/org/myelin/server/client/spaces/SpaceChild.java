package org.myelin.server.client.spaces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An {@code m.space.child} event of a space as the hierarchy gives it: stripped, with its
 * {@code origin_server_ts} (client-server API, "Spaces": {@code children_state}). Its state key
 * is the child room; its {@code via} names servers to reach that room through. A child without a
 * {@code via} list of server names is no child (removed from the space, or redacted).
 */
public record SpaceChild(String type, String stateKey, ObjectNode content, String sender, long originServerTs) {

    public static final String TYPE = "m.space.child";
    /** Longest {@code order} the spec lets count. */
    private static final int MAX_ORDER_LENGTH = 50;

    /**
     * The spec's order of a space's children ("Ordering of children within a space"): those with a
     * valid {@code order} first, by it (code points; all are ASCII), then by the event's
     * timestamp, then by room id.
     */
    public static final Comparator<SpaceChild> ORDER = Comparator
            .comparing((SpaceChild c) -> c.order().isEmpty())
            .thenComparing(c -> c.order().orElse(""))
            .thenComparingLong(SpaceChild::originServerTs)
            .thenComparing(SpaceChild::stateKey);

    /** The child of a local {@code m.space.child} state event; empty when it names no servers. */
    public static Optional<SpaceChild> of(Pdu event) {
        if (!TYPE.equals(event.type()) || event.stateKey() == null || via(event.content()).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SpaceChild(event.type(), event.stateKey(), event.content().deepCopy(), event.sender(),
                event.originServerTs()));
    }

    /**
     * A child as another server's hierarchy answer gives it; empty when it is not one (Synapse's
     * checks of those answers: string type and state key, an object content with a {@code via}
     * list of strings).
     */
    public static Optional<SpaceChild> parse(JsonNode json) {
        if (json == null || !json.path("type").isTextual() || !json.path("state_key").isTextual()
                || !(json.get("content") instanceof ObjectNode content) || via(content).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SpaceChild(json.get("type").textValue(), json.get("state_key").textValue(),
                content.deepCopy(), json.path("sender").asText(""), json.path("origin_server_ts").asLong(0)));
    }

    /** The servers of the child's {@code via}; empty when it has none, or any entry is no string. */
    public List<String> via() {
        return via(content).orElse(List.of());
    }

    /** Whether the child is marked {@code suggested}. */
    public boolean suggested() {
        return content.path("suggested").isBoolean() && content.get("suggested").booleanValue();
    }

    private Optional<String> order() {
        JsonNode order = content.get("order");
        if (order == null || !order.isTextual() || order.textValue().length() > MAX_ORDER_LENGTH
                || !order.textValue().chars().allMatch(ch -> ch >= 0x20 && ch <= 0x7E)) {
            return Optional.empty();
        }
        return Optional.of(order.textValue());
    }

    private static Optional<List<String>> via(JsonNode content) {
        JsonNode via = content.get("via");
        if (via == null || !via.isArray() || via.isEmpty()) {
            return Optional.empty();
        }
        List<String> servers = new ArrayList<>();
        for (JsonNode server : via) {
            if (!server.isTextual()) {
                return Optional.empty();
            }
            servers.add(server.textValue());
        }
        return Optional.of(List.copyOf(servers));
    }
}
