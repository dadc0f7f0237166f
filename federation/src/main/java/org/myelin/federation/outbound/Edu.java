package org.myelin.federation.outbound;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Objects;

/**
 * An ephemeral data unit (server-server API, "EDUs"): typing notifications, receipts, presence,
 * device list updates, to-device messages. It has a type and a content, and no id or room.
 *
 * @param type    the {@code edu_type}, such as {@code m.typing}
 * @param content the EDU's content
 */
public record Edu(String type, ObjectNode content) {
    public Edu {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(content, "content");
    }
}
