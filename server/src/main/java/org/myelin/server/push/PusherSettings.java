package org.myelin.server.push;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A pusher as a client sets it ({@code POST /_matrix/client/v3/pushers/set}), checked.
 *
 * @param lang       the preferred language, or null
 * @param data       the pusher's data (for {@code http}, with the gateway's {@code url})
 * @param profileTag the device-specific rule set's tag, {@code ""} when none
 */
public record PusherSettings(String kind, String appId, String appDisplayName, String deviceDisplayName,
                             String pushkey, String lang, ObjectNode data, String profileTag) {
}
